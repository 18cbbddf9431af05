"""Speech calls end to end: check and build (`prepare_*`, no I/O), then send (`run_*`, through the transport).

Preparation happens on the caller's thread, so a bad argument -- empty text, an unknown voice, an
unsupported format or sample rate, unreadable audio -- raises before anything is sent, and a
DeprecationWarning for an old option name points at the caller's line. Sending goes through the
shared transport (retries, typed errors); live transcription goes over `providers/ws.py`.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..boundary import guarded_error_parser, reading
from ..chat.base import Connection
from ..errors import (
    ConfigurationError,
    IncompleteSessionError,
    InvalidParameterError,
    ProviderError,
    StreamError,
)
from ..registry import (
    ModelInfo,
    ProviderSpec,
    codec_for,
    lookup_model,
    provider_spec,
    retired_message,
    split_model,
)
from ..types import HttpCall
from ..urls import safe_url
from .formats import OutputFormat
from .options import warn_renamed
from .sniff import sniff, sniff_or_none
from .source import AudioInput, load_audio
from .types import AudioChunk, Latency, LiveResult, Speech, SpeechDone, SpeechEvent, Transcript, plan_latency
from .voices import elevenlabs_voice

if TYPE_CHECKING:
    from ..client import AsyncClient

__all__ = [
    "LivePlan",
    "SpeechPlan",
    "TranscriptionPlan",
    "live_message",
    "prepare_live",
    "prepare_speech",
    "prepare_transcription",
    "run_live",
    "run_speech",
    "run_speech_stream",
    "run_transcription",
]

NOTE_HEADER = "x-llmkit-sandbox-note"
LIVE_CHUNK_BYTES = 8192
KEEPALIVE_S = 4.0  # Deepgram closes an idle live socket after about 10 s (wire/media.md 1.3)


def _model_notes(provider: str, info: ModelInfo) -> list[str]:
    if not info.known:
        return [f"{provider}/{info.id} is not in the catalog: sent as given"]
    if info.status == "retired":  # (only with allow_retired=True)
        return [f"{retired_message(info)}; sent anyway (allow_retired)"]
    if info.status in ("legacy", "deprecated"):
        successor = f"; consider {provider}/{info.successor}" if info.successor else ""
        return [f"{provider}/{info.id} is {info.status}{successor}"]
    return []


def _spec_for(
    model: str, modality: str, example: str, *, allow_retired: bool = False
) -> tuple[ProviderSpec, str, ModelInfo]:
    provider, model_id = split_model(model)
    spec = provider_spec(provider)
    if modality not in spec.modalities:
        what = {"stt": "transcribe speech", "tts": "synthesize speech"}[modality]
        raise ConfigurationError(f"{provider} does not {what}; use e.g. model={example!r}", provider=provider)
    return spec, model_id, lookup_model(provider, model_id, allow_retired=allow_retired)


def connection_for(
    client: AsyncClient, spec: ProviderSpec, region: str | None, info: ModelInfo | None = None
) -> Connection:
    """The client's connection for a provider: its region (call > LLMKit(region=) > <NAME>_REGION > default)
    and residency policy are the client's (providers/regions.py), so a refused region raises here."""
    return client.connection(spec, region=region, info=info)


def _error_parser(codec: Any, provider: str) -> Any:
    def parse(status: int, headers: Any, body: bytes) -> ProviderError:
        error: ProviderError = codec.parse_error(provider, status, headers, body)
        return error

    header = getattr(codec, "request_id_header", "x-request-id")
    return guarded_error_parser(parse, provider, request_id_header=header)


# -- transcription ------------------------------------------------------------------------------


@dataclass
class TranscriptionPlan:
    """A transcription ready to send."""

    provider: str
    model: str
    codec: Any
    call: HttpCall
    audio: AudioInput
    notes: list[str] = field(default_factory=list)


