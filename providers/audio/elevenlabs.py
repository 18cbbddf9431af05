"""ElevenLabs on the wire: text to speech (`/v1/text-to-speech/{voice_id}` and `/stream`) and `/v1/speech-to-text`.

Pure translation, no I/O. Facts from elevenlabs-python 2.78.0 (`text_to_speech/raw_client.py`
`convert`/`stream`, `types/voice_settings.py`, `speech_to_text/raw_client.py`,
`types/speech_to_text_chunk_response_model.py`, `core/client_wrapper.py`) and wire/media.md section 2:

* auth header `xi-api-key`; hosts per region in catalog/providers/elevenlabs.json;
* `output_format`, `optimize_streaming_latency` and `enable_logging` are query parameters; the
  body is `{text, model_id, voice_settings, language_code, seed, previous_text, next_text, ...}`;
* `optimize_streaming_latency` 0..4 runs from no optimisation (0, the default) to the most (4, text
  normaliser off); our `Latency` tiers name those levels. ElevenLabs' docs now mark the parameter
  deprecated, so it is sent only when a tier is asked for, and the result says so;
* speech to text is multipart/form-data: `model_id`, `file` (or `cloud_storage_url`), options.

Older names keep working with a DeprecationWarning: `optimize_streaming_latency=` (use `latency=`),
`model_id=` (use `model='elevenlabs/...'`), `voice_id=` (use `voice=`).
"""

from __future__ import annotations

import json
import math
from typing import Any

import httpx2

from ..chat.base import Connection, auth_headers, error_from_body
from ..errors import InvalidParameterError, ProviderError
from ..multipart import multipart
from ..types import HttpCall
from .formats import OutputFormat, format_for_elevenlabs
from .options import close_matches, query_string
from .source import AudioInput
from .types import Latency, Transcript, Word

__all__ = ["STT_FIELDS", "TTS_BODY_FIELDS", "ElevenLabs", "multipart"]

# elevenlabs-python 2.78.0 text_to_speech/raw_client.py convert(...) JSON body fields (text/model_id aside)
TTS_BODY_FIELDS = frozenset(
    [
        "language_code",
        "voice_settings",
        "pronunciation_dictionary_locators",
        "seed",
        "previous_text",
        "next_text",
        "previous_request_ids",
        "next_request_ids",
        "use_pvc_as_ivc",
        "apply_text_normalization",
        "apply_language_text_normalization",
    ]
)
TTS_QUERY_FIELDS = frozenset({"enable_logging"})
VOICE_SETTINGS = frozenset({"stability", "similarity_boost", "style", "use_speaker_boost", "speed"})
# elevenlabs-python 2.78.0 speech_to_text/raw_client.py convert(...) form fields
STT_FIELDS = frozenset(
    [
        "language_code",
        "tag_audio_events",
        "num_speakers",
        "timestamps_granularity",
        "diarize",
        "diarization_threshold",
        "file_format",
        "webhook",
        "webhook_id",
        "temperature",
        "seed",
        "use_multi_channel",
        "no_verbatim",
        "keyterms",
        "numbers_format",
    ]
)
_UNIT_RANGE = ("stability", "similarity_boost", "style")


def _check_voice_settings(settings: Any) -> dict[str, Any]:
    if not isinstance(settings, dict):
        raise InvalidParameterError(
            "voice_settings must be a dict, e.g. {'stability': 0.5, 'similarity_boost': 0.75}"
        )
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if key not in VOICE_SETTINGS:
            raise close_matches(key, VOICE_SETTINGS, what="voice setting", provider="elevenlabs")
        if key in _UNIT_RANGE and not (isinstance(value, int | float) and 0 <= value <= 1):
            raise InvalidParameterError(
                f"voice_settings[{key!r}] runs from 0 to 1, not {value!r}", provider="elevenlabs"
            )
        if key == "speed" and not (isinstance(value, int | float) and 0.7 <= value <= 1.2):
            raise InvalidParameterError(
                f"voice_settings['speed'] runs from 0.7 to 1.2, not {value!r}", provider="elevenlabs"
            )
        if key == "use_speaker_boost" and not isinstance(value, bool):
            raise InvalidParameterError(
                "voice_settings['use_speaker_boost'] is True or False", provider="elevenlabs"
            )
        out[key] = value
    return out


