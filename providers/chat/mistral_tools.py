"""Mistral chat completions: tools, tool turns and structured output (the request side).

Wire facts (wire/tools-batch.md section 7; mistralai 3.7 `models/chatcompletionrequest.py`, `tool.py`,
`function.py`, `toolmessage.py`, `jsonschema.py`, `extra/utils/response_format.py`):

* Tools in the Chat shape: `{"type": "function", "function": {"name", "description", "parameters"[,
  "strict"]}}`; `strict` only when a tool asks (the schema then closed as the SDK closes it).
* `tool_choice`: auto | none | any | required, or `{"type": "function", "function": {"name"}}`;
  `parallel_tool_calls`.
* Results: `{"role": "tool", "tool_call_id", "name", "content"}`, one per call, right after the
  assistant message that made the calls.
* Call ids must be exactly nine of a-z, A-Z, 0-9, in every message sent (400 "Tool call id was turn1_0
  but must be a-z, A-Z, 0-9, with a length of 9.", code 3280): ids made by other providers are
  rewritten (tool_ids.py), calls and results alike, and the result's note says so.
* Structured output: `response_format: {"type": "json_schema", "json_schema": {"name", "schema",
  "strict": true}}` with every object closed, as the SDK's `response_format_from_pydantic_model` sends
  it; a schema that cannot be closed (a free-form mapping) goes non-strict, with a note.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import ToolDefinitionError
from ..schemas import NAME_RULES, for_mistral
from ..tools import check_names, check_tool_choice
from ..types import ChatRequest, Message
from .base import short_call_id
from .tool_ids import rewrite_ids

__all__ = ["check_tools", "mistral_ids", "output_fields", "tool_fields"]

TOOL_CHOICES = ("auto", "none", "any", "required")
_ID = re.compile(r"^[a-zA-Z0-9]{9}$")


def mistral_ids(messages: list[Message]) -> tuple[list[Message], int]:
    """The messages with call ids Mistral refuses rewritten to nine stable alphanumerics."""
    return rewrite_ids(messages, lambda i: bool(_ID.match(i)), short_call_id)


def check_tools(request: ChatRequest) -> list[str]:
    """Refuse what Mistral would reject about tools and output=, before any request; notes."""
    notes: list[str] = []
    check_names(request.tools, NAME_RULES["openai"], request.provider)
    for spec in request.tools:
        if spec.strict is True and not (adapted := for_mistral(spec.parameters)).strict_ok:
            raise ToolDefinitionError(
                f"tool {spec.name!r} cannot be strict on {request.provider}: {'; '.join(adapted.why)}; "
                "pass strict=False or change the parameter types",
                tool=spec.name,
                provider=request.provider,
            )
    check_tool_choice(request, TOOL_CHOICES)
    _, rewritten = mistral_ids(request.messages)
    if rewritten:
        notes.append(
            f"{rewritten} tool call id(s) from another provider rewritten to Mistral's nine-character form, "
            "in the calls and their results alike"
        )
    if request.output is not None:
        adapted = for_mistral(request.output.json_schema)
        if request.output.strict and not adapted.strict_ok:
            notes.append(f"structured output sent non-strict: {'; '.join(adapted.why)}")
        else:
            notes.append(
                f"structured output: json_schema {request.output.name!r}, strict={request.output.strict}"
            )
    return notes


def tool_fields(request: ChatRequest) -> dict[str, Any]:
    """`tools`, `tool_choice`, `parallel_tool_calls` in Mistral's shape."""
    fields: dict[str, Any] = {}
    if request.tools:
        tools = []
        for spec in request.tools:
            function: dict[str, Any] = {"name": spec.name, "description": spec.description}
            if spec.strict is True:
                function["parameters"], function["strict"] = for_mistral(spec.parameters).schema, True
            else:
                function["parameters"] = spec.parameters
                if spec.strict is False:
                    function["strict"] = False
            tools.append({"type": "function", "function": function})
        fields["tools"] = tools
    choice = request.tool_choice
    if choice is not None:
        fields["tool_choice"] = (
            choice if choice in TOOL_CHOICES else {"type": "function", "function": {"name": choice}}
        )
    if request.parallel_tool_calls is not None:
        fields["parallel_tool_calls"] = request.parallel_tool_calls
    return fields


def output_fields(request: ChatRequest) -> dict[str, Any]:
    """`response_format` for output=: json_schema, strict with every object closed when it can be."""
    spec = request.output
    if spec is None:
        return {}
    adapted = for_mistral(spec.json_schema)
    strict = spec.strict and adapted.strict_ok
    schema = adapted.schema if strict else spec.json_schema
    return {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": spec.name, "schema": schema, "strict": strict},
        }
    }
