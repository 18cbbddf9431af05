"""The one place that bridges sync to async.

`ThreadRunner` (the default) runs the async core on its own event loop in a daemon thread. It works
on every Python, leaves a Jupyter kernel's running loop alone (so it never hits "asyncio.run()
cannot be called from a running event loop"), and never re-enters a loop. An interrupt (Ctrl-C, the
kernel's stop button) cancels the coroutine on the background loop and waits for it to unwind, so
no task is left pending and the HTTP connection is closed.

`NestRunner` (`LLMKit(loop="nest")`) instead re-enters the caller's own loop through nest-asyncio2,
the maintained fork of nest-asyncio that ipykernel itself depends on, for code that needs a single loop.
"""

from __future__ import annotations

import _thread
import asyncio
import collections
import concurrent.futures
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, Generic, Protocol, TypeVar

from providers.deprecation import flush as flush_deprecations

__all__ = ["NestRunner", "Runner", "ThreadRunner", "make_runner"]

T = TypeVar("T")
_CANCEL_WAIT_S = 10.0
_POLL_S = 0.1


class Runner(Protocol):
    @property
    def loop(self) -> asyncio.AbstractEventLoop: ...

    def run(self, coro: Coroutine[Any, Any, T], on_idle: Callable[[], None] | None = None) -> T:
        """Run a coroutine to completion from synchronous code (`on_idle` as for `iterate`)."""
        ...

    def iterate(self, agen: AsyncIterator[T], on_idle: Callable[[], None] | None = None) -> Iterator[T]:
        """Iterate an async iterator from synchronous code, item by item as they arrive.

        `on_idle` is called on the caller's thread while waiting (about every 0.1 s), e.g. to let a
        throttled display catch up when the stream pauses.
        """
        ...

    def close(self) -> None: ...


class _Handoff(Generic[T]):
    """A task started on the background loop, and a lock held until it is done."""

    def __init__(self) -> None:
        self.task: asyncio.Task[T] | None = None
        self.done = _thread.allocate_lock()
        self.done.acquire()
        self.finished = False

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the task to end; True once it has."""
        if not self.finished and self.done.acquire(timeout=timeout):
            self.finished = True
        return self.finished


class ThreadRunner:
    """A private event loop on a daemon thread, started on first use."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def main() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                self._thread = threading.Thread(target=main, name="llmkit-loop", daemon=True)
                self._thread.start()
                ready.wait()
                self._loop = loop
            return self._loop

    def _submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run `coro` in the background on this runner's loop (the chat panel's non-blocking calls)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def _start(self, coro: Coroutine[Any, Any, T]) -> _Handoff[T]:
        """Start `coro` as a task on the background loop; the handoff says when it is done.

        A bare lock is the cheapest signal between two threads in CPython (a few microseconds, against
        ~100 for concurrent.futures' condition variables): held until the task ends, then released.
        """
        loop = self.loop
        handoff: _Handoff[T] = _Handoff()

        def start() -> None:
            task = loop.create_task(coro)
            handoff.task = task
            task.add_done_callback(lambda _: handoff.done.release())

        loop.call_soon_threadsafe(start)
        return handoff

    def _cancel(self, handoff: _Handoff[Any]) -> None:
        """Cancel the task (from the caller's thread) and wait for it to unwind."""

        def cancel() -> None:
            if handoff.task is not None:  # (start ran first: callbacks run in the order they came)
                handoff.task.cancel()

        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(cancel)
            handoff.wait(_CANCEL_WAIT_S)

    def run(self, coro: Coroutine[Any, Any, T], on_idle: Callable[[], None] | None = None) -> T:
        if self._thread is not None and threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError(
                "LLMKit's sync methods cannot be called from its own event loop; use the async client"
            )
        handoff = self._start(coro)
        try:
            while not handoff.wait(_POLL_S):  # short waits, so an interrupt is seen at once everywhere
                if on_idle is not None:
                    on_idle()
        except BaseException:
            if not handoff.finished:
                self._cancel(handoff)
            raise
        finally:
            flush_deprecations()  # old names used on the loop thread warn here, at the caller's line
        assert handoff.task is not None
        return handoff.task.result()

    def iterate(self, agen: AsyncIterator[T], on_idle: Callable[[], None] | None = None) -> Iterator[T]:
        # items go through a deque; the signal lock is released when something arrives and the caller
        # may be waiting, so a fast stream costs an append per item, not a wake-up per item
        items: collections.deque[tuple[str, Any]] = collections.deque()
        signal = _thread.allocate_lock()
        signal.acquire()

        def put(kind: str, value: Any) -> None:
            items.append((kind, value))
            if signal.locked():
                with contextlib.suppress(RuntimeError):  # (released already: the caller will look)
                    signal.release()

        async def pump() -> None:
            try:
                async for item in agen:
                    put("item", item)
            except BaseException as exc:  # handed to the caller's thread, re-raised there
                put("error", exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise
            else:
                put("end", None)
            finally:
                aclose = getattr(agen, "aclose", None)
                if aclose is not None:
                    with contextlib.suppress(Exception):
                        await aclose()

        handoff = self._start(pump())
        try:
            while True:
                while items:
                    kind, value = items.popleft()
                    if kind == "item":
                        yield value
                    elif kind == "error":
                        raise value
                    else:
                        return
                if not signal.acquire(timeout=_POLL_S) and on_idle is not None:
                    on_idle()
        finally:
            if not handoff.finished:
                self._cancel(handoff)
            flush_deprecations()

    def close(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=5)
            loop.close()


class NestRunner:
    """Re-enter the caller's event loop (the kernel's, in Jupyter) through nest-asyncio2."""

    def __init__(self) -> None:
        import nest_asyncio2

        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = asyncio.new_event_loop()
        nest_asyncio2.apply(self._loop)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def _drive(self, coro: Coroutine[Any, Any, T]) -> T:
        task = self._loop.create_task(coro)
        try:
            return self._loop.run_until_complete(task)
        except BaseException:
            if not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    self._loop.run_until_complete(task)
            raise

    def run(self, coro: Coroutine[Any, Any, T], on_idle: Callable[[], None] | None = None) -> T:
        if on_idle is None:
            return self._drive(coro)
        return self._drive(_with_idle(coro, on_idle))

    def iterate(self, agen: AsyncIterator[T], on_idle: Callable[[], None] | None = None) -> Iterator[T]:
        try:
            while True:
                try:
                    item = self._drive(_next(agen))
                except StopAsyncIteration:
                    return
                yield item
        finally:
            aclose = getattr(agen, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(BaseException):
                    self._drive(aclose())

    def close(self) -> None:
        pass


async def _with_idle(coro: Coroutine[Any, Any, T], on_idle: Callable[[], None]) -> T:
    """Await `coro`, calling `on_idle` about every 0.1 s meanwhile (on this, the caller's, thread)."""
    task = asyncio.ensure_future(coro)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=_POLL_S)
            if done:
                return task.result()
            on_idle()
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


async def _next(agen: AsyncIterator[T]) -> T:
    return await agen.__anext__()


def make_runner(kind: str) -> Runner:
    """'thread' (default) or 'nest'."""
    if kind == "thread":
        return ThreadRunner()
    if kind == "nest":
        return NestRunner()
    from providers.errors import ConfigurationError

    raise ConfigurationError(f"loop= takes 'thread' (default) or 'nest', not {kind!r}")