def prepare_transcription(
    client: AsyncClient, audio: Any, *, model: str, **options: Any
) -> TranscriptionPlan:
    """Check a transcription and build its request; raises before sending for any bad input."""
    spec, model_id, info = _spec_for(model, "stt", "deepgram/nova-3", allow_retired=client.allow_retired)
    region = options.pop("region", None)
    codec = codec_for(spec)
    notes = _model_notes(spec.name, info)
    if spec.name == "deepgram":
        opts, more = codec.listen_options(model_id, options)
        notes += more
        source = load_audio(audio, raw=opts.get("encoding") is not None, provider=spec.name)
    else:
        if "model_id" in options:
            notes.append(warn_renamed("model_id", "model='elevenlabs/<model id>'", provider=spec.name))
            model_id = options.pop("model_id")
        opts = options
        source = load_audio(audio, provider=spec.name)
    notes += list(source.notes)
    call = codec.transcribe_call(source, model_id, opts, connection_for(client, spec, region, info))
    return TranscriptionPlan(spec.name, model_id, codec, call, source, notes)


async def run_transcription(client: AsyncClient, plan: TranscriptionPlan) -> Transcript:
    """Send a prepared transcription and parse the answer."""
    started = time.perf_counter()
    reply = await client.transport.send(
        plan.call, provider=plan.provider, parse_error=_error_parser(plan.codec, plan.provider)
    )
    request_id = reply.headers.get(plan.codec.request_id_header)
    with reading(
        plan.provider, "a transcription reply", reply.body, status=reply.status, request_id=request_id
    ) as boundary:
        payload = boundary.json_object(reply.json())
        transcript: Transcript = plan.codec.parse_transcript(payload, model=plan.model)
    notes = [*plan.notes, *transcript.notes]
    if reply.headers.get(NOTE_HEADER):
        notes.append(f"sandbox: {reply.headers[NOTE_HEADER]}")
    return transcript.model_copy(
        update={
            "endpoint": safe_url(reply.url),
            "latency_s": round(time.perf_counter() - started, 4),
            "sandbox": client.sandbox,
            "request_id": request_id or transcript.request_id,
            "sent": plan.call.sent,
            "notes": notes,
        }
    )


# -- speech -------------------------------------------------------------------------------------


@dataclass
class SpeechPlan:
    """A speech request ready to send."""

    provider: str
    model: str
    codec: Any
    call: HttpCall
    fmt: OutputFormat
    text: str
    voice: str
    voice_id: str
    latency: Latency | None
    stream: bool
    notes: list[str] = field(default_factory=list)


def prepare_speech(
    client: AsyncClient,
    text: Any,
    *,
    model: str,
    voice: str | None = None,
    latency: Any = None,
    output_format: str | None = None,
    stream: bool = False,
    **options: Any,
) -> SpeechPlan:
    """Check a speech request and build it; raises before sending for any bad input."""
    if not isinstance(text, str):
        raise InvalidParameterError(f"text must be a string, not {type(text).__name__}")
    if not text.strip():
        raise InvalidParameterError("the text is empty; pass something to say")
    if "model_id" in options:
        provider_name = model.partition("/")[0]
        warn_renamed("model_id", "model='<provider>/<model id>'", provider=provider_name)
        model = f"{provider_name}/{options.pop('model_id')}"
    spec, model_id, info = _spec_for(
        model, "tts", "elevenlabs/eleven_flash_v2_5", allow_retired=client.allow_retired
    )
    notes = _model_notes(spec.name, info)
    if "optimize_streaming_latency" in options:
        level = options.pop("optimize_streaming_latency")
        notes.append(
            warn_renamed("optimize_streaming_latency", "latency= (a Latency tier)", provider=spec.name)
        )
        latency = level if latency is None else latency
    if "voice_id" in options:
        notes.append(warn_renamed("voice_id", "voice=", provider=spec.name))
        voice = options.pop("voice_id") if voice is None else voice
    region = options.pop("region", None)
    tier = Latency.coerce(latency)
    renamed = plan_latency(latency)
    if renamed is not None:
        notes.append(renamed[1])
    conn = connection_for(client, spec, region, info)
    codec = codec_for(spec)
    if spec.name == "deepgram":
        if tier is not None:
            raise InvalidParameterError(
                "Deepgram has no latency tiers (its audio streams from the first byte); leave latency unset",
                provider="deepgram",
            )
        call, voice_name, fmt = codec.speak_call(
            text, model=model_id, voice=voice, output_format=output_format, options=options, conn=conn
        )
        return SpeechPlan(
            spec.name, model_id, codec, call, fmt, text, voice_name, call.sent["model"], None, stream, notes
        )
    voice_name, voice_id = elevenlabs_voice(voice)
    call, fmt, more = codec.speak_call(
        text,
        model=model_id,
        voice_id=voice_id,
        output_format=output_format,
        latency=tier,
        options=options,
        conn=conn,
        stream=stream,
    )
    return SpeechPlan(
        spec.name, model_id, codec, call, fmt, text, voice_name, voice_id, tier, stream, notes + more
    )


