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

import asyncio
import concurrent.futures
import contextlib
import queue
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, Protocol, TypeVar

__all__ = ["NestRunner", "Runner", "ThreadRunner", "make_runner"]

T = TypeVar("T")
_CANCEL_WAIT_S = 10.0
_POLL_S = 0.1


class Runner(Protocol):
    @property
    def loop(self) -> asyncio.AbstractEventLoop: ...

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine to completion from synchronous code."""
        ...

    def iterate(self, agen: AsyncIterator[T], on_idle: Callable[[], None] | None = None) -> Iterator[T]:
        """Iterate an async iterator from synchronous code, item by item as they arrive.

        `on_idle` is called on the caller's thread while waiting (about every 0.1 s), e.g. to let a
        throttled display catch up when the stream pauses.
        """
        ...

    def close(self) -> None: ...


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

    def _submit(self, coro: Coroutine[Any, Any, T]) -> tuple[concurrent.futures.Future[T], threading.Event]:
        finished = threading.Event()

        async def guarded() -> T:
            try:
                return await coro
            finally:
                finished.set()

        return asyncio.run_coroutine_threadsafe(guarded(), self.loop), finished

    def _cancel(self, future: concurrent.futures.Future[Any], finished: threading.Event) -> None:
        future.cancel()
        finished.wait(_CANCEL_WAIT_S)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._thread is not None and threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError(
                "LLMKit's sync methods cannot be called from its own event loop; use the async client"
            )
        future, finished = self._submit(coro)
        try:
            while True:  # short waits, so an interrupt is seen at once on every platform
                try:
                    return future.result(timeout=_POLL_S)
                except concurrent.futures.TimeoutError:
                    continue
        except BaseException:
            if not future.done():
                self._cancel(future, finished)
            raise

    def iterate(self, agen: AsyncIterator[T], on_idle: Callable[[], None] | None = None) -> Iterator[T]:
        items: queue.Queue[tuple[str, Any]] = queue.Queue()

        async def pump() -> None:
            try:
                async for item in agen:
                    items.put(("item", item))
            except BaseException as exc:  # handed to the caller's thread, re-raised there
                items.put(("error", exc))
                if isinstance(exc, asyncio.CancelledError):
                    raise
            else:
                items.put(("end", None))
            finally:
                aclose = getattr(agen, "aclose", None)
                if aclose is not None:
                    with contextlib.suppress(Exception):
                        await aclose()

        future, finished = self._submit(pump())
        try:
            while True:
                try:
                    kind, value = items.get(timeout=_POLL_S)
                except queue.Empty:
                    if on_idle is not None:
                        on_idle()
                    continue
                if kind == "item":
                    yield value
                elif kind == "error":
                    raise value
                else:
                    return
        finally:
            if not finished.is_set():
                self._cancel(future, finished)

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

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self._drive(coro)

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
