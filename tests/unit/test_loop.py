"""The sync bridge: works inside a running loop (as in a Jupyter kernel), both runners; interrupts cancel cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time

import pytest

from llmkit_nb.loop import NestRunner, ThreadRunner, make_runner
from providers.errors import ConfigurationError


async def answer(x: int) -> int:
    await asyncio.sleep(0)
    return x * 2


async def count(n: int):  # type: ignore[no-untyped-def]
    for i in range(n):
        await asyncio.sleep(0)
        yield i


@pytest.mark.parametrize("kind", ["thread", "nest"])
def test_runs_inside_a_running_loop(kind: str) -> None:
    async def kernel_cell() -> tuple[int, list[int]]:
        runner = make_runner(kind)  # created while the "kernel" loop is running
        try:
            return runner.run(answer(21)), list(runner.iterate(count(3)))
        finally:
            runner.close()

    assert asyncio.run(kernel_cell()) == (42, [0, 1, 2])


def test_thread_runner_outside_any_loop() -> None:
    runner = ThreadRunner()
    assert runner.run(answer(2)) == 4
    assert list(runner.iterate(count(4))) == [0, 1, 2, 3]
    runner.close()


def test_errors_cross_the_bridge() -> None:
    async def boom() -> None:
        raise ValueError("from the loop")

    runner = ThreadRunner()
    with pytest.raises(ValueError, match="from the loop"):
        runner.run(boom())
    runner.close()


def interrupt_after(seconds: float) -> None:
    """A real SIGINT to this process, as Jupyter's stop button sends to its kernel."""
    threading.Timer(seconds, os.kill, args=(os.getpid(), signal.SIGINT)).start()


def test_interrupt_cancels_and_leaves_no_task() -> None:
    runner = ThreadRunner()
    state = {"cancelled": False, "cleaned": False}

    async def slow() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            state["cancelled"] = True
            raise
        finally:
            await asyncio.sleep(0)
            state["cleaned"] = True

    interrupt_after(0.2)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        runner.run(slow())
    assert time.monotonic() - started < 5
    assert state == {"cancelled": True, "cleaned": True}

    async def pending() -> int:
        return len([t for t in asyncio.all_tasks() if t is not asyncio.current_task()])

    assert runner.run(pending()) == 0
    runner.close()


def test_interrupt_during_iteration_closes_the_generator() -> None:
    runner = ThreadRunner()
    closed = threading.Event()

    async def endless():  # type: ignore[no-untyped-def]
        try:
            while True:
                await asyncio.sleep(0.05)
                yield 1
        finally:
            closed.set()

    interrupt_after(0.3)
    got = 0
    with pytest.raises(KeyboardInterrupt):
        for _ in runner.iterate(endless()):
            got += 1
    assert got >= 1 and closed.wait(2)
    runner.close()


def test_nest_runner_interrupt_cancels_task() -> None:
    runner = NestRunner()
    flag = {"cancelled": False}

    async def slow() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            flag["cancelled"] = True
            raise

    interrupt_after(0.2)
    with pytest.raises(KeyboardInterrupt):
        runner.run(slow())
    assert flag["cancelled"]


def test_unknown_loop_kind() -> None:
    with pytest.raises(ConfigurationError, match="'thread'"):
        make_runner("trio")


def test_on_idle_runs_on_the_caller_thread_while_waiting() -> None:
    runner = ThreadRunner()
    caller = threading.get_ident()
    ticks: list[int] = []

    async def slow_pair():  # type: ignore[no-untyped-def]
        yield 1
        await asyncio.sleep(0.35)
        yield 2

    assert list(runner.iterate(slow_pair(), on_idle=lambda: ticks.append(threading.get_ident()))) == [1, 2]
    assert ticks and set(ticks) == {caller}
    runner.close()