def _describe_audio(data: bytes, fmt: OutputFormat) -> tuple[str, str, int | None, float | None, list[str]]:
    """(format, media type, sample rate, duration, notes) of returned audio, read from the bytes where possible."""
    info = sniff_or_none(data)
    notes: list[str] = []
    if info is None:
        if fmt.raw:
            rate = fmt.bytes_per_second
            duration = round(len(data) / rate, 3) if rate else None
            return fmt.codec, fmt.media_type, fmt.sample_rate, duration, notes
        notes.append(f"the audio bytes have no recognisable {fmt.codec} header; kept as sent")
        return fmt.codec, fmt.media_type, fmt.sample_rate, None, notes
    asked = {"pcm": "wav", "opus": "ogg"}.get(fmt.codec, fmt.codec)
    if info.format != asked and not (fmt.raw and info.format == "wav"):
        notes.append(f"asked for {fmt.name}; the bytes are {info.format}")
    duration = info.duration
    if duration is None and fmt.kbps and info.format == fmt.codec:
        duration = round(len(data) * 8 / (fmt.kbps * 1000), 3)
        notes.append(f"duration estimated from the nominal {fmt.kbps} kbps")
    rate = info.sample_rate or fmt.sample_rate
    return info.format, info.media_type, rate, duration, notes


async def run_speech_stream(client: AsyncClient, plan: SpeechPlan) -> AsyncIterator[SpeechEvent]:
    """Send a speech request; yield AudioChunk events as bytes arrive, then SpeechDone(speech)."""
    import httpx2

    started = time.perf_counter()
    chunks: list[bytes] = []
    first: float | None = None
    async with client.transport.stream(
        plan.call, provider=plan.provider, parse_error=_error_parser(plan.codec, plan.provider)
    ) as opened:
        response = opened.response
        request_id = response.headers.get(plan.codec.request_id_header)
        try:
            async for data in response.aiter_bytes():
                if not data:
                    continue
                now = time.perf_counter() - started
                first = now if first is None else first
                chunks.append(data)
                yield AudioChunk(data=data, index=len(chunks) - 1, elapsed_s=round(now, 4))
        except httpx2.TransportError as exc:
            got = b"".join(chunks)
            partial = _speech(
                client,
                plan,
                got,
                first,
                started,
                request_id,
                response,
                opened.url,
                ["cut short"],
                len(chunks),
            )
            raise IncompleteSessionError(
                f"the {plan.provider} audio stream was cut short after {len(got):,} bytes: {exc}",
                partial=partial,
                provider=plan.provider,
                request_id=request_id,
            ) from exc
        audio = b"".join(chunks)
        if not audio:
            raise StreamError(
                f"{plan.provider} answered with no audio", provider=plan.provider, request_id=request_id
            )
        notes = [f"sandbox: {response.headers[NOTE_HEADER]}"] if response.headers.get(NOTE_HEADER) else []
        speech = _speech(
            client, plan, audio, first, started, request_id, response, opened.url, notes, len(chunks)
        )
    yield SpeechDone(speech=speech)


