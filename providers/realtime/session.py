"""One WebSocket session machine for realtime voice, shared by every dialect (xAI Grok, OpenAI Realtime GA).

    async with client.realtime("xai/grok-voice-latest", voice="eve") as session:
        turn = await session.say("Hello!")            # conversation.item.create + response.create
        turn.text, turn.audio                          # transcript and PCM16 audio of the answer
        await session.send_audio(pcm16)                # input_audio_buffer.append/commit + response.create
        turn = await session.response()

Client events: `session.update`, `input_audio_buffer.append` / `commit`, `conversation.item.create`,
`response.create`. Server events understood: `session.created` / `conversation.created` /
`session.updated`, `ping` (ignored), `conversation.item.input_audio_transcription.completed`,
`response.created`, `response.output_audio.delta`, `response.output_audio_transcript.delta`,
`response.output_text.delta` (and the beta `response.audio*` / `response.text.delta` names),
`response.done`, `error`. Indices and `part` fields are never relied on and an empty `usage` is read
as none, so Grok's quirks pass. Turn detection is off (`turn_detection: null`): the session commits
and asks for each response itself. A socket that drops mid-session raises IncompleteSessionError
whose `.partial` is the conversation so far, the interrupted answer included.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..boundary import guarded_error_parser, reading
from ..chat.base import auth_headers, error_from_body
from ..errors import (
    ConfigurationError,
    IncompleteSessionError,
    InvalidParameterError,
    ProviderError,
    ResponseFormatError,
    error_for_status,
)
from ..registry import provider_spec, split_model
from .types import RealtimeEvent, RealtimeTurn

if TYPE_CHECKING:
    from ..client import AsyncClient
    from ..ws import WebSocket

__all__ = ["APPEND_BYTES", "Dialect", "RealtimeSession", "check_pcm16", "dialect_for"]

APPEND_BYTES = 48_000  # one second of 24 kHz PCM16 per input_audio_buffer.append
_DROPPED = object()


@dataclass(frozen=True)
class Dialect:
    """What differs between realtime providers: URL, session shape, voices, rates, known models."""

    provider: str
    default_model: str
    models: tuple[str, ...]
    rates: tuple[int, ...]
    build_session: Any  # (model, voice, instructions, modalities, input_rate, output_rate) -> session dict
    model_in_url: bool = True
    sources: tuple[str, ...] = field(default_factory=tuple)

    def url(self, base_url: str, model: str) -> str:
        """The wss URL: the provider's base with `/realtime`, and `?model=` where the dialect takes it."""
        from ..ws import ws_url

        url = ws_url(base_url, "/realtime")
        return f"{url}?model={model}" if self.model_in_url and model else url


def dialect_for(provider: str) -> Dialect:
    """The dialect for a provider name ('xai' or 'openai')."""
    if provider == "xai":
        from .grok import GROK

        return GROK
    if provider == "openai":
        from .openai import OPENAI_REALTIME

        return OPENAI_REALTIME
    raise ConfigurationError(
        f"{provider} has no realtime voice session here; use 'xai/grok-voice-latest' or 'openai/gpt-realtime'",
        provider=provider,
    )


def check_pcm16(data: Any, rate: int) -> bytes:
    """Refuse audio that is not raw mono PCM16 (the session's input format), naming the fix."""
    from ..audio.sniff import sniff_or_none

    tobytes = getattr(data, "tobytes", None)
    if not isinstance(data, bytes | bytearray | memoryview):
        hint = " (for a numpy array of int16 samples, pass array.tobytes())" if tobytes else ""
        raise InvalidParameterError(
            f"realtime audio must be raw PCM16 bytes, not {type(data).__name__}{hint}"
        )
    data = bytes(data)
    if not data:
        raise InvalidParameterError("the audio chunk is empty; pass PCM16 samples")
    info = sniff_or_none(data)
    if info is not None:
        fix = (
            "Speech.pcm() gives the samples of WAV speech"
            if info.format == "wav"
            else "decode it to PCM16 first"
        )
        raise InvalidParameterError(
            f"the session takes raw mono PCM16 at {rate} Hz, but this chunk is a {info.format} file; {fix}"
        )
    if len(data) % 2:
        raise InvalidParameterError(
            f"PCM16 audio is two bytes per sample; this chunk has an odd length ({len(data)} bytes)"
        )
    return data


