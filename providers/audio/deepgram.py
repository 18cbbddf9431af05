"""Deepgram on the wire: `POST /v1/listen` (pre-recorded), `wss://.../v1/listen` (live), `POST /v1/speak`.

Pure translation, no I/O. Facts from deepgram-sdk 7.17.0 (`listen/v1/media/raw_client.py`,
`listen/v1/raw_client.py`, `listen/v1/socket_client.py`, `speak/v1/audio/raw_client.py`,
`types/listen_v1response*.py`, `types/error_response_*.py`) and wire/media.md section 1:

* auth `Authorization: Token <key>`; request id in the `dg-request-id` response header;
* the API is `/v1` for every SDK generation: the plan's "Deepgram v3" is the SDK's major version
  (3.x-4.x), not an API version (wire/media.md 1.6), so there is no `/v3/listen` here;
* options are query parameters, booleans as `true`/`false`, lists as repeated keys;
* audio goes as the request body with its sniffed MIME type (Deepgram's own curl examples send
  `Content-Type: audio/wav` / `audio/mp3`; the SDK sends `application/octet-stream`);
* a URL goes as JSON `{"url": ...}`.

Older option names (Deepgram SDK v2 `PrerecordedOptions`: `detect_topics`, `tier`, `alternatives`;
and `keywords`, which Nova-3 replaced with `keyterm`) still work, with a DeprecationWarning.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2

from ..chat.base import Connection, auth_headers, error_from_body
from ..errors import InvalidParameterError, ProviderError
from ..types import HttpCall
from .formats import OutputFormat, deepgram_params, parse_format
from .options import close_matches, query_string, warn_renamed
from .source import AudioInput
from .types import LiveResult, Transcript, Utterance, Word
from .voices import deepgram_voice_model

__all__ = ["LISTEN_PARAMS", "LIVE_PARAMS", "SPEAK_PARAMS", "Deepgram"]

# deepgram-sdk 7.17.0 listen/v1/media/raw_client.py transcribe_file(...) query parameters
LISTEN_PARAMS = frozenset(
    [
        "callback",
        "callback_method",
        "extra",
        "sentiment",
        "summarize",
        "tag",
        "topics",
        "custom_topic",
        "custom_topic_mode",
        "intents",
        "custom_intent",
        "custom_intent_mode",
        "detect_entities",
        "detect_language",
        "diarize",
        "diarize_model",
        "dictation",
        "encoding",
        "filler_words",
        "keyterm",
        "keywords",
        "language",
        "language_hint",
        "measurements",
        "model",
        "multichannel",
        "numerals",
        "paragraphs",
        "profanity_filter",
        "punctuate",
        "redact",
        "replace",
        "search",
        "smart_format",
        "utterances",
        "utt_split",
        "version",
        "mip_opt_out",
        "sample_rate",
        "channels",
    ]
)
# deepgram-sdk 7.17.0 listen/v1/raw_client.py connect(...) query parameters
LIVE_PARAMS = frozenset(
    [
        "callback",
        "callback_method",
        "channels",
        "detect_entities",
        "diarize",
        "diarize_model",
        "dictation",
        "encoding",
        "endpointing",
        "extra",
        "interim_results",
        "keyterm",
        "keywords",
        "language",
        "language_hint",
        "mip_opt_out",
        "model",
        "multichannel",
        "numerals",
        "profanity_filter",
        "punctuate",
        "redact",
        "replace",
        "sample_rate",
        "search",
        "smart_format",
        "tag",
        "utterance_end_ms",
        "vad_events",
        "version",
    ]
)
# deepgram-sdk 7.17.0 speak/v1/audio/raw_client.py generate(...) query parameters (model/encoding/... derived)
SPEAK_PARAMS = frozenset({"callback", "callback_method", "mip_opt_out", "tag", "speed"})
_SPEAK_FORMAT_PARAMS = ("encoding", "container", "sample_rate", "bit_rate")

# Deepgram SDK v2 option names -> today's
_RENAMED = {"detect_topics": "topics"}
_NOVA3 = ("nova-3",)


def _is_nova3(model: str) -> bool:
    return model.startswith(_NOVA3)


class Deepgram:
    """The Deepgram speech codec: transcribe (REST and live) and speak."""

    name = "deepgram"
    request_id_header = "dg-request-id"

    # -- options ---------------------------------------------------------------------------------

    def listen_options(
        self, model: str, options: dict[str, Any], *, live: bool = False
    ) -> tuple[dict[str, Any], list[str]]:
        """Check and normalise transcription options; old names move to new ones (with a warning)."""
        known = LIVE_PARAMS if live else LISTEN_PARAMS
        out: dict[str, Any] = {}
        notes: list[str] = []
        for key, value in options.items():
            if value is None:
                continue
            if key in _RENAMED:
                notes.append(warn_renamed(key, f"{_RENAMED[key]}=", provider=self.name))
                out[_RENAMED[key]] = value
            elif key == "tier":
                notes.append(
                    warn_renamed(
                        "tier",
                        "the model name (e.g. model='deepgram/nova-3')",
                        provider=self.name,
                        extra=f"; tier={value!r} was not sent",
                    )
                )
            elif key == "alternatives":
                notes.append(
                    warn_renamed(
                        "alternatives",
                        "one best transcript (Deepgram removed alternatives)",
                        provider=self.name,
                        extra="; not sent",
                    )
                )
            elif key == "keywords" and _is_nova3(model):
                terms = [value] if isinstance(value, str) else list(value)
                plain = [str(t).rsplit(":", 1)[0] if ":" in str(t) else str(t) for t in terms]
                notes.append(
                    warn_renamed(
                        "keywords",
                        "keyterm=",
                        provider=self.name,
                        extra=" (Nova-3 takes keyterm, without weights)",
                    )
                )
                out["keyterm"] = plain
            elif key == "model":
                raise InvalidParameterError("name the model as model='deepgram/nova-3', not as an option")
            elif key in known:
                out[key] = value
            else:
                raise close_matches(
                    key,
                    known,
                    what="transcription option",
                    provider=self.name,
                    hint="; see developers.deepgram.com/reference/speech-to-text/listen-pre-recorded",
                )
        if (
            out.get("encoding") is not None
            and out.get("sample_rate") is None
            and out["encoding"] not in ("opus", "ogg-opus", "flac")
        ):
            raise InvalidParameterError(
                f"raw {out['encoding']} audio needs sample_rate=... too (Deepgram cannot tell it from headerless audio)",
                provider=self.name,
            )
        return out, notes

    # -- pre-recorded ----------------------------------------------------------------------------

    def transcribe_call(
        self, audio: AudioInput, model: str, options: dict[str, Any], conn: Connection
    ) -> HttpCall:
        """`POST /v1/listen?model=...&<options>` with the audio (or `{"url": ...}`) as the body."""
        params = {"model": model, **options}
        url = f"{conn.base_url}/v1/listen?{query_string(params)}"
        headers = {**auth_headers(conn)}
        sent = {"model": model, **options, "audio": audio.describe()}
        if audio.url:
            headers["content-type"] = "application/json"
            return HttpCall(method="POST", url=url, headers=headers, json_body={"url": audio.url}, sent=sent)
        headers["content-type"] = audio.media_type
        return HttpCall(method="POST", url=url, headers=headers, content=audio.data, sent=sent)

    def parse_transcript(self, payload: dict[str, Any], *, model: str) -> Transcript:
        """A `ListenV1Response` (metadata + results) as a Transcript."""
        if "results" not in payload and "request_id" in payload:
            return Transcript(
                text="",
                model=model,
                provider=self.name,
                request_id=payload.get("request_id"),
                notes=["accepted for a callback: the transcript goes to your callback URL"],
                raw=payload,
            )
        meta = payload.get("metadata") or {}
        results = payload.get("results") or {}
        channels = results.get("channels") or [{}]
        channel = channels[0] or {}
        alternative = (channel.get("alternatives") or [{}])[0] or {}
        words = [self._word(w) for w in alternative.get("words") or []]
        utterances = [
            Utterance(
                text=u.get("transcript") or "",
                start=u.get("start"),
                end=u.get("end"),
                speaker=u.get("speaker"),
                confidence=u.get("confidence"),
                words=[self._word(w) for w in u.get("words") or []],
            )
            for u in results.get("utterances") or []
        ]
        notes = [
            f"{w.get('parameter', '')}: {w.get('message') or w.get('type', '')}".strip(": ")
            for w in meta.get("warnings") or []
            if isinstance(w, dict)
        ]
        return Transcript(
            text=alternative.get("transcript") or "",
            words=words,
            utterances=utterances,
            duration=meta.get("duration"),
            language=channel.get("detected_language"),
            confidence=alternative.get("confidence"),
            model=self._model_name(meta) or model,
            provider=self.name,
            request_id=meta.get("request_id"),
            notes=notes,
            raw=payload,
        )

    @staticmethod
    def _word(w: dict[str, Any]) -> Word:
        return Word(
            word=w.get("word") or "",
            text=w.get("punctuated_word") or "",
            start=w.get("start"),
            end=w.get("end"),
            confidence=w.get("confidence"),
            speaker=w.get("speaker"),
        )

    @staticmethod
    def _model_name(meta: dict[str, Any]) -> str | None:
        info = meta.get("model_info") or {}
        for entry in info.values():
            if isinstance(entry, dict) and entry.get("arch"):
                return str(entry["arch"])
        return None

    # -- live ------------------------------------------------------------------------------------

    def live_url(self, conn: Connection, model: str, options: dict[str, Any]) -> tuple[str, dict[str, str]]:
        """The WebSocket URL and handshake headers for `wss://<host>/v1/listen?...`."""
        base = conn.base_url
        ws_base = (
            "wss://" + base[len("https://") :]
            if base.startswith("https://")
            else "ws://" + base.split("://", 1)[-1]
        )
        params = {"model": model, "interim_results": True, **options}
        return f"{ws_base}/v1/listen?{query_string(params)}", auth_headers(conn)

    @staticmethod
    def keep_alive() -> str:
        return json.dumps({"type": "KeepAlive"})

    @staticmethod
    def finalize() -> str:
        return json.dumps({"type": "Finalize"})

    @staticmethod
    def close_stream() -> str:
        return json.dumps({"type": "CloseStream"})

    def parse_live(self, message: dict[str, Any]) -> LiveResult | ProviderError | None:
        """A server message: Results -> LiveResult, an error message -> ProviderError, others -> None."""
        kind = message.get("type")
        if kind == "Results":
            channel = message.get("channel") or {}
            alternative = (channel.get("alternatives") or [{}])[0] or {}
            index = message.get("channel_index") or [0]
            return LiveResult(
                kind="final" if message.get("is_final") else "interim",
                text=alternative.get("transcript") or "",
                words=[self._word(w) for w in alternative.get("words") or []],
                start=float(message.get("start") or 0.0),
                duration=float(message.get("duration") or 0.0),
                speech_final=bool(message.get("speech_final")),
                from_finalize=bool(message.get("from_finalize")),
                channel=int(index[0]) if index else 0,
                request_id=(message.get("metadata") or {}).get("request_id"),
            )
        if kind == "Error":
            text = message.get("description") or message.get("message") or "the live session failed"
            return ProviderError(text, provider=self.name, code=message.get("variant") or message.get("code"))
        return None

    # -- speak -----------------------------------------------------------------------------------

    def speak_call(
        self,
        text: str,
        *,
        model: str,
        voice: str | None,
        output_format: str | None,
        options: dict[str, Any],
        conn: Connection,
    ) -> tuple[HttpCall, str, OutputFormat]:
        """`POST /v1/speak?model=aura-2-<voice>-<lang>&encoding=...` with `{"text": ...}`; also (voice, format)."""
        voice_name, model_id = deepgram_voice_model(model, voice)
        fmt = parse_format(output_format or "wav_24000")
        params: dict[str, Any] = {"model": model_id, **deepgram_params(fmt)}
        for key, value in options.items():
            if value is None:
                continue
            if key in _SPEAK_FORMAT_PARAMS:
                raise InvalidParameterError(
                    f"pass the audio format as output_format= (e.g. 'wav_24000', 'mp3_22050_48'), not {key}=",
                    provider=self.name,
                )
            if key not in SPEAK_PARAMS:
                raise close_matches(key, SPEAK_PARAMS, what="speech option", provider=self.name)
            if key == "speed" and not (isinstance(value, int | float) and 0.5 <= value <= 1.5):
                raise InvalidParameterError(
                    f"Deepgram speed runs from 0.5 to 1.5, not {value!r}", provider=self.name
                )
            params[key] = value
        url = f"{conn.base_url}/v1/speak?{query_string(params)}"
        headers = {**auth_headers(conn), "content-type": "application/json"}
        call = HttpCall(
            method="POST", url=url, headers=headers, json_body={"text": text}, stream=True, sent=params
        )
        return call, voice_name, fmt

    # -- errors ----------------------------------------------------------------------------------

    def parse_error(self, provider: str, status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
        """Deepgram's error bodies: modern `{category, message, details, request_id}` or legacy `{err_code, err_msg}`."""
        message = code = request_id = None
        try:
            data = json.loads(body) if body else None
        except ValueError:
            data = None
        if isinstance(data, dict):
            message = data.get("err_msg") or data.get("message") or data.get("details")
            if data.get("details") and data.get("message") and data["details"] != data["message"]:
                message = f"{data['message']} {data['details']}"
            code = data.get("err_code") or data.get("category")
            request_id = data.get("request_id")
        return error_from_body(
            provider,
            status,
            headers,
            body,
            message=message,
            code=code,
            request_id_header=self.request_id_header,
            request_id=request_id,
        )
