"""The tool and structured-output types: calls, results, the reply helper, the gate on codecs."""

from __future__ import annotations

import pytest

from providers import AsyncClient
from providers.errors import InvalidParameterError, ToolsNotSupportedError
from providers.types import (
    ChatRequest,
    ChatResult,
    Message,
    OutputSpec,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    ToolSpec,
)


def _turn() -> ChatResult:
    calls = [
        ToolCallPart(id="call_1", name="convert", arguments={"value": 3.2}, provider="openai"),
        ToolCallPart(id="call_2", name="lookup", arguments={}, provider="openai"),
    ]
    return ChatResult(provider="openai", model="m", parts=[TextPart(text="let me see"), *calls])


def test_tool_calls_of_one_turn_are_unrun() -> None:
    r = _turn()
    assert [(c.name, c.arguments, c.result) for c in r.tool_calls] == [
        ("convert", {"value": 3.2}, None),
        ("lookup", {}, None),
    ]
    assert not r.tool_calls[0].ok


def test_tool_results_by_id_or_name_json_and_errors() -> None:
    msg = _turn().tool_results({"call_1": 10.5, "lookup": ValueError("no such thing")})
    assert msg.role == "user"
    assert msg.parts == [
        ToolResultPart(call_id="call_1", name="convert", content="10.5"),
        ToolResultPart(call_id="call_2", name="lookup", content="ValueError: no such thing", is_error=True),
    ]
    with pytest.raises(InvalidParameterError, match="no result for call call_2"):
        _turn().tool_results({"call_1": 1})


def test_tool_results_nothing_dropped_nothing_guessed() -> None:
    """A result keyed by no call of the turn is refused (it would be dropped silently), and so is a tool
    name when the turn called that tool more than once (every call would get the same value)."""
    with pytest.raises(InvalidParameterError, match=r"no call of this turn is 'lookpu'.*call_2 \(lookup\)"):
        _turn().tool_results({"call_1": 1, "call_2": 2, "lookpu": 3})
    twice = _turn().model_copy(
        update={
            "parts": [
                ToolCallPart(id=f"call_{i}", name="convert", arguments={"value": i}, provider="openai")
                for i in (1, 2)
            ]
        }
    )
    with pytest.raises(InvalidParameterError, match=r"called convert 2 times.*call_1, call_2"):
        twice.tool_results({"convert": 1})
    assert [p.content for p in twice.tool_results({"call_1": 1, "call_2": 2}).parts] == ["1", "2"]


def test_output_spec_takes_schema_by_its_wire_name() -> None:
    spec = OutputSpec(name="clause", schema={"type": "object"})
    assert spec.json_schema == {"type": "object"}
    assert spec.model_dump(by_alias=True)["schema"] == {"type": "object"}


class _NoTools:
    """A codec that translates no tool parts and no output= (every chat codec does today)."""

    tools = False
    structured_output = ""


def test_codecs_without_tools_refuse_them_before_sending() -> None:
    from providers.messages import check_tools_supported
    from providers.registry import lookup_model

    info = lookup_model("anthropic", "claude-sonnet-5-5")

    def request(**kw: object) -> ChatRequest:
        return ChatRequest(provider="anthropic", model="claude-sonnet-5-5", **kw)  # type: ignore[arg-type]

    with pytest.raises(ToolsNotSupportedError, match="tools are not supported"):
        check_tools_supported(
            _NoTools(), request(messages=[Message.user("hi")], tools=[ToolSpec(name="f")]), info
        )
    history = [Message.user("hi"), _turn().to_message(), _turn().tool_results({"convert": 1, "lookup": 2})]
    with pytest.raises(ToolsNotSupportedError):
        check_tools_supported(_NoTools(), request(messages=history), info)
    with pytest.raises(ToolsNotSupportedError, match="output= is not supported"):
        spec = OutputSpec(name="o", schema={"type": "object"})
        check_tools_supported(_NoTools(), request(messages=[Message.user("hi")], output=spec), info)


@pytest.mark.parametrize(
    "model", ["anthropic/claude-sonnet-5-5", "mistral/mistral-medium-3-5", "gemini/gemini-3.8-flash"]
)
def test_every_thinking_codec_takes_tools_and_tool_turns(model: str) -> None:
    client = AsyncClient(sandbox=True)
    assert client.prepare(model, "hi", tools=[ToolSpec(name="f")]).call.json_body["tools"]
    history = [Message.user("hi"), _turn().to_message(), _turn().tool_results({"convert": 1, "lookup": 2})]
    client.prepare(model, history, tools=[ToolSpec(name="convert"), ToolSpec(name="lookup")])


def test_short_call_ids_are_stable_and_in_mistrals_form() -> None:
    from providers.chat.base import short_call_id

    ids = {short_call_id(f"call_{i}") for i in range(2000)}
    assert len(ids) == 2000 and all(len(i) == 9 and i.isalnum() and i.isascii() for i in ids)
    assert short_call_id("toolu_01ABC") == short_call_id("toolu_01ABC")
    assert short_call_id("D681PevKs") == "D681PevKs"


def test_foreign_calls_are_noted_where_they_go() -> None:
    client = AsyncClient(sandbox=True)
    history = [
        Message.user("hi"),
        Message(
            role="assistant", parts=[ToolCallPart(id="toolu_1", name="f", arguments={}, provider="anthropic")]
        ),
        Message.tool_results(ToolResultPart(call_id="toolu_1", name="f", content="1")),
    ]
    for model in ("openai/gpt-6.1-terra", "deepseek/deepseek-flash", "xai/grok-4.3"):
        prep = client.prepare(model, history, tools=[ToolSpec(name="f")])
        assert any("1 tool call(s) from other providers" in n for n in prep.notes), (model, prep.notes)
