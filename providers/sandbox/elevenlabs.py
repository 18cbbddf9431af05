"""ElevenLabs in the sandbox: text to speech (whole and `/stream`) and `POST /v1/speech-to-text`.

Shapes follow elevenlabs-python 2.78.0 (`text_to_speech/raw_client.py`, `speech_to_text/raw_client.py`,
`types/speech_to_text_chunk_response_model.py`, `types/speech_to_text_word_response_model.py`) and
the API's error envelope `{"detail": {"status", "message"}}` (422s: `{"detail": [{loc, msg, type}]}`).
The audio is sandbox beep-speech (sandbox/audio.py) in the asked `output_format` where the sandbox can
encode it (WAV, PCM, mu-law, A-law); MP3 and Opus come back as WAV with `x-llmkit-sandbox-note`.

Latency tiers are emulated, not measured: with pacing on (`SandboxApp(delay=...)`) the first chunk
of `/stream` waits `(5 - level)` delay units, so higher `optimize_streaming_latency` levels start
sooner, and every chunk after that comes one delay apart.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from typing import Any

from ..audio.formats import ELEVENLABS_FORMATS, parse_format
from ..audio.voices import voice_catalog
from .audio import NOTE_HEADER, Heard, encode_speech, hear, timings
from .wire import Call, ProviderSpec, Reply, form

__all__ = [
    "ELEVENLABS",
    "check_auth",
    "error",
    "fault",
    "speech_to_text",
    "text_to_speech",
    "text_to_speech_stream",
]

# the models the live API serves (catalog/models/elevenlabs.json); eleven_monolingual_v1,
# eleven_multilingual_v1 and scribe_v1 were removed on 2026-07-09 (elevenlabs.io/docs/changelog/2026/6/8)
_TTS_MODELS = {
    "eleven_flash_v2_5",
    "eleven_flash_v2",
    "eleven_turbo_v2_5",
    "eleven_turbo_v2",
    "eleven_multilingual_v2",
    "eleven_v3",
    "eleven_v4",
    "eleven_v4_turbo",
}
_STT_MODELS = {"scribe_v2", "scribe_v3"}
_VOICE_ID = re.compile(r"^[A-Za-z0-9]{20}$")
_MEDIA = {"mp3": "audio/mpeg", "opus": "audio/ogg"}


def error(status: int, message: str, request_id: str, *, code: str | None = None) -> Reply:
    """ElevenLabs' error envelope `{"detail": {"status": ..., "message": ...}}`."""
    default = {
        400: "invalid_request",
        401: "invalid_api_key",
        404: "not_found",
        429: "too_many_concurrent_requests",
    }
    return Reply(
        status=status,
        body={"detail": {"status": code or default.get(status, "internal_error"), "message": message}},
    )


def _invalid(loc: list[str], message: str, kind: str = "value_error") -> Reply:
    return Reply(status=422, body={"detail": [{"loc": loc, "msg": message, "type": kind}]})


def check_auth(headers: Mapping[str, str], request_id: str) -> Reply | None:
    """A non-empty `xi-api-key` header, else ElevenLabs' 401."""
    if headers.get("xi-api-key", "").strip():
        return None
    return error(401, "Invalid API key", request_id, code="invalid_api_key")


def fault(status: int, request_id: str) -> Reply:
    """The reply for an injected status fault."""
    message = {429: "Too many concurrent requests (sandbox fault)."}.get(
        status, "An internal error occurred (sandbox fault)."
    )
    return error(status, message, request_id, code="too_many_concurrent_requests" if status == 429 else None)


