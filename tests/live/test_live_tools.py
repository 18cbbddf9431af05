"""Live tool loops with thinking, structured output and tiny batches against the real APIs.
Each test is skipped unless its provider's key is set; never run in CI.

Run: OPENAI_API_KEY=... ANTHROPIC_API_KEY=... GEMINI_API_KEY=... DEEPSEEK_API_KEY=... XAI_API_KEY=...
     MISTRAL_API_KEY=... pytest -m live tests/live/test_live_tools.py

What these check is what the sandbox cannot prove: that the live API takes back our second turn -- the
thinking each provider wants returned with its tool calls (Anthropic's signed blocks, Gemini's thought
signatures, Responses reasoning items, DeepSeek's reasoning_content, Mistral's thinking chunks) -- and
takes our adapted schemas in strict mode, and that a batch submits, resumes by id and cancels.
"""

from __future__ import annotations

import os
import re
import time
from datetime import date
from enum import StrEnum
from typing import Literal

import pydantic
import pytest

from llmkit_nb import LLMKit

pytestmark = pytest.mark.live

THINKING = [
    ("openai/gpt-6.1-terra", "OPENAI_API_KEY"),
    ("anthropic/claude-sonnet-5-5", "ANTHROPIC_API_KEY"),
    ("gemini/gemini-3.8-flash", "GEMINI_API_KEY"),
    ("deepseek/deepseek-flash", "DEEPSEEK_API_KEY"),
    ("xai/grok-4.7", "XAI_API_KEY"),
    ("mistral/mistral-medium-3-5", "MISTRAL_API_KEY"),
]
METRES = {"m": 1.0, "km": 1000.0, "ft": 0.3048, "mi": 1609.344}


def need(env: str) -> None:
    if not os.environ.get(env):
        pytest.skip(f"{env} is not set")


def convert(
    value: float, from_unit: Literal["m", "km", "ft", "mi"], to_unit: Literal["m", "km", "ft", "mi"]
) -> float:
    """Convert a length between units.

    Args:
        value: the length to convert
        from_unit: the unit of value
        to_unit: the unit to convert to
    """
    return round(value * METRES[from_unit] / METRES[to_unit], 1)


def digits(text: str) -> str:
    return re.sub(r"(?<=\d)[,\s\u202f\u00a0](?=\d{3})", "", text)


@pytest.mark.parametrize(("model", "env"), THINKING)
@pytest.mark.parametrize("stream", [False, True])
def test_tool_loop_with_thinking(model: str, env: str, stream: bool) -> None:
    """The model calls the tool, our second turn (with the thinking it must carry) is accepted, and the
    answer uses the result; a follow-up continues the conversation with its tool turns."""
    need(env)
    with LLMKit() as kit:
        r = kit.chat(
            model,
            "How many feet is 3.2 km? Use the convert tool, then answer with the number.",
            tools=[convert],
            thinking="low",
            max_tokens=4000,
            stream=stream,
        )
        assert not r.sandbox and r.stopped is None
        assert r.tool_calls and r.tool_calls[0].name == "convert" and r.tool_calls[0].error is None
        assert r.tool_calls[0].arguments["from_unit"] == "km" and r.tool_calls[0].arguments["to_unit"] == "ft"
        assert "10498" in digits(r.text)
        assert len(r.steps) >= 2 and r.usage.input_tokens == sum(s.usage.input_tokens or 0 for s in r.steps)
        follow = kit.chat(
            model,
            ["How many feet is 3.2 km? Use the convert tool.", r, "And in miles? Use the tool again."],
            tools=[convert],
            thinking="low",
            max_tokens=4000,
        )
        assert any(c.arguments.get("to_unit") == "mi" for c in follow.tool_calls)
        assert "1.99" in follow.text or "2.0" in follow.text or "2 mi" in follow.text


class Kind(StrEnum):
    delivery = "delivery"
    payment = "payment"
    termination = "termination"


class Clause(pydantic.BaseModel):
    """One obligation in a contract."""

    party: str = pydantic.Field(description="who is bound")
    kind: Kind
    deadline: date | None = pydantic.Field(description="by when, if the clause says so")
    days: int | None = pydantic.Field(None, description="a period in days, if the clause gives one")


class Clauses(pydantic.BaseModel):
    clauses: list[Clause]


CONTRACT = """
1. The Supplier shall deliver 500 units to the Buyer by 1 March 2026.
2. The Buyer shall pay each invoice within 30 days of receipt.
"""


@pytest.mark.parametrize(("model", "env"), THINKING)
def test_structured_output(model: str, env: str) -> None:
    """Nested models, an enum, an optional date and an optional int, through each provider's own
    structured-output mechanism (or DeepSeek's JSON mode), validated into r.output."""
    need(env)
    with LLMKit() as kit:
        r = kit.chat(
            model,
            f"Extract every obligation from this contract:\n{CONTRACT}",
            output=Clauses,
            thinking="low",
            max_tokens=4000,
        )
        assert isinstance(r.output, Clauses) and not r.sandbox
        by_kind = {c.kind: c for c in r.output.clauses}
        assert by_kind[Kind.delivery].deadline == date(2026, 3, 1)
        assert "supplier" in by_kind[Kind.delivery].party.lower()
        assert by_kind[Kind.payment].days == 30


@pytest.mark.parametrize(
    ("model", "env"),
    [("openai/gpt-6.1-terra", "OPENAI_API_KEY"), ("anthropic/claude-haiku-5-5", "ANTHROPIC_API_KEY")],
)
def test_a_tiny_batch_submits_resumes_and_cancels(model: str, env: str) -> None:
    """Submit two requests, pick the batch up again by its id (as after a kernel restart), cancel it:
    the provider moves it to cancelling (or it had already ended); once ended, no row is dropped."""
    need(env)
    with LLMKit() as kit:
        job = kit.batch(["Say hi.", "Say bye."], model=model, max_tokens=50, thinking=False)
        provider = model.split("/")[0]
        assert job.id.startswith(f"{provider}:") and not job.job.sandbox
        again = kit.batch_job(job.id)
        assert again.id == job.id and again.status in ("queued", "running", "finalizing", "completed")
        again.cancel()
        deadline = time.monotonic() + 120
        while not again.refresh().done and time.monotonic() < deadline:
            assert again.status in ("queued", "running", "finalizing", "cancelling"), again.job.raw_status
            time.sleep(5)
        if again.done:
            assert again.status in ("cancelled", "completed")
            rows = again.results()
            assert len(rows) == 2 and all(r.status in ("succeeded", "cancelled") for r in rows)
