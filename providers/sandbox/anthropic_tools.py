"""Tools and structured output in Anthropic's dialect, for the sandbox (shapes: wire/tools-batch.md 3).

Reads a Messages request's `tools`, `tool_choice`, `tool_use`/`tool_result` history and
`output_config.format` into the dialect-neutral `ToolView` (sandbox/tools.py decides what the model
does), and writes the calls back as Anthropic does: `tool_use` content blocks (`toolu_...` ids, `input`
an object) with `stop_reason: "tool_use"`, streamed as `content_block_start` (input `{}`) then
`input_json_delta` fragments (the first one empty, as the API sends it) and `content_block_stop`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from . import text as T
from .openai_tools import split_arguments
from .tools import ToolCallPlan, ToolView

__all__ = ["forced", "output_schema", "tool_use_blocks", "tool_use_frames", "view"]


def _choice(raw: Any) -> str | None:
    if not isinstance(raw, dict):
        return None
    kind = raw.get("type")
    if kind == "tool" and isinstance(raw.get("name"), str):
        return str(raw["name"])
    return {"auto": "auto", "any": "required", "none": "none"}.get(str(kind))


def forced(body: Mapping[str, Any]) -> bool:
    """Whether `tool_choice` forces a tool call (`any` or `tool`)."""
    choice = body.get("tool_choice")
    return isinstance(choice, dict) and choice.get("type") in ("any", "tool")


def _text(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, list) and any(isinstance(b, dict) and b.get("type") == "text" for b in content):
        return T.content_text(content)
    return None


def _result_text(content: Any) -> str:
    return content if isinstance(content, str) else T.content_text(content)


def view(body: Mapping[str, Any], headers: Mapping[str, str]) -> ToolView:
    """The tool view of a Messages request: tool results after the last user text are this turn's."""
    names: dict[str, str] = {}
    question, results = "", list[tuple[str, str, bool]]()
    for message in body.get("messages") or []:
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        blocks = content if isinstance(content, list) else []
        if message.get("role") == "assistant":
            for block in blocks:
                if isinstance(block, dict) and block.get("type") == "tool_use":
                    names[str(block.get("id"))] = str(block.get("name"))
            continue
        if (text := _text(content)) is not None:
            question, results = text, []
        for block in blocks:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                name = names.get(str(block.get("tool_use_id")), "tool")
                results.append((name, _result_text(block.get("content")), block.get("is_error") is True))
    tools = []
    for tool in body.get("tools") or []:
        if isinstance(tool, dict) and isinstance(tool.get("name"), str):
            schema = tool.get("input_schema")
            tools.append((str(tool["name"]), schema if isinstance(schema, dict) else {"type": "object"}))
    return ToolView(
        tools=tools,
        choice=_choice(body.get("tool_choice")),
        question=question,
        results=results,
        header=headers.get("x-sandbox-tool"),
    )


def output_schema(body: Mapping[str, Any]) -> dict[str, Any] | None:
    """The JSON schema `output_config.format` asks the answer to fit, if any."""
    config = body.get("output_config")
    fmt = config.get("format") if isinstance(config, dict) else None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and isinstance(fmt.get("schema"), dict):
        return dict(fmt["schema"])
    return None


def _call_id(serial: str, index: int) -> str:
    return f"toolu_01{serial[:20]}{index}"


def _input(call: ToolCallPlan) -> Any:
    try:
        return json.loads(call.arguments)
    except ValueError:
        return {}  # (a directive's broken JSON: the API always sends an object; the stream sends the text)


def tool_use_blocks(serial: str, calls: list[ToolCallPlan]) -> list[dict[str, Any]]:
    """The `tool_use` content blocks of a message."""
    return [
        {
            "type": "tool_use",
            "id": _call_id(serial, i),
            "name": c.name,
            "input": _input(c),
            "caller": {"type": "direct"},
        }
        for i, c in enumerate(calls)
    ]


def tool_use_frames(serial: str, calls: list[ToolCallPlan], first_index: int) -> list[dict[str, Any]]:
    """The stream events of the `tool_use` blocks, from block index `first_index` on."""
    events: list[dict[str, Any]] = []
    for i, call in enumerate(calls):
        index = first_index + i
        block = {
            "type": "tool_use",
            "id": _call_id(serial, i),
            "name": call.name,
            "input": {},
            "caller": {"type": "direct"},
        }
        events.append({"type": "content_block_start", "index": index, "content_block": block})
        for piece in ["", *split_arguments(call.arguments)]:
            delta = {"type": "input_json_delta", "partial_json": piece}
            events.append({"type": "content_block_delta", "index": index, "delta": delta})
        events.append({"type": "content_block_stop", "index": index})
    return events