def _speech(
    client: AsyncClient,
    plan: SpeechPlan,
    audio: bytes,
    first: float | None,
    started: float,
    request_id: str | None,
    response: Any,
    url: str,
    extra: list[str],
    chunks: int,
) -> Speech:
    fmt_name, media, rate, duration, notes = (
        _describe_audio(audio, plan.fmt) if audio else (plan.fmt.codec, plan.fmt.media_type, None, None, [])
    )
    if any(n.startswith("sandbox:") for n in extra):  # the sandbox's own note already says what came back
        notes = [n for n in notes if not n.startswith("asked for")]
    return Speech(
        audio=audio,
        format=fmt_name,
        media_type=media,
        sample_rate=rate,
        duration=duration,
        text=plan.text,
        voice=plan.voice,
        voice_id=plan.voice_id,
        model=plan.model,
        provider=plan.provider,
        output_format=plan.fmt.name,
        latency=plan.latency,
        ttfb_s=round(first, 4) if first is not None else None,
        latency_s=round(time.perf_counter() - started, 4),
        streamed=plan.stream,
        chunks=chunks,
        endpoint=safe_url(url),
        sandbox=client.sandbox,
        request_id=request_id,
        sent=plan.call.sent,
        notes=[*plan.notes, *notes, *extra],
    )


async def run_speech(client: AsyncClient, plan: SpeechPlan) -> Speech:
    """Send a speech request and return the whole Speech (time to first byte measured all the same)."""
    async for event in run_speech_stream(client, plan):
        if isinstance(event, SpeechDone):
            return event.speech
    raise StreamError("the speech stream ended without a result", provider=plan.provider)  # pragma: no cover


# -- live transcription -------------------------------------------------------------------------


@dataclass
class LivePlan:
    """A live transcription ready to connect: URL, headers, and the audio source (first chunk checked)."""

    provider: str
    model: str
    codec: Any
    url: str
    headers: dict[str, str]
    first: bytes
    rest: Any
    notes: list[str] = field(default_factory=list)


def _split(data: bytes) -> list[bytes]:
    return [data[i : i + LIVE_CHUNK_BYTES] for i in range(0, len(data), LIVE_CHUNK_BYTES)]


def prepare_live(
    client: AsyncClient, chunks: Any, *, model: str = "deepgram/nova-3", **options: Any
) -> LivePlan:
    """Check a live transcription: Deepgram only; the first chunk must be audio (or raw with encoding)."""
    spec, model_id, info = _spec_for(model, "stt", "deepgram/nova-3", allow_retired=client.allow_retired)
    if spec.name != "deepgram":
        raise ConfigurationError(
            f"live transcription here is Deepgram's (wss://.../v1/listen); {spec.name} is transcribe-only: "
            "use model='deepgram/nova-3'",
            provider=spec.name,
        )
    region = options.pop("region", None)
    codec = codec_for(spec)
    opts, notes = codec.listen_options(model_id, options, live=True)
    notes = _model_notes(spec.name, info) + notes
    if isinstance(chunks, bytes | bytearray | memoryview):
        pieces: Any = _split(bytes(chunks))
    elif isinstance(chunks, str) or hasattr(chunks, "read"):
        pieces = _split(load_audio(chunks, raw=opts.get("encoding") is not None).data or b"")
    else:
        speech_audio = getattr(chunks, "audio", None)
        pieces = _split(speech_audio) if isinstance(speech_audio, bytes) else chunks
    first = b""
    rest: Any = pieces
    if not isinstance(pieces, AsyncIterable):
        iterator = iter(pieces)
        for item in iterator:
            first = _chunk_bytes(item)
            if first:
                break
        if not first:
            raise InvalidParameterError("no audio: the chunks were empty")
        if opts.get("encoding") is None:
            sniff(first, what="the first audio chunk")
        rest = iterator
    url, headers = codec.live_url(connection_for(client, spec, region, info), model_id, opts)
    return LivePlan(spec.name, model_id, codec, url, headers, first, rest, notes)