class ElevenLabs:
    """The ElevenLabs speech codec: speak (whole or streamed) and transcribe."""

    name = "elevenlabs"
    request_id_header = "request-id"

    def speak_call(
        self,
        text: str,
        *,
        model: str,
        voice_id: str,
        output_format: str | None,
        latency: Latency | None,
        options: dict[str, Any],
        conn: Connection,
        stream: bool,
    ) -> tuple[HttpCall, OutputFormat, list[str]]:
        """The TTS request (`/stream` when streaming) with the format it asks for, and notes."""
        fmt = format_for_elevenlabs(output_format or "mp3_44100_128")
        notes: list[str] = []
        body: dict[str, Any] = {"text": text, "model_id": model}
        query: dict[str, Any] = {"output_format": fmt.name}
        if latency is not None:
            query["optimize_streaming_latency"] = latency.level
            notes.append(
                f"latency tier {latency.value!r} sent as optimize_streaming_latency={latency.level} "
                "(ElevenLabs' docs mark this parameter deprecated; the flash models are fast without it)"
            )
        for key, value in options.items():
            if value is None:
                continue
            if key == "voice_settings":
                body[key] = _check_voice_settings(value)
            elif key == "language_code" and model == "eleven_multilingual_v2":
                raise InvalidParameterError(
                    "eleven_multilingual_v2 does not take language_code; use eleven_flash_v2_5 or eleven_v3 to force a language",
                    provider=self.name,
                )
            elif key in TTS_BODY_FIELDS:
                body[key] = value
            elif key in TTS_QUERY_FIELDS:
                query[key] = value
            else:
                raise close_matches(
                    key,
                    TTS_BODY_FIELDS | TTS_QUERY_FIELDS | {"voice_settings"},
                    what="speech option",
                    provider=self.name,
                )
        path = f"/v1/text-to-speech/{voice_id}" + ("/stream" if stream else "")
        url = f"{conn.base_url}{path}?{query_string(query)}"
        headers = {**auth_headers(conn), "content-type": "application/json", "accept": fmt.media_type}
        sent = {**query, **{k: v for k, v in body.items() if k != "text"}, "voice_id": voice_id}
        return (
            HttpCall(method="POST", url=url, headers=headers, json_body=body, stream=True, sent=sent),
            fmt,
            notes,
        )

    def transcribe_call(
        self, audio: AudioInput, model: str, options: dict[str, Any], conn: Connection
    ) -> HttpCall:
        """`POST /v1/speech-to-text` as multipart/form-data: model_id, the file (or cloud_storage_url), options."""
        data: dict[str, Any] = {"model_id": model}
        for key, value in options.items():
            if value is None:
                continue
            if key not in STT_FIELDS:
                raise close_matches(key, STT_FIELDS, what="transcription option", provider=self.name)
            if isinstance(value, bool):
                data[key] = "true" if value else "false"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)
        file: tuple[str, bytes, str] | None = None
        if audio.url:
            data["cloud_storage_url"] = audio.url
        else:
            file = (audio.filename, audio.data or b"", audio.media_type)
        content_type, body = multipart(data, file)
        headers = {**auth_headers(conn), "content-type": content_type}
        sent = {**data, "audio": audio.describe()}
        return HttpCall(
            method="POST", url=f"{conn.base_url}/v1/speech-to-text", headers=headers, content=body, sent=sent
        )

    def parse_transcript(self, payload: dict[str, Any], *, model: str) -> Transcript:
        """A `SpeechToTextChunkResponseModel` as a Transcript (spacing entries dropped, logprob -> confidence)."""
        if "transcripts" in payload and payload.get("transcripts"):  # multichannel: first channel
            payload = {**payload["transcripts"][0], "_multichannel": True}
        words = []
        for w in payload.get("words") or []:
            if w.get("type") not in (None, "word"):
                continue
            logprob = w.get("logprob")
            words.append(
                Word(
                    word=w.get("text") or "",
                    text=w.get("text") or "",
                    start=w.get("start"),
                    end=w.get("end"),
                    confidence=round(math.exp(logprob), 4) if isinstance(logprob, int | float) else None,
                    speaker=w.get("speaker_id"),
                )
            )
        duration = payload.get("audio_duration_secs")
        if duration is None and words and words[-1].end is not None:
            duration = words[-1].end
        return Transcript(
            text=payload.get("text") or "",
            words=words,
            duration=duration,
            language=payload.get("language_code"),
            confidence=payload.get("language_probability"),
            model=model,
            provider=self.name,
            request_id=payload.get("transcription_id"),
            raw=payload,
        )

    def parse_error(self, provider: str, status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
        """ElevenLabs' `{"detail": {"status", "message"}}` or a validation `{"detail": [{"msg", "loc"}]}`."""
        message = code = None
        try:
            data = json.loads(body) if body else None
        except ValueError:
            data = None
        detail = data.get("detail") if isinstance(data, dict) else None
        if isinstance(detail, dict):
            message = detail.get("message")
            code = detail.get("status") or detail.get("code")
        elif isinstance(detail, list) and detail and isinstance(detail[0], dict):
            message = "; ".join(f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg')}" for d in detail)
            code = "validation_error"
        elif isinstance(detail, str):
            message = detail
        return error_from_body(
            provider,
            status,
            headers,
            body,
            message=message,
            code=code,
            request_id_header=self.request_id_header,
        )