def _speech(call: Call, *, stream: bool) -> Reply:
    voice_id = call.params.get("voice_id", "")
    if not _VOICE_ID.match(voice_id):
        return error(
            404, f"A voice with voice_id {voice_id} was not found.", call.request_id, code="voice_not_found"
        )
    output_format = call.query.get("output_format", "mp3_44100_128")
    if output_format not in ELEVENLABS_FORMATS:
        return _invalid(["query", "output_format"], f"Invalid output format: {output_format}")
    level_text = call.query.get("optimize_streaming_latency")
    level = 0
    if level_text is not None:
        if level_text not in {"0", "1", "2", "3", "4"}:
            return _invalid(["query", "optimize_streaming_latency"], "Input should be 0, 1, 2, 3 or 4")
        level = int(level_text)
    body = call.body if isinstance(call.body, dict) else None
    if body is None:
        return _invalid(["body"], "Field required", "missing")
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return error(400, "The text you provided is empty.", call.request_id, code="empty_text")
    model = body.get("model_id", "eleven_multilingual_v2")
    if model not in _TTS_MODELS:
        return error(
            400, f"A model with model ID {model} does not exist.", call.request_id, code="model_not_found"
        )
    settings = body.get("voice_settings") or {}
    speed = float(settings.get("speed", 1.0)) if isinstance(settings, dict) else 1.0
    fmt = parse_format(output_format)
    names = {v["id"]: v["name"] for v in voice_catalog("elevenlabs")["voices"]}
    made = encode_speech(
        text, codec=fmt.codec, sample_rate=fmt.sample_rate, voice=names.get(voice_id, voice_id), speed=speed
    )
    media = made.media_type if made.note else _MEDIA.get(fmt.codec, made.media_type)
    if fmt.codec == "pcm":
        media = "audio/pcm"
    headers = {
        "content-type": media,
        "character-cost": str(len(text)),
        "history-item-id": hashlib.sha256(f"{call.request_id}-{text}".encode()).hexdigest()[:20],
    }
    if made.note:
        headers[NOTE_HEADER] = made.note
    if not stream:
        return Reply(headers=headers, content=made.data)
    # smaller first chunks at higher optimisation levels, then steady ~0.1 s pieces
    bytes_per_s = {"pcm": 2, "wav": 2, "ulaw": 1, "alaw": 1}.get(
        fmt.codec if not made.note else "wav", 2
    ) * fmt.sample_rate
    piece = max(256, bytes_per_s // 10)
    first = max(128, piece // (1 + level))
    chunks = [made.data[:first]] + [made.data[i : i + piece] for i in range(first, len(made.data), piece)]
    return Reply(headers=headers, chunks=[c for c in chunks if c], lead=float(5 - level))


def text_to_speech(call: Call) -> Reply:
    """Handle `POST /v1/text-to-speech/{voice_id}`."""
    return _speech(call, stream=False)


def text_to_speech_stream(call: Call) -> Reply:
    """Handle `POST /v1/text-to-speech/{voice_id}/stream` (chunked audio)."""
    return _speech(call, stream=True)


def _form(call: Call) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    """multipart/form-data fields and the uploaded file (name, bytes); an unnamed file is "audio"."""
    fields, upload = form(call)
    if upload is not None and upload[0] == "file":
        upload = ("audio", upload[1])
    return fields, upload


def _words(heard: Heard, diarize: bool) -> list[dict[str, Any]]:
    spoken, total = timings(heard.text or "")
    scale = heard.duration / total if total and heard.duration else 1.0
    out: list[dict[str, Any]] = []
    for i, (word, start, end) in enumerate(spoken):
        if i:
            prev_end = out[-1]["end"]
            out.append(
                {
                    "text": " ",
                    "start": prev_end,
                    "end": round(start * scale, 3),
                    "type": "spacing",
                    "logprob": 0.0,
                }
                | ({"speaker_id": "speaker_0"} if diarize else {})
            )
        entry = {
            "text": word,
            "start": round(start * scale, 3),
            "end": round(end * scale, 3),
            "type": "word",
            "logprob": round(math.log(0.97 - 0.01 * (i % 3)), 4),
        }
        if diarize:
            entry["speaker_id"] = "speaker_0"
        out.append(entry)
    return out


def speech_to_text(call: Call) -> Reply:
    """Handle `POST /v1/speech-to-text` (multipart: model_id, file or cloud_storage_url, options)."""
    fields, file = _form(call)
    model = fields.get("model_id")
    if not model:
        return _invalid(["body", "model_id"], "Field required", "missing")
    if model not in _STT_MODELS:
        return error(400, f"Invalid model_id: {model}", call.request_id, code="invalid_model_id")
    url = fields.get("cloud_storage_url") or fields.get("source_url")
    if file is None and not url:
        return error(400, "Either file or cloud_storage_url must be provided.", call.request_id)
    if file is not None:
        heard = hear(file[1])
        if heard is None:
            return error(
                400,
                "The uploaded file is not a supported audio or video file.",
                call.request_id,
                code="invalid_content",
            )
    else:
        heard = Heard(None, 0.0, False)
    diarize = fields.get("diarize", "").lower() == "true"
    words = _words(heard, diarize)
    body: dict[str, Any] = {
        "language_code": fields.get("language_code") or "eng",
        "language_probability": 0.98 if heard.recognised else 0.0,
        "text": heard.text or "",
        "words": words,
        "transcription_id": hashlib.sha256(call.raw or call.request_id.encode()).hexdigest()[:20],
        "audio_duration_secs": heard.duration,
    }
    headers = (
        {}
        if heard.recognised
        else {NOTE_HEADER: "the sandbox only hears sandbox speech; this audio has none"}
    )
    return Reply(body=body, headers=headers)


ELEVENLABS = ProviderSpec(
    name="elevenlabs",
    routes={
        "/v1/text-to-speech/{voice_id}": text_to_speech,
        "/v1/text-to-speech/{voice_id}/stream": text_to_speech_stream,
        "/v1/speech-to-text": speech_to_text,
    },
    request_id_header="request-id",
    check_auth=check_auth,
    error=error,
    fault=fault,
)
