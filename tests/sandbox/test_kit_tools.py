"""Tools and structured output through LLMKit: the loop, live steps, Ctrl-C, the ledger and the display."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import threading
import time
from datetime import date

import pytest
from pydantic import BaseModel

from llmkit_nb import LLMKit
from llmkit_nb.display.objects import LiveChat, chat_mimebundle
from providers.errors import OutputError, ToolLoopInterrupted

MODEL = "openai/gpt-6.1-terra"


def convert(value: float, from_unit: str, to_unit: str = "ft") -> float:
    """Convert between units of length."""
    return round(value * 3.28084, 2)


def nap(seconds: float) -> str:
    """Sleeps (a sync tool: it runs in a worker thread)."""
    time.sleep(seconds)
    return "rested"


class Clause(BaseModel):
    party: str
    obligation: str
    deadline: date | None


@pytest.fixture
def kit():  # type: ignore[no-untyped-def]
    k = LLMKit(sandbox=True)
    yield k
    k.close()


def test_kit_runs_the_loop_and_the_ledger_counts_every_turn(kit: LLMKit) -> None:
    r = kit.chat(MODEL, "How many feet is 3.2 km?", tools=[convert], thinking="low")
    assert r.tool_calls[0].output == "10.5" and len(r.steps) == 2
    entries = list(kit.ledger)
    assert [e.kind for e in entries] == ["chat (turn 1/2)", "chat (turn 2/2)"]
    assert sum(e.input_tokens or 0 for e in entries) == r.usage.input_tokens
    html = chat_mimebundle(r)["text/html"]
    assert html.index("convert(") < html.index("The tools:")  # the step panel comes before the answer
    assert '<details class="llmkit-tool">' in html


def test_kit_streams_steps_live(kit: LLMKit) -> None:
    r = kit.chat(MODEL, "How many feet is 3.2 km?", tools=[convert], thinking="low", stream=True)
    assert len(r.steps) == 2 and r.tool_calls[0].ok
    assert len(kit.ledger) == 2


def test_live_chat_in_a_terminal_prints_calls_and_results() -> None:
    out = io.StringIO()
    kit = LLMKit(sandbox=True)
    run = kit.client.tool_run(MODEL, "convert 2 km", tools=[convert])
    live = LiveChat(provider="openai", model="gpt-6.1-terra", out=out, notebook=False)
    kit._stream(MODEL, "convert 2 km", {}, live=live, run=run)
    kit.close()
    text = out.getvalue()
    assert "[tool] convert(" in text and "[tool] convert(value=2" in text and "→ 6.56" in text


def test_parallel_calls_in_a_terminal_each_close_their_line() -> None:
    out = io.StringIO()
    kit = LLMKit(sandbox=True)
    prompt = 'sandbox: call convert {"value": 1} sandbox: call convert {"value": 2}'
    run = kit.client.tool_run(MODEL, prompt, tools=[convert])
    live = LiveChat(provider="openai", model="gpt-6.1-terra", out=out, notebook=False)
    kit._stream(MODEL, prompt, {}, live=live, run=run)
    kit.close()
    calls = [line for line in out.getvalue().splitlines() if line.startswith("[tool] convert({")]
    assert calls == ['[tool] convert({"value": 1})', '[tool] convert({"value": 2})']


def test_live_chat_in_a_notebook_shows_pending_calls() -> None:
    shown = []

    class Handle:
        def update(self, obj):  # type: ignore[no-untyped-def]
            shown.append(obj)

    def display(obj):  # type: ignore[no-untyped-def]
        shown.append(obj)
        return Handle()

    kit = LLMKit(sandbox=True)
    run = kit.client.tool_run(MODEL, "convert 2 km", tools=[convert])
    live = LiveChat(provider="openai", model="gpt-6.1-terra", display_fn=display, min_interval=0)
    kit._stream(MODEL, "convert 2 km", {}, live=live, run=run)
    kit.close()
    htmls = [o.bundle["text/html"] for o in shown]
    assert any("convert(" in h and "not run" in h for h in htmls[:-1])  # a call streaming, not yet run
    assert "6.56" in htmls[-1]


def test_ctrl_c_keeps_the_finished_turns() -> None:
    kit = LLMKit(sandbox=True)
    threading.Timer(0.6, os.kill, args=(os.getpid(), signal.SIGINT)).start()
    with pytest.raises(ToolLoopInterrupted) as info:
        kit.chat(MODEL, 'sandbox: call nap {"seconds": 3}', tools=[nap])
    partial = info.value.partial
    assert partial is not None and partial.stopped == "cancelled" and partial.tool_calls[0].result is None
    assert isinstance(info.value, KeyboardInterrupt) and len(kit.ledger) == 1

    async def pending() -> int:
        return len([t for t in asyncio.all_tasks() if t is not asyncio.current_task()])

    assert kit._runner.run(pending()) == 0
    assert "still" in kit.chat(MODEL, "still works?").text
    kit.close()


def test_structured_output_renders_a_table_beside_its_json(kit: LLMKit) -> None:
    r = kit.chat(MODEL, "The Supplier shall deliver by 2026-03-01.", output=Clause)
    assert isinstance(r.output, Clause)
    html = chat_mimebundle(r)["text/html"]
    assert "<th>party</th>" in html and "<summary>JSON</summary>" in html
    assert "Clause(party=" in chat_mimebundle(r)["text/plain"]


def test_output_error_keeps_the_result_and_the_ledger_counts_it(kit: LLMKit) -> None:
    with pytest.raises(OutputError) as info:
        kit.chat(MODEL, "sandbox: bad json", output=Clause)
    assert info.value.result is not None and len(kit.ledger) == 1


def test_provider_text_in_tool_panels_is_escaped(kit: LLMKit) -> None:
    def shout(text: str) -> str:
        """Echo."""
        return "<script>alert(1)</script>"

    r = kit.chat(MODEL, 'sandbox: call shout {"text": "<img src=x onerror=alert(1)>"}', tools=[shout])
    html = chat_mimebundle(r)["text/html"]
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_a_cached_loop_replays_every_turn(tmp_path) -> None:  # type: ignore[no-untyped-def]
    kit = LLMKit(sandbox=True, cache=tmp_path / "cache.sqlite")
    first = kit.chat(MODEL, "convert 3 km", tools=[convert])
    again = kit.chat(MODEL, "convert 3 km", tools=[convert])
    fresh = kit.chat(MODEL, "convert 3 km", tools=[convert], cache=False)
    kit.close()
    assert again.text == first.text and [s.cached for s in again.steps] == [True, True]
    assert again.cost_usd == 0 and not any(s.cached for s in fresh.steps)
