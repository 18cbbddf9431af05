"""Deepgram in the sandbox: `POST /v1/listen`, `POST /v1/speak`, and live `wss://.../v1/listen`.

Response shapes follow deepgram-sdk 7.17.0 (`types/listen_v1response*.py`, `listen/v1/types/
listen_v1results.py`, `listen_v1metadata.py`, `types/error_response_*.py`); the SDK pointed at the
sandbox server parses them (tests/conformance). Transcription "hears" sandbox speech only (the words
travel in the audio, see sandbox/audio.py); any other audio gives an empty transcript and a
`metadata.warnings` entry saying why.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..audio.sniff import sniff_or_none
from ..audio.voices import voice_catalog
from .audio import NOTE_HEADER, Heard, encode_speech, hear, timings
from .wire import Call, ProviderSpec, Reply

__all__ = ["DEEPGRAM", "check_auth", "error", "fault", "listen", "results_for", "speak"]

_MODEL_UUID = "1abfe86b-e047-4eed-858a-35e5625b41ee"
_STT_MODELS = re.compile(
    r"^(nova-3|nova-2|nova|enhanced|base|whisper)(-[a-z0-9-]+)?$|^(general|meeting|phonecall|finance|conversationalai|voicemail|video)$"
)
_SPEAK_ENCODINGS = {"linear16", "mulaw", "alaw", "mp3", "opus", "flac", "aac"}
_SPEAK_MEDIA = {
    "mp3": "audio/mpeg",
    "opus": "audio/ogg",
    "flac": "audio/flac",
    "aac": "audio/aac",
}


def error(status: int, message: str, request_id: str, *, code: str | None = None) -> Reply:
    """Deepgram's legacy error body `{err_code, err_msg, request_id}` (what /v1/listen sends)."""
    default = {
        400: "Bad Request",
        401: "INVALID_AUTH",
        403: "INSUFFICIENT_PERMISSIONS",
        404: "Not Found",
        429: "TOO_MANY_REQUESTS",
    }.get(status, "INTERNAL_SERVER_ERROR")
    return Reply(
        status=status, body={"err_code": code or default, "err_msg": message, "request_id": request_id}
    )


