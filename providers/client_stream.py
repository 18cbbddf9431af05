"""The streamed calls of `AsyncClient`: `stream()` and the driver that turns a provider's server-sent
events into TextDelta / ThinkingDelta / ToolCallDelta events and a final Done, kept apart from the
whole-answer calls in providers/client.py.

A stream cut short -- by an error event, a lost connection or a missing final event -- raises
IncompleteStreamError whose `.partial` keeps what arrived.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

import httpx2

from .boundary import reading
from .errors import IncompleteStreamError, ProviderError, ResponseFormatError
from .tool_loop import DEFAULT_MAX_STEPS
from .types import ChatResult, Done, StreamEvent

if TYPE_CHECKING:
    from .cache import CacheMode
    from .client import AsyncClient, Prepared

__all__ = ["StreamCalls"]


def _kept(result: ChatResult) -> str:
    return f"kept {len(result.text)} answer and {len(result.reasoning)} reasoning characters; see .partial"


class _LazyStream:
    """The iterator `AsyncClient.stream` returns: it starts the stream on the first `__anext__` and then
    hands each step straight to it (a generator wrapping a generator would cost a hop per event)."""

    __slots__ = ("_inner", "_start")

    def __init__(self, start: Callable[[], AsyncIterator[StreamEvent]]) -> None:
        self._start: Callable[[], AsyncIterator[StreamEvent]] | None = start
        self._inner: AsyncIterator[StreamEvent] | None = None

    def __aiter__(self) -> _LazyStream:
        return self

    def __anext__(self) -> Awaitable[StreamEvent]:
        if self._inner is None:
            if self._start is None:
                raise RuntimeError("this stream was closed before it started")
            start, self._start = self._start, None
            self._inner = start()
        return self._inner.__anext__()

    async def aclose(self) -> None:
        """Close the stream (and its connection) if it started."""
        self._start = None
        aclose = getattr(self._inner, "aclose", None)
        if aclose is not None:
            await aclose()


class StreamCalls:
    """Streaming chat: every event as it arrives, then Done with the whole result."""

    def _client(self) -> AsyncClient:
        return cast("AsyncClient", self)  # this mixin only ever lives inside AsyncClient

    def stream(
        self,
        model: str,
        prompt: Any,
        *,
        tools: Any = None,
        max_steps: int = DEFAULT_MAX_STEPS,
        run_tools: bool = True,
        output: Any = None,
        **kwargs: Any,
    ) -> AsyncIterator[StreamEvent]:
        """Stream a chat call: TextDelta / ThinkingDelta / ToolCallDelta events as they arrive, then Done.

        With tools= the loop streams every turn, with StepDone after each and ToolResultEvent per call.
        A stream cut short raises IncompleteStreamError whose `.partial` keeps what arrived.
        Nothing is checked or sent until the first event is asked for.
        """

        def start() -> AsyncIterator[StreamEvent]:
            if tools is None and output is None:
                kwargs.pop("stream", None)
                cache = kwargs.pop("cache", None)
                return self._stream(self._client().prepare(model, prompt, stream=True, **kwargs), cache=cache)
            run = self._client().tool_run(
                model, prompt, tools=tools, max_steps=max_steps, run_tools=run_tools, output=output, **kwargs
            )
            return run.stream()

        return _LazyStream(start)

    async def _stream_one(self, model: str, prompt: Any, **kwargs: Any) -> AsyncIterator[StreamEvent]:
        """One streamed request (the tool loop calls this for each turn)."""
        kwargs.pop("stream", None)
        cache = kwargs.pop("cache", None)
        prep = self._client().prepare(model, prompt, stream=True, **kwargs)
        async for event in self._stream(prep, cache=cache):
            yield event

    async def _stream(self, prep: Prepared, *, cache: CacheMode = None) -> AsyncIterator[StreamEvent]:
        client = self._client()
        started = time.perf_counter()
        decoder = prep.codec.decoder(prep.request)
        call = await client._authorize(prep)
        name = prep.spec.name
        async with client.transport.stream(
            call,
            provider=name,
            parse_error=client._error_parser(prep),
            cache=client._cache_mode(cache),
            scope=client._cache_scope,
        ) as sse:
            request_id = sse.response.headers.get(prep.request_id_header)
            status = sse.response.status_code

            def partial(note: str) -> ChatResult:
                try:
                    with reading(name, "a stream", "", status=status, request_id=request_id):
                        result = decoder.result().model_copy(update={"incomplete": True})
                except ResponseFormatError as exc:  # what arrived cannot be put together: keep the why
                    result = ChatResult(provider=name, model=prep.request.model, incomplete=True)
                    note = f"{note}; what arrived could not be read ({exc.message})"
                result = client._finish(
                    prep, result, url=sse.url, started=started, retries=sse.retries, request_id=request_id
                )
                return result.model_copy(update={"notes": [*result.notes, note]})

            feed, reads_to_end = decoder.feed, getattr(decoder, "reads_to_end", False)
            try:
                async for event in sse.events():
                    kind = event.event
                    if kind == "ping":
                        continue
                    try:
                        deltas = feed(kind, event.data)
                    except Exception:
                        # the codec boundary, entered only on the way out (one event per token: the
                        # happy path pays nothing): a foreign exception becomes a ResponseFormatError
                        where = f"a stream event {kind!r}" if kind else "a stream event"
                        with reading(name, where, event.data, status=status, request_id=request_id):
                            raise
                    for delta in deltas:
                        yield delta
                    if decoder.done and not reads_to_end:
                        break  # (a stream whose end is the body's end, like Gemini's, is read to the end)
                if decoder.done:
                    # read the body's end so the connection returns to the pool (else: one per stream)
                    await sse.drain()
            except ProviderError as exc:
                cut = partial(f"stream ended by an error: {exc.message}")
                raise IncompleteStreamError(
                    f"the {name} stream failed ({_kept(cut)}): {exc.message}",
                    partial=cut,
                    provider=name,
                    status=exc.status,
                    request_id=request_id,
                ) from exc
            except (httpx2.TransportError, httpx2.SSEError) as exc:
                cut = partial(f"connection lost: {exc}")
                raise IncompleteStreamError(
                    f"the {name} stream was cut short ({_kept(cut)}): {exc}",
                    partial=cut,
                    provider=name,
                    request_id=request_id,
                ) from exc
            if not decoder.done:
                cut = partial("the stream ended without its final event")
                raise IncompleteStreamError(
                    f"the {name} stream ended early ({_kept(cut)})",
                    partial=cut,
                    provider=name,
                    request_id=request_id,
                )
            with reading(name, "a stream", "", status=status, request_id=request_id):
                result = decoder.result()
            result = client._finish(
                prep,
                result,
                url=sse.url,
                started=started,
                retries=sse.retries,
                request_id=request_id,
                cached=sse.cached,
            )
            sse.complete()  # a whole stream: the cache (if asked) may keep it
        yield Done(result=result)
