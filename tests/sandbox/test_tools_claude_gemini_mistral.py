"""The tool loop and structured output end to end against the (strict) sandbox: Anthropic, Gemini API,
Vertex AI and Mistral -- thinking kept intact between steps, each provider's wire shapes, bad input
refused before any request."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal

import httpx2
import pytest
from pydantic import BaseModel

from providers.client import AsyncClient
from providers.errors import (
    BadRequestError,
    InvalidParameterError,
    OutputError,
    RefusalError,
    ToolDefinitionError,
)
from providers.types import (
    Done,
    Message,
    StepDone,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    ToolResultEvent,
)

FACTORS = {"m": 1.0, "km": 1000.0, "ft": 0.3048}
CLAUDE = "anthropic/claude-sonnet-5-5"
GEMINI = "gemini/gemini-3.8-flash"
VERTEX = "vertex/gemini-3.8-flash"
MISTRAL = "mistral/mistral-medium-3-5"
MODELS = [CLAUDE, GEMINI, VERTEX, MISTRAL]
CALL = 'sandbox: call convert {"value": 3.2, "from_unit": "km"} How many feet is 3.2 km?'
CONTRACT = "The Supplier shall deliver the goods to the Buyer by 1 March 2026."


def convert(
    value: float, from_unit: Literal["m", "km", "ft"], to_unit: Literal["m", "km", "ft"] = "ft"
) -> float:
    """Convert between units of length.

    Args:
        value: the number to convert
        from_unit: the unit of value
        to_unit: the unit to convert to
    """
    return round(value * FACTORS[from_unit] / FACTORS[to_unit], 2)


def clock() -> str:
    """The time now."""
    return "12:00"


class Clause(BaseModel):
    """One obligation in a contract."""

    party: str
    obligation: str
    deadline: date | None


def bodies(client: AsyncClient) -> list[dict[str, Any]]:
    return [r.body for r in client.sandbox_app.requests]


# --- the loop, per provider ------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
async def test_loop_runs_the_tool_and_sends_the_thinking_back(model: str) -> None:
    async with AsyncClient(sandbox=True) as client:
        r = await client.chat(model, CALL, tools=[convert], thinking="high")
        assert [(c.name, c.arguments, c.output) for c in r.tool_calls] == [
            ("convert", {"value": 3.2, "from_unit": "km"}, "10498.69")
        ]
        assert "convert returned 10498.69" in r.text and r.stopped is None
        assert len(r.steps) == 2 and r.steps[0].finish_reason == "tool_calls" and r.steps[0].reasoning
        assert r.usage.output_tokens == sum(s.usage.output_tokens or 0 for s in r.steps)
        first, second = bodies(client)
        assert len(bodies(client)) == 2 and first.get("tools")
        # the second request carries the step's thinking, then the call, then the result
        step = r.steps[0]
        thinking = next(p for p in step.parts if isinstance(p, ThinkingPart))
        call = next(p for p in step.parts if isinstance(p, ToolCallPart))
        if model == CLAUDE:
            turn, result = second["messages"][1:3]
            assert [b["type"] for b in turn["content"]] == ["thinking", "tool_use"]
            assert turn["content"][0] == {
                "type": "thinking",
                "thinking": thinking.text,
                "signature": thinking.signature,
            }
            assert turn["content"][1]["id"] == call.id and call.id.startswith("toolu_")
            assert result == {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "10498.69"}],
            }
        elif model in (GEMINI, VERTEX):
            turn, result = second["contents"][1:3]
            assert turn["role"] == "model" and turn["parts"][0]["thought"] is True
            fc = turn["parts"][1]
            assert fc["thoughtSignature"] == call.signature and fc["functionCall"]["args"] == call.arguments
            response = result["parts"][0]["functionResponse"]
            assert result["role"] == "user" and response["response"] == {"output": 10498.69}
            if model == VERTEX:  # the call had an id: echoed on the call and on its response
                assert fc["functionCall"]["id"] == response["id"] == call.item_id == call.id
            else:
                assert "id" not in fc["functionCall"] and "id" not in response and call.item_id is None
        else:
            turn, result = second["messages"][1:3]
            assert turn["content"][0] == {
                "type": "thinking",
                "thinking": [{"type": "text", "text": thinking.text}],
                "closed": True,
            }
            assert turn["tool_calls"][0]["id"] == call.id and len(call.id) == 9 and call.id.isalnum()
            assert result == {
                "role": "tool",
                "tool_call_id": call.id,
                "content": "10498.69",
                "name": "convert",
            }


@pytest.mark.parametrize("model", MODELS)
async def test_stream_shows_the_steps_live(model: str) -> None:
    async with AsyncClient(sandbox=True) as client:
        events = [e async for e in client.stream(model, CALL, tools=[convert], thinking="high")]
    kinds = {type(e) for e in events}
    assert {ThinkingDelta, ToolCallDelta, StepDone, ToolResultEvent, Done} <= kinds
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert deltas[0].name == "convert" and deltas[0].index == 0
    assert json.loads("".join(d.arguments_delta for d in deltas)) == {"value": 3.2, "from_unit": "km"}
    if model == CLAUDE:  # input_json_delta fragments (the first one empty), not the call whole
        assert len(deltas) > 2 and deltas[1].arguments_delta == ""
    else:  # Gemini and Mistral send each call whole
        assert len(deltas) == 1
    final = events[-1]
    assert isinstance(final, Done) and len(final.result.steps) == 2
    assert final.result.tool_calls[0].output == "10498.69"


@pytest.mark.parametrize("model", MODELS)
async def test_parallel_calls_go_back_in_order(model: str) -> None:
    prompt = 'sandbox: call convert {"value": 1, "from_unit": "km"} sandbox: call clock'
    async with AsyncClient(sandbox=True) as client:
        r = await client.chat(model, prompt, tools=[convert, clock], thinking="high")
        assert [(c.name, c.output) for c in r.tool_calls] == [("convert", "3280.84"), ("clock", "12:00")]
        second = bodies(client)[1]
    if model == CLAUDE:
        assert [b["type"] for b in second["messages"][1]["content"]] == ["thinking", "tool_use", "tool_use"]
        assert [b["type"] for b in second["messages"][2]["content"]] == ["tool_result", "tool_result"]
    elif model in (GEMINI, VERTEX):  # only the first of parallel calls carries the signature
        calls = [p for p in second["contents"][1]["parts"] if "functionCall" in p]
        assert "thoughtSignature" in calls[0] and "thoughtSignature" not in calls[1]
        names = [p["functionResponse"]["name"] for p in second["contents"][2]["parts"]]
        assert names == ["convert", "clock"]
    else:
        assert [m["role"] for m in second["messages"]] == ["user", "assistant", "tool", "tool"]


async def test_manual_thinking_loop_keeps_the_thinking_block_first() -> None:
    async with AsyncClient(sandbox=True) as client:
        r = await client.chat("anthropic/claude-haiku-4-5", CALL, tools=[convert], thinking=2048)
        assert r.tool_calls[0].ok and len(r.steps) == 2
        second = bodies(client)[1]
        assert second["thinking"] == {"type": "enabled", "budget_tokens": 2048}  # one config for the loop
        assert second["messages"][1]["content"][0]["type"] == "thinking"


async def test_a_tampered_thinking_block_or_signature_is_refused_by_the_provider() -> None:
    async with AsyncClient(sandbox=True) as client:
        first = await client.chat(CLAUDE, CALL, tools=[convert], run_tools=False, thinking="high")
        tampered = first.model_copy(
            update={
                "parts": [
                    p.model_copy(update={"text": p.text + " (edited)"}) if isinstance(p, ThinkingPart) else p
                    for p in first.parts
                ]
            }
        )
        history = [Message.user(CALL), tampered, first.tool_results({"convert": 1.0})]
        with pytest.raises(BadRequestError, match="cannot be modified"):
            await client.chat(CLAUDE, history, tools=[convert], thinking="high")
        gem = await client.chat(GEMINI, CALL, tools=[convert], run_tools=False, thinking="high")
        unsigned = gem.model_copy(
            update={
                "parts": [
                    p.model_copy(update={"signature": "c2J4MXZ4" + "A" * 44})
                    if isinstance(p, ToolCallPart)
                    else p
                    for p in gem.parts
                ]
            }
        )
        history = [Message.user(CALL), unsigned, gem.tool_results({"convert": 1.0})]
        with pytest.raises(BadRequestError, match=r"[Ss]ignature"):
            await client.chat(GEMINI, history, tools=[convert], thinking="high")


# --- tool_choice and thinking ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "thinking"),
    [
        (CLAUDE, "high"),  # adaptive, and one of the four models that 400 on forced tool use
        ("anthropic/claude-fable-5-1", None),  # adaptive by default, cannot be turned off
        ("anthropic/claude-haiku-4-5", 2048),  # manual thinking
        ("anthropic/claude-opus-4-6", 4096),  # manual thinking on a model that has both kinds
    ],
)
async def test_forced_tool_choice_with_thinking_is_refused_before_sending(model: str, thinking: Any) -> None:
    async with AsyncClient(sandbox=True) as client:
        for choice in ("required", "convert"):
            with pytest.raises(InvalidParameterError, match="forced tool_choice") as info:
                await client.chat(model, CALL, tools=[convert], tool_choice=choice, thinking=thinking)
            assert "tool_choice='auto'" in str(info.value)
        assert client.sandbox_app.requests == []


async def test_forced_tool_choice_with_adaptive_thinking_where_it_is_accepted() -> None:
    async with AsyncClient(sandbox=True) as client:
        r = await client.chat(
            "anthropic/claude-haiku-5-5", "How far?", tools=[convert], tool_choice="convert", thinking="high"
        )
        first, second = bodies(client)
        assert first["tool_choice"] == {"type": "tool", "name": "convert"}
        assert second["tool_choice"] == {"type": "auto"}  # the first turn only
        assert not r.steps[0].thinking_parts  # forced: thinking skipped, the answer starts with the call
        assert r.steps[1].thinking_parts
        r = await client.chat(
            "anthropic/claude-haiku-5-5", "How far?", tools=[convert], tool_choice="required"
        )
        assert bodies(client)[2]["tool_choice"] == {"type": "any"}


async def test_the_sandbox_itself_refuses_forced_choice_with_thinking() -> None:
    from providers.sandbox.app import SandboxApp
    from providers.tools import as_tool

    spec = as_tool(convert).spec()
    prep = AsyncClient(sandbox=True).prepare("anthropic/claude-haiku-4-5", "hi", tools=[spec], thinking=2048)
    body = {**(prep.call.json_body or {}), "tool_choice": {"type": "any"}}
    transport = httpx2.ASGITransport(app=SandboxApp())
    async with httpx2.AsyncClient(transport=transport) as http:
        reply = await http.post(prep.call.url, json=body, headers=prep.call.headers)
        assert reply.status_code == 400
        assert (
            reply.json()["error"]["message"]
            == "Thinking may not be enabled when tool_choice forces tool use."
        )
        body["thinking"] = {"type": "disabled"}
        assert (await http.post(prep.call.url, json=body, headers=prep.call.headers)).status_code == 200


async def test_tool_choice_and_parallel_switch_on_the_wire() -> None:
    async with AsyncClient(sandbox=True) as client:
        await client.chat(CLAUDE, "hi", tools=[convert], parallel_tool_calls=False, tool_choice="none")
        assert bodies(client)[-1]["tool_choice"] == {"type": "none"}
        await client.chat(CLAUDE, CALL, tools=[convert], parallel_tool_calls=False, run_tools=False)
        assert bodies(client)[-1]["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
        r = await client.chat(GEMINI, "hi", tools=[convert, clock], tool_choice="clock", run_tools=False)
        assert bodies(client)[-1]["toolConfig"] == {
            "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["clock"]}
        }
        assert r.tool_calls[0].name == "clock"
        r = await client.chat(GEMINI, "hi", tools=[convert], tool_choice="none", parallel_tool_calls=False)
        assert bodies(client)[-1]["toolConfig"] == {"functionCallingConfig": {"mode": "NONE"}}
        assert not r.tool_calls and any("no switch for parallel calls" in n for n in r.notes)
        r = await client.chat(
            MISTRAL, "hi", tools=[convert, clock], tool_choice="clock", parallel_tool_calls=False
        )
        body = bodies(client)[-2]
        assert body["tool_choice"] == {"type": "function", "function": {"name": "clock"}}
        assert body["parallel_tool_calls"] is False and r.tool_calls[0].name == "clock"


# --- structured output ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
async def test_output_is_validated_into_the_model(model: str) -> None:
    async with AsyncClient(sandbox=True) as client:
        r = await client.chat(model, CONTRACT, output=Clause, thinking="high")
        assert isinstance(r.output, Clause) and isinstance(r.output.deadline, date)
        body = bodies(client)[-1]
    if model == CLAUDE:
        config = body["output_config"]
        assert config["effort"] == "high" and config["format"]["type"] == "json_schema"
        assert config["format"]["schema"]["additionalProperties"] is False
        assert config["format"]["schema"]["required"] == ["party", "obligation", "deadline"]
    elif model in (GEMINI, VERTEX):
        generation = body["generationConfig"]
        assert generation["responseMimeType"] == "application/json" and "responseSchema" not in generation
        assert generation["responseJsonSchema"]["properties"]["deadline"]["anyOf"][0]["format"] == "date"
    else:
        fmt = body["response_format"]
        assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
        assert fmt["json_schema"]["schema"]["additionalProperties"] is False


@pytest.mark.parametrize("model", [CLAUDE, GEMINI, VERTEX])
async def test_a_refusal_is_a_typed_error_not_a_validation_crash(model: str) -> None:
    async with AsyncClient(sandbox=True) as client:
        with pytest.raises(RefusalError) as info:
            await client.chat(model, f"sandbox: refuse {CONTRACT}", output=Clause)
    result = info.value.result
    assert result is not None
    if model == CLAUDE:
        assert result.finish_reason == "refusal" and "sandbox refusal" in info.value.refusal
    else:
        assert result.finish_reason == "content_filter" and result.raw_finish_reason == "SAFETY"


@pytest.mark.parametrize("model", MODELS)
async def test_invalid_json_keeps_the_raw_text(model: str) -> None:
    async with AsyncClient(sandbox=True) as client:
        with pytest.raises(OutputError) as info:
            await client.chat(model, f"sandbox: bad json {CONTRACT}", output=Clause)
    assert not isinstance(info.value, RefusalError) and info.value.raw_text.startswith("Here it is:")


async def test_mistral_has_no_refusal_field_so_a_refusal_is_an_output_error() -> None:
    async with AsyncClient(sandbox=True) as client:
        with pytest.raises(OutputError) as info:
            await client.chat(MISTRAL, f"sandbox: refuse {CONTRACT}", output=Clause)
    assert "sandbox refusal" in info.value.raw_text


@pytest.mark.parametrize("model", MODELS)
async def test_tools_and_output_together(model: str) -> None:
    class Distance(BaseModel):
        feet: float

    async with AsyncClient(sandbox=True) as client:
        r = await client.chat(model, CALL, tools=[convert], output=Distance, thinking="high")
    assert r.tool_calls[0].output == "10498.69" and r.output == Distance(feet=10498.69)


# --- bad input, before any request ---------------------------------------------------------------


def _tool(name: str, parameters: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    return {"name": name, "parameters": parameters or {"type": "object", "properties": {}}, **kw}


@pytest.mark.parametrize(
    ("model", "kwargs", "error", "match"),
    [
        (
            CLAUDE,
            {"tools": [_tool("get.weather")]},
            ToolDefinitionError,
            "rejects the tool name 'get.weather'",
        ),
        (CLAUDE, {"tools": [_tool("x" * 129)]}, ToolDefinitionError, "at most 128"),
        (GEMINI, {"tools": [_tool("1abc")]}, ToolDefinitionError, "a letter or '_' first"),
        (VERTEX, {"tools": [_tool("a b")]}, ToolDefinitionError, "rejects the tool name"),
        (MISTRAL, {"tools": [_tool("a.b")]}, ToolDefinitionError, "rejects the tool name"),
        (
            GEMINI,
            {"tools": [_tool("f", {"type": "object", "properties": {"p" * 65: {"type": "string"}}})]},
            ToolDefinitionError,
            "parameter names of at most 64",
        ),
        (
            CLAUDE,
            {
                "tools": [
                    _tool(
                        "f",
                        {
                            "type": "object",
                            "properties": {
                                "m": {"type": "object", "additionalProperties": {"type": "integer"}}
                            },
                        },
                        strict=True,
                    )
                ]
            },
            ToolDefinitionError,
            "cannot be strict on anthropic: m: a free-form mapping",
        ),
        (
            MISTRAL,
            {
                "tools": [
                    _tool("f", {"type": "object", "additionalProperties": {"type": "integer"}}, strict=True)
                ]
            },
            ToolDefinitionError,
            "cannot be strict on mistral",
        ),
        (CLAUDE, {"output": dict[str, int]}, InvalidParameterError, "free-form mapping"),
        (
            GEMINI,
            {"output": Clause, "response_schema": {"type": "OBJECT"}},
            InvalidParameterError,
            "not both",
        ),
        (CLAUDE, {"tools": [convert], "tool_choice": "nope"}, InvalidParameterError, "tool_choice takes"),
        (GEMINI, {"tool_choice": "required"}, InvalidParameterError, "needs tools"),
    ],
)
async def test_bad_input_refused_before_any_request(
    model: str, kwargs: dict[str, Any], error: type, match: str
) -> None:
    async with AsyncClient(sandbox=True) as client:
        with pytest.raises(error, match=match):
            await client.chat(model, "hi", **kwargs)
        assert client.sandbox_app.requests == []


async def test_a_claude_conversation_with_tool_turns_needs_its_tools() -> None:
    async with AsyncClient(sandbox=True) as client:
        first = await client.chat(CLAUDE, CALL, tools=[convert])
        history = [Message.user(CALL), *first.to_messages(), Message.user("Thanks!")]
        with pytest.raises(InvalidParameterError, match="without tool definitions"):
            await client.chat(CLAUDE, history)
        assert len(bodies(client)) == 2
        r = await client.chat(CLAUDE, history, tools=[convert], tool_choice="none")
        assert bodies(client)[-1]["tool_choice"] == {"type": "none"} and not r.tool_calls
        # the sandbox answers the live 400 to a request that gets this wrong
        from providers.sandbox.app import SandboxApp

        body = {k: v for k, v in bodies(client)[-1].items() if k not in ("tools", "tool_choice")}
        prep = client.prepare(CLAUDE, "hi")
        async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=SandboxApp())) as http:
            reply = await http.post(prep.call.url, json=body, headers=prep.call.headers)
        assert reply.status_code == 400 and "must define tools" in reply.json()["error"]["message"]


async def test_errors_and_unknown_tools_go_back_to_the_model() -> None:
    def broken(x: int) -> int:
        """Always fails."""
        raise RuntimeError("the gauge is broken")

    prompt = 'sandbox: call broken {"x": 1} sandbox: call nowhere {}'
    async with AsyncClient(sandbox=True) as client:
        for model in MODELS:
            r = await client.chat(model, prompt, tools=[broken])
            by_name = {c.name: c for c in r.tool_calls}
            assert by_name["broken"].error == "RuntimeError: the gauge is broken", model
            assert "unknown tool 'nowhere'" in (by_name["nowhere"].error or ""), model
            assert "the gauge is broken" in r.text
        claude_results = next(
            b for b in bodies(client) if b.get("messages") and len(b["messages"]) == 3 and "max_tokens" in b
        )["messages"][2]["content"]
        assert all(block["is_error"] is True for block in claude_results)
        gemini_results = next(b for b in bodies(client) if len(b.get("contents") or []) == 3)["contents"][2]
        assert "error" in gemini_results["parts"][0]["functionResponse"]["response"]
