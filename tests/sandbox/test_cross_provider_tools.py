"""A conversation with tool calls started on one provider and continued on another, and back, through
the strict sandbox: foreign thinking dropped, call ids rewritten where a provider needs its own form,
Gemini's dummy signature on calls it did not sign -- and the notes say so."""

from __future__ import annotations

from typing import Literal

import pytest

from providers.client import AsyncClient
from providers.errors import InvalidParameterError
from providers.types import ChatResult, Message, ThinkingPart, ToolCallPart, ToolResultPart

FACTORS = {"m": 1.0, "km": 1000.0, "ft": 0.3048}
STARTS = ["openai/gpt-6.1-terra", "deepseek/deepseek-flash"]
TARGETS = [
    "anthropic/claude-sonnet-5-5",
    "gemini/gemini-3.8-flash",
    "vertex/gemini-3.8-flash",
    "mistral/mistral-medium-3-5",
]
FIRST = 'sandbox: call convert {"value": 3.2, "from_unit": "km"} How many feet is 3.2 km?'
NEXT = 'sandbox: call convert {"value": 5, "from_unit": "km"} And 5 km?'


def convert(
    value: float, from_unit: Literal["m", "km", "ft"], to_unit: Literal["m", "km", "ft"] = "ft"
) -> float:
    """Convert between units of length."""
    return round(value * FACTORS[from_unit] / FACTORS[to_unit], 2)


def _notes(r: ChatResult) -> str:
    return " | ".join(r.notes + [n for s in r.steps for n in s.notes])


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("start", STARTS)
async def test_a_finished_tool_loop_continues_on_another_provider_and_back(start: str, target: str) -> None:
    async with AsyncClient(sandbox=True) as client:
        first = await client.chat(start, FIRST, tools=[convert], thinking="high")
        assert first.tool_calls[0].output == "10498.69" and first.steps[0].reasoning
        history = [Message.user(FIRST), *first.to_messages(), Message.user(NEXT)]
        there = await client.chat(target, history, tools=[convert], thinking="high")
        assert there.tool_calls[0].output == "16404.2" and "16404.2" in there.text
        assert "thinking part(s)" in _notes(there) and "not sent" in _notes(there)  # foreign thinking dropped
        back = [*history, *there.to_messages(), Message.user("Thanks. sandbox: answer")]
        home = await client.chat(start, back, tools=[convert], thinking="high")
        assert home.text and not home.tool_calls and home.finish_reason == "stop"


@pytest.mark.parametrize("target", TARGETS)
async def test_unanswered_foreign_calls_are_answered_on_another_provider(target: str) -> None:
    """The calls were made on OpenAI; their results go to the target as the current turn: Mistral
    needs the ids rewritten, Gemini 3 a signature on the first call (the dummy)."""
    async with AsyncClient(sandbox=True) as client:
        turn = await client.chat(
            "openai/gpt-6.1-terra", FIRST, tools=[convert], run_tools=False, thinking="low"
        )
        call = turn.tool_calls[0].part
        assert call.provider == "openai" and call.id.startswith("call_")
        history = [Message.user(FIRST), turn, turn.tool_results({"convert": 10498.69})]
        r = await client.chat(target, history, tools=[convert], thinking="high")
        assert "convert returned 10498.69" in r.text
        body = client.sandbox_app.requests[-1].body
    notes = _notes(r)
    if target.startswith("mistral"):
        assistant, tool = body["messages"][1], body["messages"][2]
        new_id = assistant["tool_calls"][0]["id"]
        assert len(new_id) == 9 and new_id.isalnum() and tool["tool_call_id"] == new_id
        assert "rewritten to Mistral's nine-character form" in notes
    elif target.startswith(("gemini", "vertex")):
        fc = body["contents"][1]["parts"][0]
        assert fc["thoughtSignature"] == "c2tpcF90aG91Z2h0X3NpZ25hdHVyZV92YWxpZGF0b3I="
        assert "id" not in fc["functionCall"]  # a foreign id is not sent as Gemini's
        assert "dummy signature" in notes and "from another provider" in notes
    else:
        assert body["messages"][1]["content"][0] == {
            "type": "tool_use",
            "id": call.id,
            "name": "convert",
            "input": call.arguments,
        }


async def test_ids_anthropic_refuses_are_rewritten_consistently() -> None:
    call = ToolCallPart(
        id="call_1|fc_1", name="convert", arguments={"value": 1, "from_unit": "m"}, provider="x"
    )
    history = [
        Message.user("convert 1 m"),
        Message(role="assistant", parts=[call]),
        Message.tool_results(ToolResultPart(call_id="call_1|fc_1", name="convert", content="3.28")),
    ]
    async with AsyncClient(sandbox=True) as client:
        r = await client.chat("anthropic/claude-sonnet-5-5", history, tools=[convert])
        body = client.sandbox_app.requests[-1].body
    use, result = body["messages"][1]["content"][0], body["messages"][2]["content"][0]
    assert use["id"] == result["tool_use_id"] and use["id"].startswith("toolu_") and "|" not in use["id"]
    assert any("rewritten to Anthropic's form" in n for n in r.notes)
    # the same id always becomes the same new one: the next request pairs them the same way
    async with AsyncClient(sandbox=True) as client:
        await client.chat("anthropic/claude-sonnet-5-5", history, tools=[convert])
        assert client.sandbox_app.requests[-1].body["messages"][1]["content"][0]["id"] == use["id"]


@pytest.mark.parametrize("start", ["gemini/gemini-3.8-flash", "mistral/mistral-medium-3-5"])
async def test_gemini_and_mistral_calls_continue_on_claude_and_openai(start: str) -> None:
    async with AsyncClient(sandbox=True) as client:
        turn = await client.chat(start, FIRST, tools=[convert], run_tools=False, thinking="high")
        history = [Message.user(FIRST), turn, turn.tool_results({"convert": 10498.69})]
        for target in ("anthropic/claude-sonnet-5-5", "openai/gpt-6.1-terra", "mistral/mistral-medium-3-5"):
            r = await client.chat(target, history, tools=[convert])
            assert "convert returned 10498.69" in r.text, target


async def test_manual_thinking_cannot_continue_a_turn_made_elsewhere() -> None:
    async with AsyncClient(sandbox=True) as client:
        turn = await client.chat(
            "openai/gpt-6.1-terra", FIRST, tools=[convert], run_tools=False, thinking="low"
        )
        history = [Message.user(FIRST), turn, turn.tool_results({"convert": 10498.69})]
        with pytest.raises(InvalidParameterError, match="keep one thinking configuration"):
            await client.chat("anthropic/claude-haiku-4-5", history, tools=[convert], thinking=2048)
        assert not any(r.path.endswith("/messages") for r in client.sandbox_app.requests)
        r = await client.chat("anthropic/claude-haiku-4-5", history, tools=[convert], thinking=False)
        assert "convert returned" in r.text
        assert not any(isinstance(p, ThinkingPart) for p in r.parts)
