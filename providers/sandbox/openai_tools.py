"""Tools and structured output in OpenAI's two dialects (Responses, Chat Completions), for the sandbox.

Reads a request's tools, tool_choice, tool results and output format into the dialect-neutral
`ToolView` (sandbox/tools.py decides what the model does), and writes the calls back the way each API
does: Responses `function_call` output items (`fc_...` item id, `call_id`), streamed as
`response.output_item.added` -> `response.function_call_arguments.delta`... -> `.done` ->
`response.output_item.done`; Chat `message.tool_calls[]` with `finish_reason: "tool_calls"`, streamed
as fragments keyed by `index` (id, type and name in the first fragment, then argument pieces). Shapes:
wire/tools-batch.md 1.2, 2.2 (captured from openai 3.60 and parsed by its stream accumulators).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from . import text as T
from .tools import ToolCallPlan, ToolView

_SCHEMA_BLOCK = re.compile(r"JSON Schema:?\s*```(?:json)?\s*(\{.*?\})\s*```", re.S)

__all__ = [
    "chat_call_id",
    "chat_format",
    "chat_tool_calls",
    "chat_tool_deltas",
    "chat_view",
    "function_call_item",
    "prompt_schema",
    "responses_format",
    "responses_view",
    "split_arguments",
]


def _choice(raw: Any) -> str | None:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, dict):
        if isinstance(raw.get("name"), str):
            return str(raw["name"])  # Responses {"type":"function","name"}
        function = raw.get("function")
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            return str(function["name"])  # Chat {"type":"function","function":{"name"}}
        if raw.get("type") == "allowed_tools":
            mode = raw.get("mode") or (raw.get("allowed_tools") or {}).get("mode")
            return str(mode) if isinstance(mode, str) else None
    return None


def _tools(raw: Any, nested: bool) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for tool in raw if isinstance(raw, list) else []:
        if not isinstance(tool, dict) or tool.get("type") != "function":
            continue
        spec = tool.get("function") if nested else tool
        if isinstance(spec, dict) and isinstance(spec.get("name"), str):
            params = spec.get("parameters")
            out.append((spec["name"], params if isinstance(params, dict) else {"type": "object"}))
    return out


def responses_view(body: Mapping[str, Any], headers: Mapping[str, str]) -> ToolView:
    """The tool view of a Responses request (input items after the last user message are this turn's)."""
    items = body.get("input")
    items = items if isinstance(items, list) else [{"role": "user", "content": items}]
    names: dict[str, str] = {}
    question, results = "", list[tuple[str, str, bool]]()
    for item in items:
        if not isinstance(item, dict):
            continue
        if item.get("role") == "user" and item.get("type", "message") == "message":
            question, results = T.content_text(item.get("content")), []
        elif item.get("type") == "function_call":
            names[str(item.get("call_id"))] = str(item.get("name"))
        elif item.get("type") == "function_call_output":
            output = item.get("output")
            content = output if isinstance(output, str) else T.content_text(output)
            results.append((names.get(str(item.get("call_id")), "tool"), content, False))
    return ToolView(
        tools=_tools(body.get("tools"), nested=False),
        choice=_choice(body.get("tool_choice")),
        question=question,
        results=results,
        header=headers.get("x-sandbox-tool"),
    )


def chat_view(body: Mapping[str, Any], headers: Mapping[str, str]) -> ToolView:
    """The tool view of a Chat Completions request (`role: "tool"` messages after the last user one)."""
    names: dict[str, str] = {}
    question, results = "", list[tuple[str, str, bool]]()
    for message in body.get("messages") or []:
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        if role == "user":
            question, results = T.content_text(message.get("content")), []
        elif role == "assistant":
            for call in message.get("tool_calls") or []:
                if isinstance(call, dict) and isinstance(call.get("function"), dict):
                    names[str(call.get("id"))] = str(call["function"].get("name"))
        elif role == "tool":
            content = T.content_text(message.get("content"))
            results.append((names.get(str(message.get("tool_call_id")), "tool"), content, False))
    return ToolView(
        tools=_tools(body.get("tools"), nested=True),
        choice=_choice(body.get("tool_choice")),
        question=question,
        results=results,
        header=headers.get("x-sandbox-tool"),
    )


def responses_format(body: Mapping[str, Any]) -> dict[str, Any] | None:
    """The json_schema (or json_object) format a Responses request asks for, if any."""
    text = body.get("text")
    fmt = text.get("format") if isinstance(text, dict) else None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and isinstance(fmt.get("schema"), dict):
        return dict(fmt["schema"])
    if isinstance(fmt, dict) and fmt.get("type") == "json_object":
        return {"type": "object"}
    return None


def prompt_schema(texts: list[str]) -> dict[str, Any]:
    """The JSON Schema a JSON-mode prompt spells out (a fenced json block after "JSON Schema"), as the
    model would read it; an open object when there is none."""
    for text in reversed(texts):
        match = _SCHEMA_BLOCK.search(text)
        if match:
            try:
                schema = json.loads(match.group(1))
            except ValueError:
                continue
            if isinstance(schema, dict):
                return schema
    return {"type": "object"}


def chat_format(body: Mapping[str, Any]) -> dict[str, Any] | None:
    """The json_schema (or json_object) format a Chat request asks for, if any."""
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema")
        if isinstance(spec, dict) and isinstance(spec.get("schema"), dict):
            return dict(spec["schema"])
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    texts = [T.content_text(m.get("content")) for m in messages if m.get("role") in ("system", "developer")]
    if isinstance(fmt, dict) and fmt.get("type") == "json_object":
        return prompt_schema(texts + [T.content_text(m.get("content")) for m in messages])
    if any(_SCHEMA_BLOCK.search(t) for t in texts):
        return prompt_schema(texts)  # no JSON mode: the model follows the schema its instructions spell out
    return None


def function_call_item(
    serial: str, index: int, call: ToolCallPlan, status: str = "completed"
) -> dict[str, Any]:
    """A Responses `function_call` output item."""
    return {
        "id": f"fc_{serial}_{index}",
        "type": "function_call",
        "status": status,
        "arguments": call.arguments if status == "completed" else "",
        "call_id": f"call_{serial}_{index}",
        "name": call.name,
    }


def split_arguments(arguments: str) -> list[str]:
    """Argument text in a few stream pieces whose concatenation is exactly the text."""
    if len(arguments) <= 4:
        return [arguments]
    step = max(1, len(arguments) // 3)
    return [arguments[i : i + step] for i in range(0, len(arguments), step)]


def chat_call_id(serial: str, index: int) -> str:
    """OpenAI's call id form (`call_...`)."""
    return f"call_{serial}_{index}"


def chat_tool_calls(
    serial: str, calls: list[ToolCallPlan], call_id: Callable[[str, int], str] = chat_call_id
) -> list[dict[str, Any]]:
    """`message.tool_calls` of a Chat completion."""
    return [
        {
            "id": call_id(serial, i),
            "type": "function",
            "function": {"name": c.name, "arguments": c.arguments},
        }
        for i, c in enumerate(calls)
    ]


def chat_tool_deltas(
    serial: str,
    calls: list[ToolCallPlan],
    *,
    whole: bool = False,
    call_id: Callable[[str, int], str] = chat_call_id,
) -> list[dict[str, Any]]:
    """Stream deltas of Chat tool calls: per index, id/type/name with "" arguments, then the pieces
    (`whole=True`: each call complete in one delta, as Mistral and DeepSeek-style servers send them)."""
    deltas: list[dict[str, Any]] = []
    for i, call in enumerate(calls):
        head = {"index": i, "id": call_id(serial, i), "type": "function"}
        if whole:
            deltas.append(
                {"tool_calls": [{**head, "function": {"name": call.name, "arguments": call.arguments}}]}
            )
            continue
        deltas.append({"tool_calls": [{**head, "function": {"name": call.name, "arguments": ""}}]})
        for piece in split_arguments(call.arguments):
            deltas.append({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
    return deltas