def check_auth(headers: Mapping[str, str], request_id: str) -> Reply | None:
    """`Authorization: Token <key>` (or `Bearer <temporary token>`); otherwise Deepgram's 401."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() in ("token", "bearer") and token.strip():
        return None
    return error(401, "Invalid credentials.", request_id, code="INVALID_AUTH")


def fault(status: int, request_id: str) -> Reply:
    """The reply for an injected status fault."""
    message = {429: "Too many requests (sandbox fault).", 503: "Service unavailable (sandbox fault)."}.get(
        status, "Internal server error (sandbox fault)."
    )
    return error(status, message, request_id)


def _flag(query: Mapping[str, str], name: str) -> bool:
    return query.get(name, "").lower() == "true"


def _bare(word: str) -> str:
    return re.sub(r"[^\w'-]", "", word, flags=re.UNICODE).lower()


def words_for(
    text: str, duration: float, *, offset: float = 0.0, punctuate: bool, diarize: bool
) -> list[dict[str, Any]]:
    """Deepgram word objects for `text`, timed as the sandbox synthesiser spoke it (scaled to `duration`)."""
    spoken, total = timings(text)
    scale = duration / total if total and duration else 1.0
    out = []
    for i, (word, start, end) in enumerate(spoken):
        entry: dict[str, Any] = {
            "word": _bare(word) or word.lower(),
            "start": round(offset + start * scale, 3),
            "end": round(offset + end * scale, 3),
            "confidence": round(0.97 - 0.01 * (i % 3), 4),
        }
        if punctuate:
            entry["punctuated_word"] = word
        if diarize:
            entry["speaker"] = 0
            entry["speaker_confidence"] = 0.9
        out.append(entry)
    return out


def _model_info(model: str) -> dict[str, Any]:
    return {
        _MODEL_UUID: {
            "name": f"general-{model}",
            "version": "2026-11-01.0",
            "arch": model.split("-general")[0],
        }
    }


def results_for(
    heard: Heard, query: Mapping[str, str], request_id: str, sha: str, created: str
) -> dict[str, Any]:
    """A whole `ListenV1Response` for what the sandbox heard."""
    model = query.get("model", "nova-3")
    punctuate = _flag(query, "punctuate") or _flag(query, "smart_format")
    diarize = _flag(query, "diarize") or bool(query.get("diarize_model"))
    text = heard.text or ""
    words = words_for(text, heard.duration, punctuate=punctuate, diarize=diarize)
    transcript = text if punctuate else " ".join(w["word"] for w in words)
    alternative: dict[str, Any] = {
        "transcript": transcript,
        "confidence": 0.97 if words else 0.0,
        "words": words,
    }
    metadata: dict[str, Any] = {
        "transaction_key": "deprecated",
        "request_id": request_id,
        "sha256": sha,
        "created": created,
        "duration": heard.duration,
        "channels": 1,
        "models": [_MODEL_UUID],
        "model_info": _model_info(model),
    }
    if not heard.recognised:
        metadata["warnings"] = [
            {
                "parameter": "audio",
                "type": "sandbox",
                "message": "the sandbox only hears sandbox speech (text carried in the audio); this audio has none",
            }
        ]
    results: dict[str, Any] = {"channels": [{"alternatives": [alternative]}]}
    if _flag(query, "detect_language"):
        results["channels"][0]["detected_language"] = "en"
    if _flag(query, "utterances") and words:
        results["utterances"] = _utterances(words, transcript)
    return {"metadata": metadata, "results": results}


def _utterances(words: list[dict[str, Any]], transcript: str) -> list[dict[str, Any]]:
    groups: list[list[dict[str, Any]]] = [[]]
    for w in words:
        groups[-1].append(w)
        if w.get("punctuated_word", w["word"])[-1:] in ".!?":
            groups.append([])
    out = []
    for i, group in enumerate(g for g in groups if g):
        out.append(
            {
                "start": group[0]["start"],
                "end": group[-1]["end"],
                "confidence": 0.97,
                "channel": 0,
                "transcript": " ".join(w.get("punctuated_word", w["word"]) for w in group),
                "words": group,
                "speaker": 0,
                "id": hashlib.sha256(f"{transcript}-{i}".encode()).hexdigest()[:8]
                + "-0000-4000-8000-000000000000",
            }
        )
    return out


def _created() -> str:
    return datetime.fromtimestamp(time.time(), tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def listen(call: Call) -> Reply:
    """Handle `POST /v1/listen`: raw audio in the body, or JSON `{"url": ...}`."""
    query = call.query
    model = query.get("model", "nova-3")
    if not _STT_MODELS.match(model):
        return error(400, f"No such model/language/tier combination found: model={model}", call.request_id)
    if isinstance(call.body, dict) and "url" in call.body:
        payload = results_for(
            Heard(None, 0.0, False), query, call.request_id, hashlib.sha256(b"").hexdigest(), _created()
        )
        payload["metadata"]["warnings"] = [
            {
                "parameter": "url",
                "type": "sandbox",
                "message": "the sandbox does not fetch URLs; nothing was heard",
            }
        ]
        return Reply(body=payload)
    if not call.raw:
        return error(400, "Bad Request: no audio was sent", call.request_id)
    encoding = query.get("encoding")
    rate = int(query["sample_rate"]) if query.get("sample_rate", "").isdigit() else None
    heard = hear(call.raw, encoding=encoding, sample_rate=rate)
    if heard is None:
        return error(
            400, "Bad Request: failed to process audio: corrupt or unsupported data", call.request_id
        )
    sha = hashlib.sha256(call.raw).hexdigest()
    return Reply(body=results_for(heard, query, call.request_id, sha, _created()))


def speak(call: Call) -> Reply:
    """Handle `POST /v1/speak`: real audio for `{"text"}` in the asked encoding/container/sample rate."""
    query = call.query
    model = query.get("model", "aura-asteria-en")
    voices = {v["id"] for v in voice_catalog("deepgram")["voices"]}
    if model not in voices:
        return error(400, f"Invalid model: {model}", call.request_id, code="INVALID_QUERY_PARAMETER")
    body = call.body
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip():
        return error(400, "Invalid request: 'text' must be a non-empty string.", call.request_id)
    encoding = query.get("encoding", "linear16")
    if encoding not in _SPEAK_ENCODINGS:
        return error(
            400, f"Unsupported encoding: {encoding}", call.request_id, code="UNSUPPORTED_AUDIO_FORMAT"
        )
    container = query.get("container", "wav" if encoding == "linear16" else "none")
    default_rate = {"mulaw": 8000, "alaw": 8000, "mp3": 22050, "aac": 22050, "opus": 48000}.get(
        encoding, 24000
    )
    rate = int(query.get("sample_rate", default_rate))
    speed = float(query.get("speed", "1") or 1)
    codec = {"linear16": "wav" if container == "wav" else "pcm", "mulaw": "ulaw", "alaw": "alaw"}.get(
        encoding, encoding
    )
    made = encode_speech(
        text, codec=codec, sample_rate=rate, voice=model, speed=speed, wav_raw=container == "wav"
    )
    headers = {
        "content-type": made.media_type if codec not in _SPEAK_MEDIA or made.note else _SPEAK_MEDIA[codec],
        "dg-model-name": model,
        "dg-model-uuid": _MODEL_UUID,
        "dg-char-count": str(len(text)),
    }
    if made.note:
        headers[NOTE_HEADER] = made.note
    if codec == "pcm":
        headers["content-type"] = "application/octet-stream"
    size = max(1, len(made.data) // 8)
    chunks = [made.data[i : i + size] for i in range(0, len(made.data), size)]
    return Reply(headers=headers, chunks=chunks, lead=1.0)


def live_results(
    text: str | None,
    heard_until: float,
    *,
    start_from: int,
    query: Mapping[str, str],
    request_id: str,
    final: bool,
    from_finalize: bool = False,
) -> tuple[dict[str, Any] | None, int]:
    """One live `Results` message for the words heard by `heard_until` seconds, from word `start_from` on.

    Returns (message or None, index of the next unsent word). Interim results cover the words heard
    so far in the current sentence; a final result settles them at a sentence end (or on Finalize).
    """
    punctuate = _flag(query, "punctuate") or _flag(query, "smart_format")
    diarize = _flag(query, "diarize") or bool(query.get("diarize_model"))
    spoken, _ = timings(text or "")
    words = words_for(text or "", 0.0, punctuate=punctuate, diarize=diarize)
    ready = [i for i in range(start_from, len(spoken)) if spoken[i][2] <= heard_until]
    if not ready and not (final and from_finalize):
        return None, start_from
    end = start_from
    settle = False
    for i in ready:
        end = i + 1
        if spoken[i][0][-1:] in ".!?":
            settle = True
            break
    if final or from_finalize:
        settle = True
        end = max(end, ready[-1] + 1 if ready else start_from)
    chunk = words[start_from:end]
    begin = spoken[start_from][1] if start_from < len(spoken) else heard_until
    transcript = " ".join(w.get("punctuated_word", w["word"]) for w in chunk)
    message = {
        "type": "Results",
        "channel_index": [0, 1],
        "duration": round((chunk[-1]["end"] if chunk else heard_until) - begin, 3),
        "start": round(begin, 3),
        "is_final": settle,
        "speech_final": settle
        and bool(chunk)
        and chunk[-1].get("punctuated_word", chunk[-1]["word"])[-1:] in ".!?",
        "from_finalize": from_finalize,
        "channel": {
            "alternatives": [{"transcript": transcript, "confidence": 0.97 if chunk else 0.0, "words": chunk}]
        },
        "metadata": {
            "request_id": request_id,
            "model_info": {
                "name": f"general-{query.get('model', 'nova-3')}",
                "version": "2026-11-01.0",
                "arch": query.get("model", "nova-3"),
            },
            "model_uuid": _MODEL_UUID,
        },
    }
    return message, end if settle else start_from


def metadata_message(request_id: str, duration: float, audio: bytes) -> dict[str, Any]:
    """The `Metadata` message Deepgram sends when a live stream closes."""
    return {
        "type": "Metadata",
        "transaction_key": "deprecated",
        "request_id": request_id,
        "sha256": hashlib.sha256(audio).hexdigest(),
        "created": _created(),
        "duration": round(duration, 3),
        "channels": 1,
    }


def audio_format(first: bytes, query: Mapping[str, str]) -> tuple[str | None, int | None]:
    """How a live stream's bytes are encoded: from the query (raw audio) or a sniffed container."""
    if query.get("encoding"):
        rate = query.get("sample_rate", "")
        return query["encoding"], int(rate) if rate.isdigit() else None
    info = sniff_or_none(first)
    return (None, None) if info is None else (None, info.sample_rate)


DEEPGRAM = ProviderSpec(
    name="deepgram",
    routes={"/v1/listen": listen, "/v1/speak": speak},
    request_id_header="dg-request-id",
    check_auth=check_auth,
    error=error,
    fault=fault,
)
