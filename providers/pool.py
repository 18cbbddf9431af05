"""One HTTP client per event loop, so one AsyncClient works across several `asyncio.run(...)` calls.

An httpx2.AsyncClient's pooled connections belong to the event loop that opened them: used from a
later loop they fail with "RuntimeError: Event loop is closed". So the AsyncClient keeps one
Transport per running loop. A client it created itself is made on first use in a loop and closed
when that loop shuts down: `asyncio.run` (and `asyncio.Runner`, pytest-asyncio, anyio) closes every
async generator started on the loop before closing the loop, and a small one held here does the
closing, on the loop its connections belong to. A client passed in (`http_client=`) is its owner's
and is never replaced: while the loop it was first used on is alive (its pooled connections keep it
so), a call from another loop gets a ConfigurationError that says what to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx2

from .errors import ConfigurationError
from .transport import RetryPolicy, Transport

if TYPE_CHECKING:
    from .cache import ResponseCache

__all__ = ["LoopTransports"]


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


@dataclass
class _Bound:
    transport: Transport
    closer: AsyncGenerator[None, None] | None  # the generator that closes the client at loop shutdown


async def _close_at_shutdown(
    loop: asyncio.AbstractEventLoop, client: httpx2.AsyncClient
) -> AsyncGenerator[None, None]:
    """Suspended at its yield until `loop` shuts down and closes it; then closes the HTTP client there."""
    try:
        yield
    finally:
        if _running_loop() is loop and not loop.is_closed():
            await client.aclose()
        # (run anywhere else -- its loop closed without shutting its generators down -- it only ends:
        # the connections cannot be closed without their loop, and are left to the garbage collector)


def _start(agen: AsyncGenerator[None, None]) -> None:
    """Run an async generator to its first yield, now: the running loop then owns its finalization.

    (Calling `asend` registers it with the running loop's async-generator hooks; its body does
    nothing that awaits before the yield, so one `send` reaches it and ends in StopIteration.)
    """
    with contextlib.suppress(StopIteration):
        agen.asend(None).send(None)


def _finish(agen: AsyncGenerator[None, None]) -> None:
    """End a closer whose loop is gone, without a loop (its finally does not await then)."""
    with contextlib.suppress(StopIteration, RuntimeError, StopAsyncIteration):
        agen.aclose().send(None)


class LoopTransports:
    """The Transport for the running event loop: one per loop for clients made here, one loop for an injected one."""

    def __init__(
        self,
        make_client: Callable[[], httpx2.AsyncClient],
        *,
        injected: httpx2.AsyncClient | None,
        policy: RetryPolicy,
        cache: ResponseCache | None = None,
    ) -> None:
        self._make_client = make_client
        self._cache = cache  # (one response cache for every loop's transport)
        self._injected = injected
        self._policy = policy
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Bound] = (
            weakref.WeakKeyDictionary()
        )
        self._loopless: Transport | None = None  # (asked for outside any running loop)
        self._injected_loop: weakref.ref[asyncio.AbstractEventLoop] | None = None

    @property
    def injected(self) -> bool:
        """Whether the HTTP client was passed in (http_client=) rather than made here."""
        return self._injected is not None

    def get(self) -> Transport:
        """The transport to use on the running loop, made on first use there."""
        loop = _running_loop()
        if loop is None:
            if self._loopless is None:
                self._loopless = Transport(
                    self._injected or self._make_client(), policy=self._policy, cache=self._cache
                )
            return self._loopless
        bound = self._by_loop.get(loop)
        if bound is not None:
            return bound.transport
        self._forget_closed_loops()
        if self._injected is not None:
            self._check_injected_loop(loop)
            bound = _Bound(Transport(self._injected, policy=self._policy, cache=self._cache), None)
        else:
            client = self._make_client()
            closer = _close_at_shutdown(loop, client)
            _start(closer)
            bound = _Bound(Transport(client, policy=self._policy, cache=self._cache), closer)
        self._by_loop[loop] = bound
        return bound.transport

    def _check_injected_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        first = self._injected_loop() if self._injected_loop is not None else None
        if first is None:  # first use (or its first loop is gone, and with it any connection of that loop)
            self._injected_loop = weakref.ref(loop)
        elif first is not loop:
            raise ConfigurationError(
                "this AsyncClient was given http_client=..., which was first used in another event loop "
                "(e.g. an earlier asyncio.run): an httpx2.AsyncClient's connections belong to the loop "
                "that opened them. Create the httpx2.AsyncClient and the AsyncClient inside the same "
                "asyncio.run(...), or leave out http_client= and the AsyncClient opens one for each loop"
            )

    def _forget_closed_loops(self) -> None:
        for loop, bound in list(self._by_loop.items()):
            if loop.is_closed():
                del self._by_loop[loop]
                if bound.closer is not None:
                    _finish(bound.closer)

    async def aclose(self) -> None:
        """Close the client made for the running loop (an injected one is left to its owner)."""
        loop = _running_loop()
        bound = self._by_loop.pop(loop, None) if loop is not None else None
        if bound is not None and bound.closer is not None:
            await bound.closer.aclose()  # its finally closes the client, on this loop
        if self._loopless is not None and self._injected is None:
            await self._loopless.client.aclose()
        self._loopless = None
        self._forget_closed_loops()