def _usage(raw: Any) -> dict[str, Any] | None:
    return raw if isinstance(raw, dict) and raw else None


class RealtimeSession:
    """A realtime voice session. Use `async with`, or `open()` / `close()`."""

    def __init__(
        self,
        client: AsyncClient,
        model: str,
        *,
        voice: str | None = None,
        instructions: str | None = None,
        modalities: tuple[str, ...] | list[str] = ("audio",),
        input_rate: int = 24000,
        output_rate: int = 24000,
        session: dict[str, Any] | None = None,
        timeout: float = 60.0,
    ) -> None:
        from ..audio.voices import realtime_voice

        provider, model_id = split_model(model)
        self.dialect = dialect_for(provider)
        self.provider = provider
        self.model = model_id
        self.notes: list[str] = []
        if model_id not in self.dialect.models:
            self.notes.append(f"{provider}/{model_id} is not a known realtime model; sent as given")
        modalities = tuple(modalities)
        if not modalities or not set(modalities) <= {"audio", "text"}:
            raise InvalidParameterError(f"modalities takes 'audio' and/or 'text', not {modalities!r}")
        for name, rate in (("input_rate", input_rate), ("output_rate", output_rate)):
            if rate not in self.dialect.rates:
                raise InvalidParameterError(
                    f"{provider} realtime audio comes at {', '.join(map(str, self.dialect.rates))} Hz; "
                    f"{name}={rate} is not one of them",
                    provider=provider,
                )
        self.voice = realtime_voice(provider, voice)
        self.instructions = instructions
        self.modalities = modalities
        self.input_rate = input_rate
        self.output_rate = output_rate
        self._session_extra = dict(session or {})
        self.timeout = timeout
        self.client = client
        self.conversation: list[RealtimeTurn] = []
        self.session_info: dict[str, Any] = {}
        self.endpoint = ""
        self.sandbox = client.sandbox
        self._ws: WebSocket | None = None
        self._cm: Any = None
        self._events: asyncio.Queue[Any] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None
        self._current: RealtimeTurn | None = None
        self._asked_at: float | None = None
        self._dropped: Exception | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def open(self) -> RealtimeSession:
        """Connect, configure the session (session.update) and wait until the server confirms it."""
        from ..ws import open_websocket

        spec = provider_spec(self.provider)
        conn = self.client.connection(spec)
        url = self.dialect.url(conn.base_url, self.model)
        self.endpoint = url.split("?", 1)[0]

        def parse(status: int, headers: Any, body: bytes) -> ProviderError:
            return error_from_body(
                self.provider,
                status,
                headers,
                body,
                message=None,
                code=None,
                request_id_header="x-request-id",
            )

        parse_error = guarded_error_parser(parse, self.provider)

        kwargs: dict[str, Any] = (
            {"asgi_app": self.client.sandbox_app}
            if self.client.sandbox
            else {"client": self.client.transport.client}
        )
        self._cm = open_websocket(
            url, provider=self.provider, headers=auth_headers(conn), parse_error=parse_error, **kwargs
        )
        self._ws = await self._cm.__aenter__()
        self._reader = asyncio.create_task(self._read())
        session = self.dialect.build_session(
            model=self.model,
            voice=self.voice,
            instructions=self.instructions,
            modalities=self.modalities,
            input_rate=self.input_rate,
            output_rate=self.output_rate,
        )
        session.update(self._session_extra)
        await self._send({"type": "session.update", "session": session})
        while True:
            event = await self._next()
            if event.kind == "error":
                await self.close()
                raise error_for_status(400)(
                    f"{self.provider} refused the session: {event.text}",
                    provider=self.provider,
                    code=event.code,
                )
            if event.kind == "session" and event.raw_type == "session.updated":
                return self

    async def close(self) -> None:
        """Close the socket (safe to call twice)."""
        if self._cm is not None:
            cm, self._cm = self._cm, None
            await cm.__aexit__(None, None, None)
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):
                pass
            self._reader = None

    async def __aenter__(self) -> RealtimeSession:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- sending ---------------------------------------------------------------------------

    async def _send(self, event: dict[str, Any]) -> None:
        from ..ws import WebSocketDropped

        if self._ws is None:
            raise ConfigurationError(
                "the realtime session is not open; use `async with client.realtime(...)`"
            )
        try:
            await self._ws.send_json(event)
        except WebSocketDropped as exc:
            raise self._incomplete(exc) from exc

    async def send_text(self, text: str, *, respond: bool = True) -> None:
        """Add a user text turn (and ask for a response)."""
        if not isinstance(text, str) or not text.strip():
            raise InvalidParameterError("the text is empty; pass something to say")
        self.conversation.append(RealtimeTurn(role="user", text=text))
        item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
        await self._send({"type": "conversation.item.create", "item": item})
        if respond:
            await self.request_response()

    async def send_audio(self, pcm: Any, *, respond: bool = True) -> None:
        """Add a user audio turn: raw mono PCM16 at the session's input rate, appended, committed, answered."""
        data = check_pcm16(pcm, self.input_rate)
        self.conversation.append(
            RealtimeTurn(role="user", audio=data, sample_rate=self.input_rate, modality="audio")
        )
        step = APPEND_BYTES * self.input_rate // 24000
        for i in range(0, len(data), step):
            await self._send(
                {"type": "input_audio_buffer.append", "audio": base64.b64encode(data[i : i + step]).decode()}
            )
        await self._send({"type": "input_audio_buffer.commit"})
        if respond:
            await self.request_response()

    async def request_response(self) -> None:
        """Ask the model to answer now (`response.create`)."""
        self._asked_at = time.perf_counter()
        await self._send(
            {"type": "response.create", "response": {"output_modalities": list(self.modalities)}}
        )

    # -- receiving -------------------------------------------------------------------------

    async def response(self, timeout: float | None = None) -> RealtimeTurn:
        """Wait for the next finished response and return the assistant's turn."""
        while True:
            event = await self._next(timeout or self.timeout)
            if event.kind == "done" and event.turn is not None:
                return event.turn
            if event.kind == "error":
                raise error_for_status(400)(
                    f"{self.provider}: {event.text}", provider=self.provider, code=event.code
                )

    async def say(self, text: str) -> RealtimeTurn:
        """Send a text turn and wait for the spoken answer."""
        await self.send_text(text)
        return await self.response()

    async def events(self) -> AsyncIterator[RealtimeEvent]:
        """Normalised server events as they arrive (deltas included), until the socket closes."""
        while True:
            try:
                event = await self._next()
            except IncompleteSessionError:
                raise
            yield event

    async def _next(self, timeout: float | None = None) -> RealtimeEvent:
        try:
            item = await asyncio.wait_for(self._events.get(), timeout or self.timeout)
        except TimeoutError:
            raise ProviderError(
                f"{self.provider} sent nothing for {timeout or self.timeout:g} s", provider=self.provider
            ) from None
        if item is _DROPPED:
            self._events.put_nowait(_DROPPED)
            raise self._incomplete(self._dropped) from self._dropped
        assert isinstance(item, RealtimeEvent)
        return item

    def _incomplete(self, exc: Exception | None) -> IncompleteSessionError:
        partial = list(self.conversation)
        if self._current is not None and self._current not in partial:
            partial.append(self._current.model_copy(update={"status": "incomplete"}))
        code = getattr(exc, "code", None)
        heard = sum(len(t.audio) for t in partial if t.role == "assistant")
        return IncompleteSessionError(
            f"the {self.provider} realtime session dropped ({exc}); kept {len(partial)} turns and "
            f"{heard:,} bytes of answer audio, see .partial",
            partial=partial,
            close_code=code,
            provider=self.provider,
        )

    async def _read(self) -> None:
        from ..ws import WebSocketDropped

        assert self._ws is not None
        try:
            while True:
                message = await self._ws.receive()
                if message is None:
                    self._dropped = WebSocketDropped(1000, "the server closed the session")
                    break
                for event in self.receive(message):
                    self._events.put_nowait(event)
        except (WebSocketDropped, ResponseFormatError) as exc:  # a garbled event ends the session too
            self._dropped = exc
        finally:
            self._events.put_nowait(_DROPPED)

    def receive(self, message: str | bytes) -> list[RealtimeEvent]:
        """The events in one message from the socket, read at the codec boundary (binary frames and
        text that is not a JSON object carry none; a garbled event raises ResponseFormatError)."""
        if isinstance(message, bytes):
            return []
        try:
            data = json.loads(message)
        except (ValueError, RecursionError):
            return []
        if not isinstance(data, dict):
            return []
        with reading(self.provider, "a realtime event", message):
            return self._decode(data)

    def _turn(self) -> RealtimeTurn:
        if self._current is None:
            modality = "audio" if "audio" in self.modalities else "text"
            self._current = RealtimeTurn(
                role="assistant", sample_rate=self.output_rate, modality=modality, status="in_progress"
            )
        return self._current

    def _mark_first(self) -> None:
        turn = self._turn()
        if turn.ttfb_s is None and self._asked_at is not None:
            turn.ttfb_s = round(time.perf_counter() - self._asked_at, 4)

    def _decode(self, data: dict[str, Any]) -> list[RealtimeEvent]:
        kind = str(data.get("type", ""))
        if kind in ("session.created", "session.updated", "conversation.created"):
            if isinstance(data.get("session"), dict):
                self.session_info = data["session"]
            return [RealtimeEvent(kind="session", raw_type=kind)]
        if kind == "conversation.item.input_audio_transcription.completed":
            text = str(data.get("transcript") or "")
            for turn in reversed(self.conversation):
                if turn.role == "user" and turn.modality == "audio" and not turn.text:
                    turn.text = text
                    break
            return [RealtimeEvent(kind="user_transcript", text=text, raw_type=kind)]
        if kind == "response.created":
            self._current = None
            self._turn().response_id = (data.get("response") or {}).get("id")
            return []
        if kind in ("response.output_audio_transcript.delta", "response.audio_transcript.delta"):
            self._mark_first()
            delta = str(data.get("delta") or "")
            self._turn().text += delta
            return [RealtimeEvent(kind="transcript", text=delta, raw_type=kind)]
        if kind in ("response.output_text.delta", "response.text.delta"):
            self._mark_first()
            delta = str(data.get("delta") or "")
            self._turn().text += delta
            return [RealtimeEvent(kind="text", text=delta, raw_type=kind)]
        if kind in ("response.output_audio.delta", "response.audio.delta"):
            self._mark_first()
            chunk = base64.b64decode(data.get("delta") or "")
            self._turn().audio += chunk
            return [RealtimeEvent(kind="audio", audio=chunk, raw_type=kind)]
        if kind == "response.done":
            response = data.get("response") or {}
            turn = self._turn()
            if not turn.text:
                turn.text = _output_text(response.get("output") or [])
            turn.status = str(response.get("status") or "completed")
            turn.usage = _usage(response.get("usage"))
            if self._asked_at is not None:
                turn.latency_s = round(time.perf_counter() - self._asked_at, 4)
            turn.response_id = turn.response_id or response.get("id")
            self.conversation.append(turn)
            self._current = None
            return [RealtimeEvent(kind="done", turn=turn, text=turn.text, raw_type=kind)]
        if kind == "error":
            err = data.get("error") or {}
            return [
                RealtimeEvent(
                    kind="error", text=str(err.get("message") or "error"), code=err.get("code"), raw_type=kind
                )
            ]
        return []


def _output_text(output: list[Any]) -> str:
    for item in output:
        for part in (item or {}).get("content") or []:
            text = (part or {}).get("transcript") or (part or {}).get("text")
            if text:
                return str(text)
    return ""
