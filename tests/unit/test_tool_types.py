"""The tool and structured-output types: calls, results, the reply helper, the gate on codecs."""

from __future__ import annotations

import pytest

from providers import AsyncClient
from providers.errors import InvalidParameterError, ToolsNotSupportedError
from providers.types import (
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


def test_output_spec_takes_schema_by_its_wire_name() -> None:
    spec = OutputSpec(name="clause", schema={"type": "object"})
    assert spec.json_schema == {"type": "object"}
    assert spec.model_dump(by_alias=True)["schema"] == {"type": "object"}


@pytest.mark.parametrize("model", ["anthropic/claude-sonnet-5-5", "mistral/mistral-medium-3-5"])
def test_codecs_without_tools_refuse_them_before_sending(model: str) -> None:
    client = AsyncClient(sandbox=True)
    with pytest.raises(ToolsNotSupportedError, match="tools are not supported"):
        client.prepare(model, "hi", tools=[ToolSpec(name="f")])
    history = [Message.user("hi"), _turn().to_message(), _turn().tool_results({"convert": 1, "lookup": 2})]
    with pytest.raises(ToolsNotSupportedError):
        client.prepare(model, history)