def _chunk_bytes(item: Any) -> bytes:
    if isinstance(item, bytes | bytearray | memoryview):
        return bytes(item)
    raise InvalidParameterError(f"live audio chunks must be bytes, not {type(item).__name__}")


_END = object()


async def _send_audio(ws: Any, plan: LivePlan) -> None:
    """Send the chunks as binary frames (a KeepAlive while the source is quiet), then CloseStream.

    A plain iterator is read in a worker thread, so a source that blocks (a microphone) never stalls
    the event loop; the pending read is never cancelled by a KeepAlive, only waited on again.
    """
    import asyncio

    if plan.first:
        await ws.send_bytes(plan.first)
    fetch: Any
    if isinstance(plan.rest, AsyncIterable):
        source = plan.rest.__aiter__()

        async def fetch() -> Any:
            try:
                return await source.__anext__()
            except StopAsyncIteration:
                return _END

    else:
        iterator = iter(plan.rest) if isinstance(plan.rest, Iterable) else iter(())

        def fetch() -> Any:
            return asyncio.to_thread(next, iterator, _END)

    while True:
        pending = asyncio.ensure_future(fetch())
        try:
            while not (await asyncio.wait({pending}, timeout=KEEPALIVE_S))[0]:
                await ws.send_text(plan.codec.keep_alive())
        finally:
            if not pending.done():
                pending.cancel()
        item = pending.result()
        if item is _END:
            break
        data = _chunk_bytes(item)
        if data:
            await ws.send_bytes(data)
    await ws.send_text(plan.codec.close_stream())


def live_message(plan: LivePlan, message: str | bytes) -> LiveResult | None:
    """One message from the live socket, read at the codec boundary: a LiveResult, None for what
    carries no result (binary frames, text that is not JSON, metadata), or the provider's error raised."""
    if isinstance(message, bytes):
        return None
    try:
        data = json.loads(message)
    except (ValueError, RecursionError):
        return None
    with reading(plan.provider, "a live transcription message", message):
        parsed = plan.codec.parse_live(data) if isinstance(data, dict) else None
    if isinstance(parsed, ProviderError):
        raise parsed
    return parsed if isinstance(parsed, LiveResult) else None


async def run_live(client: AsyncClient, plan: LivePlan) -> AsyncIterator[LiveResult]:
    """Stream the audio over the live socket; yield interim and final results as they come."""
    import asyncio

    from ..ws import WebSocketDropped, open_websocket

    received: list[LiveResult] = []
    kwargs: dict[str, Any] = (
        {"asgi_app": client.sandbox_app} if client.sandbox else {"client": client.transport.client}
    )
    async with open_websocket(
        plan.url,
        provider=plan.provider,
        headers=plan.headers,
        parse_error=_error_parser(plan.codec, plan.provider),
        **kwargs,
    ) as ws:
        sender = asyncio.create_task(_send_audio(ws, plan))
        try:
            while True:
                try:
                    message = await ws.receive()
                except WebSocketDropped as exc:
                    if (
                        sender.done()
                        and sender.exception() is not None
                        and not isinstance(sender.exception(), WebSocketDropped)
                    ):
                        raise sender.exception() from exc  # type: ignore[misc]
                    raise IncompleteSessionError(
                        f"the {plan.provider} live session dropped ({exc}); kept {len(received)} results, see .partial",
                        partial=list(received),
                        close_code=exc.code,
                        provider=plan.provider,
                    ) from exc
                if message is None:
                    break
                parsed = live_message(plan, message)
                if isinstance(parsed, LiveResult):
                    result = parsed.model_copy(update={"sandbox": client.sandbox})
                    received.append(result)
                    yield result
            if sender.done() and sender.exception() is not None:
                raise sender.exception()  # type: ignore[misc]
        finally:
            if not sender.done():
                sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender
