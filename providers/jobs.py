"""Waiting for remote jobs (video and image generation, provider batch APIs): when to poll, and the loop.

A job is submitted, then polled until it ends. `JobTiming` says when: the first poll after
`first_s`, each wait `factor` times longer, up to `max_s`, with a little jitter. `poll_loop` is the
one loop both job kinds use; what a poll is, when a state is final, what a failed state raises and
what an interrupt does are the caller's (providers/video/jobs.py, providers/batch_driver.py):

    wait -> fetch -> yield state -> (done? stop : failed? raise : timed out? raise) -> wait longer -> ...

Cancelling the iteration (Ctrl-C reaches the coroutine as cancellation, or the generator is closed)
runs `on_interrupt` before the cancellation propagates, unless the last state was final.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["JobTiming", "poll_loop"]

S = TypeVar("S")


@dataclass(frozen=True)
class JobTiming:
    """When to poll: the first poll after `first_s`, then each wait `factor` times longer, up to `max_s`."""

    first_s: float = 2.0
    factor: float = 1.5
    max_s: float = 10.0
    jitter: float = 0.1

    def delay(self, poll: int) -> float:
        """Seconds to wait before poll number `poll` (1-based), with a little jitter."""
        base = min(self.first_s * self.factor ** max(poll - 1, 0), self.max_s)
        return base * (1 + self.jitter * (2 * random.random() - 1)) if base else 0.0


async def poll_loop(
    fetch: Callable[[], Awaitable[S]],
    *,
    done: Callable[[S], bool],
    timing: JobTiming,
    timeout: float | None,
    timed_out: Callable[[S, float], BaseException],
    check: Callable[[S], None] | None = None,
    on_interrupt: Callable[[], Awaitable[None]] | None = None,
    wait_first: bool = True,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> AsyncGenerator[S, None]:
    """Poll until `done(state)`, yielding every state; the final state is the last one yielded.

    `check(state)` raises for a state that ends the wait in an error (after it was yielded, so a
    display shows it). When `timeout` seconds pass without a final state, `timed_out(state, waited)`
    is raised. The first poll happens at once unless `wait_first`.
    """
    started = clock()
    poll = 0
    last: S | None = None
    try:
        while True:
            poll += 1
            wait = timing.delay(poll) if (poll > 1 or wait_first) else 0.0
            if timeout is not None:
                wait = max(0.0, min(wait, timeout - (clock() - started)))
            if wait:
                await sleep(wait)
            last = await fetch()
            yield last
            if done(last):
                return
            if check is not None:
                check(last)
            waited = clock() - started
            if timeout is not None and waited >= timeout:
                raise timed_out(last, waited)
    except (asyncio.CancelledError, GeneratorExit):
        if on_interrupt is not None and not (last is not None and done(last)):
            await on_interrupt()
        raise
