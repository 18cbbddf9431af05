"""Realtime voice sessions in the sandbox, in two dialects: xAI Grok and OpenAI Realtime (GA).

Both speak OpenAI-Realtime GA event names (wire/media.md 3.2-3.3). The xAI dialect keeps Grok's
quirks that a strict client trips over (LiteLLM `litellm/llms/xai/realtime/transformation.py`,
pipecat `services/xai/realtime/events.py`): the first event is `conversation.created` (not
`session.created`), `ping` events arrive between others, `output_index`/`content_index` are missing
on streaming events, `response.content_part.done` has no `part`, and `usage` is `{}`.

The assistant answers the last user turn (text, or the words the sandbox hears in committed PCM16
audio -- see sandbox/audio.py) with the deterministic sandbox answer, as transcript deltas and real
PCM16 audio deltas (beep-speech that carries its own words).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from . import text as T
from .audio import read_watermark, synthesize
from .ws import SandboxSocket, loads

__all__ = ["openai_realtime", "xai_realtime"]

_XAI_VOICES = ("eve", "ara", "rex", "sal", "leo")
_OPENAI_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar")
_FORMATS = ("audio/pcm", "audio/pcmu", "audio/pcma")


class _Session:
    """One realtime conversation as the sandbox keeps it."""

    def __init__(self, sock: SandboxSocket, dialect: str) -> None:
        self.sock = sock
        self.dialect = dialect
        self.xai = dialect == "xai"
        self.counter = 0
        self.buffer = bytearray()
        self.last_user = ""
        self.previous_item: str | None = None
        self.session: dict[str, Any] = {
            "voice": "eve" if self.xai else "marin",
            "instructions": "",
            "output_modalities": ["audio"],
            "audio": {
                "input": {"format": {"type": "audio/pcm", "rate": 24000}},
                "output": {"format": {"type": "audio/pcm", "rate": 24000}},
            },
        }
        if not self.xai:
            self.session = {
                "type": "realtime",
                "object": "realtime.session",
                "model": sock.query.get("model", "gpt-realtime"),
                "id": self.new_id("sess"),
                **self.session,
            }
            self.session["audio"]["output"]["voice"] = self.session.pop("voice")
            self.session["audio"]["input"]["turn_detection"] = {
                "type": "server_vad",
                "threshold": 0.5,
                "prefix_padding_ms": 300,
                "silence_duration_ms": 200,
            }

    def new_id(self, prefix: str) -> str:
        self.counter += 1
        return (
            f"{prefix}_"
            + hashlib.sha256(f"{self.sock.request_id}-{prefix}-{self.counter}".encode()).hexdigest()[:20]
        )

    def event(self, kind: str, **fields: Any) -> dict[str, Any]:
        return {"type": kind, "event_id": self.new_id("event"), **fields}

    def error(
        self, message: str, code: str, param: str | None = None, event_id: str | None = None
    ) -> dict[str, Any]:
        return self.event(
            "error",
            error={
                "type": "invalid_request_error",
                "code": code,
                "message": message,
                "param": param,
                "event_id": event_id,
            },
        )

    def indices(self, **extra: Any) -> dict[str, Any]:
        """output_index/content_index as OpenAI sends them; xAI leaves them out."""
        return {} if self.xai else {"output_index": 0, "content_index": 0, **extra}

    @property
    def rate(self) -> int:
        return int(self.session["audio"]["output"]["format"].get("rate", 24000))

    # -- client events ---------------------------------------------------------------------

    def update(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        new = event.get("session")
        if not isinstance(new, dict):
            return [
                self.error("session.update needs a 'session' object", "missing_required_parameter", "session")
            ]
        if not self.xai and new.get("type") != "realtime":
            return [
                self.error(
                    "Missing required parameter: 'session.type'.",
                    "missing_required_parameter",
                    "session.type",
                )
            ]
        voice = new.get("voice") if self.xai else (new.get("audio") or {}).get("output", {}).get("voice")
        voices = _XAI_VOICES if self.xai else _OPENAI_VOICES
        if voice is not None and str(voice).lower() not in voices:
            return [
                self.error(
                    f"Invalid voice: '{voice}'. Supported values are: {', '.join(voices)}.",
                    "invalid_value",
                    "voice",
                )
            ]
        for side in ("input", "output"):
            fmt = ((new.get("audio") or {}).get(side) or {}).get("format")
            if fmt is None:
                continue
            kind, rate = fmt.get("type"), fmt.get("rate", 24000)
            if kind not in _FORMATS:
                return [
                    self.error(
                        f"Invalid audio format type: '{kind}'.", "invalid_value", f"audio.{side}.format.type"
                    )
                ]
            if kind == "audio/pcm" and ((not self.xai and rate != 24000) or not (8000 <= int(rate) <= 48000)):
                return [
                    self.error(
                        f"Unsupported sample rate {rate} for audio/pcm.",
                        "invalid_value",
                        f"audio.{side}.format.rate",
                    )
                ]
        for key, value in new.items():
            if key == "audio" and isinstance(value, dict):
                for side, conf in value.items():
                    if isinstance(conf, dict):
                        self.session["audio"].setdefault(side, {}).update(conf)
            elif key != "type":
                self.session[key] = value
        return [self.event("session.updated", session=self.session)]

    def item_added(self, item: dict[str, Any]) -> list[dict[str, Any]]:
        events = [self.event("conversation.item.added", previous_item_id=self.previous_item, item=item)]
        if not self.xai:
            events.append(
                self.event("conversation.item.done", previous_item_id=self.previous_item, item=item)
            )
        self.previous_item = item["id"]
        return events

    def create_item(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        item = event.get("item")
        if not isinstance(item, dict) or item.get("type") != "message":
            return [
                self.error("conversation.item.create needs item.type 'message'", "invalid_value", "item.type")
            ]
        texts = [c.get("text", "") for c in item.get("content") or [] if isinstance(c, dict)]
        if item.get("role") == "user":
            self.last_user = " ".join(t for t in texts if t)
        full = {
            "id": item.get("id") or self.new_id("item"),
            "object": "realtime.item",
            "type": "message",
            "status": "completed",
            "role": item.get("role", "user"),
            "content": item.get("content") or [],
        }
        return self.item_added(full)

    def append(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        audio = event.get("audio")
        try:
            data = base64.b64decode(audio or "", validate=True)
        except (binascii.Error, ValueError, TypeError):
            return [
                self.error("Invalid 'audio'. Expected base64-encoded audio bytes.", "invalid_value", "audio")
            ]
        if len(data) % 2:
            return [
                self.error(
                    "Invalid 'audio': PCM16 audio must be a whole number of 2-byte samples.",
                    "invalid_value",
                    "audio",
                )
            ]
        self.buffer += data
        return []

    def commit(self) -> list[dict[str, Any]]:
        rate = int(self.session["audio"]["input"].get("format", {}).get("rate", 24000))
        if len(self.buffer) < rate * 2 // 10:
            ms = round(len(self.buffer) / (rate * 2) * 1000, 2)
            return [
                self.error(
                    f"Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has {ms}ms of audio.",
                    "input_audio_buffer_commit_empty",
                )
            ]
        heard = read_watermark(bytes(self.buffer)) or ""
        self.buffer.clear()
        item_id = self.new_id("item")
        events = [
            self.event("input_audio_buffer.committed", previous_item_id=self.previous_item, item_id=item_id)
        ]
        item = {
            "id": item_id,
            "object": "realtime.item",
            "type": "message",
            "status": "completed",
            "role": "user",
            "content": [{"type": "input_audio", "transcript": None}],
        }
        events += self.item_added(item)
        events.append(
            self.event(
                "conversation.item.input_audio_transcription.completed",
                item_id=item_id,
                content_index=0,
                transcript=heard,
            )
        )
        self.last_user = heard or "(the sandbox heard no words in that audio)"
        return events

    def respond(self, event: dict[str, Any]) -> list[Any]:
        options: dict[str, Any] = event["response"] if isinstance(event.get("response"), dict) else {}
        modalities = (
            options.get("output_modalities")
            or options.get("modalities")
            or self.session.get("output_modalities")
            or ["audio"]
        )
        audio_out = "audio" in modalities
        answer = T.answer_text(self.last_user or "hello")
        response_id, item_id = self.new_id("resp"), self.new_id("item")
        usage_empty: Any = {} if self.xai else None
        frames: list[Any] = [
            self.event(
                "response.created",
                response={
                    "id": response_id,
                    "object": "realtime.response",
                    "status": "in_progress",
                    "output": [],
                    "usage": usage_empty,
                },
            ),
        ]
        if self.xai:
            frames.append({"type": "ping", "timestamp": 1_764_115_200_000 + self.counter})
        item = {
            "id": item_id,
            "object": "realtime.item",
            "type": "message",
            "status": "in_progress",
            "role": "assistant",
            "content": [],
        }
        frames.append(
            self.event(
                "response.output_item.added",
                response_id=response_id,
                item=item,
                **({} if self.xai else {"output_index": 0}),
            )
        )
        part_type = "audio" if audio_out else "text"
        frames.append(
            self.event(
                "response.content_part.added",
                response_id=response_id,
                item_id=item_id,
                part={"type": part_type, "transcript": ""} if audio_out else {"type": "text", "text": ""},
                **self.indices(),
            )
        )
        pieces = T.chunk_words(answer)
        if audio_out:
            pcm = synthesize(answer, sample_rate=self.rate, voice=str(self.session.get("voice") or "sandbox"))
            step = max(2, (len(pcm) // max(1, len(pieces))) // 2 * 2)
            audio_chunks = [pcm[i : i + step] for i in range(0, len(pcm), step)]
            for i in range(max(len(pieces), len(audio_chunks))):
                if i < len(pieces):
                    frames.append(
                        self.event(
                            "response.output_audio_transcript.delta",
                            response_id=response_id,
                            item_id=item_id,
                            delta=pieces[i],
                            **self.indices(),
                        )
                    )
                if i < len(audio_chunks):
                    frames.append(
                        self.event(
                            "response.output_audio.delta",
                            response_id=response_id,
                            item_id=item_id,
                            delta=base64.b64encode(audio_chunks[i]).decode(),
                            **self.indices(),
                        )
                    )
                if self.xai and i == len(pieces) // 2:
                    frames.append({"type": "ping", "timestamp": 1_764_115_200_500 + self.counter})
            frames.append(
                self.event(
                    "response.output_audio.done", response_id=response_id, item_id=item_id, **self.indices()
                )
            )
            frames.append(
                self.event(
                    "response.output_audio_transcript.done",
                    response_id=response_id,
                    item_id=item_id,
                    transcript=answer,
                    **self.indices(),
                )
            )
            content = [{"type": "output_audio", "transcript": answer}]
        else:
            for piece in pieces:
                frames.append(
                    self.event(
                        "response.output_text.delta",
                        response_id=response_id,
                        item_id=item_id,
                        delta=piece,
                        **self.indices(),
                    )
                )
            frames.append(
                self.event(
                    "response.output_text.done",
                    response_id=response_id,
                    item_id=item_id,
                    text=answer,
                    **self.indices(),
                )
            )
            content = [{"type": "output_text", "text": answer}]
        done_part = {} if self.xai else {"part": content[0]}
        frames.append(
            self.event(
                "response.content_part.done",
                response_id=response_id,
                item_id=item_id,
                **self.indices(),
                **done_part,
            )
        )
        final_item = {**item, "status": "completed", "content": content}
        frames.append(
            self.event(
                "response.output_item.done",
                response_id=response_id,
                item=final_item,
                **({} if self.xai else {"output_index": 0}),
            )
        )
        usage: dict[str, Any] = {}
        if not self.xai:
            inp, out = T.count_tokens(self.last_user or "hello"), T.count_tokens(answer)
            usage = {
                "total_tokens": inp + out,
                "input_tokens": inp,
                "output_tokens": out,
                "input_token_details": {"text_tokens": inp, "audio_tokens": 0, "cached_tokens": 0},
                "output_token_details": {"text_tokens": out, "audio_tokens": 0},
            }
        frames.append(
            self.event(
                "response.done",
                response={
                    "id": response_id,
                    "object": "realtime.response",
                    "status": "completed",
                    "output": [final_item],
                    "usage": usage,
                },
            )
        )
        self.previous_item = item_id
        return frames


async def _serve(sock: SandboxSocket, dialect: str) -> None:
    s = _Session(sock, dialect)
    if s.xai:
        await sock.send_json(
            s.event(
                "conversation.created",
                conversation={"id": s.new_id("conv"), "object": "realtime.conversation"},
            )
        )
    else:
        await sock.send_json(s.event("session.created", session=s.session))
    while True:
        message = await sock.receive()
        if message is None:
            return
        event = loads(message)
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            await sock.send_json(
                s.error("The server could not parse your message as a JSON event.", "invalid_json")
            )
            continue
        kind = event["type"]
        replies: list[Any]
        if kind == "session.update":
            replies = s.update(event)
        elif kind == "conversation.item.create":
            replies = s.create_item(event)
        elif kind == "input_audio_buffer.append":
            replies = s.append(event)
        elif kind == "input_audio_buffer.commit":
            replies = s.commit()
        elif kind == "input_audio_buffer.clear":
            s.buffer.clear()
            replies = [s.event("input_audio_buffer.cleared")]
        elif kind == "response.create":
            await sock.send_frames(s.respond(event))
            continue
        elif kind == "response.cancel":
            replies = []
        else:
            replies = [
                s.error(
                    f"Invalid value: '{kind}'. This event type is not supported.",
                    "invalid_value",
                    "type",
                    event.get("event_id"),
                )
            ]
        for reply in replies:
            await sock.send_json(reply)


async def xai_realtime(sock: SandboxSocket) -> None:
    """`wss://api.x.ai/v1/realtime`: the Grok dialect, quirks included."""
    await _serve(sock, "xai")


async def openai_realtime(sock: SandboxSocket) -> None:
    """`wss://api.openai.com/v1/realtime?model=...`: OpenAI Realtime GA."""
    await _serve(sock, "openai")
