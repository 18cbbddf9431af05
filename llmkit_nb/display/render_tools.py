"""Pure renderers for tool loops and structured output (used by render.py).

A tool loop's turns are drawn between the reasoning and the answer: each earlier turn's reasoning
panel and words, then one collapsible panel per call -- a one-line summary (`convert(value=3.2) ->
10498.69`), the arguments and the result (or error) inside. A structured answer is drawn as a table
(nested objects as nested tables, lists of objects as a table with a row each) beside its JSON.
Everything here is provider text or the user's tool output: all of it escaped, long values cut.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape
from typing import Any

import pydantic

from providers.types import ChatResult, ToolCall, ToolCallPart

__all__ = [
    "TOOLS_CSS",
    "output_data",
    "plain_output",
    "plain_steps",
    "render_output",
    "render_steps",
    "render_tool_call",
]

SUMMARY_LIMIT = 120  # characters of a call's one-line summary
BODY_LIMIT = 4000  # characters of arguments or results shown inside the panel
CELL_LIMIT = 300  # characters of one table cell
DEPTH_LIMIT = 6

TOOLS_CSS = """
.llmkit-chat details.llmkit-tool{background:transparent;border-style:dashed}
.llmkit-chat details.llmkit-tool>summary{font-family:var(--jp-code-font-family,monospace);font-size:.85em}
.llmkit-chat .llmkit-tool-error>summary{color:var(--jp-error-color1,#d32f2f)}
.llmkit-chat .llmkit-tool-label{font-size:.8em;font-weight:600;margin-top:.3em}
.llmkit-chat .llmkit-step-text{font-size:.95em;margin:.3em 0}
.llmkit-chat .llmkit-output{margin:.4em 0}
.llmkit-chat .llmkit-output td>table{margin:0}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _compact(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def call_summary(call: ToolCall) -> str:
    """`name(a=1, b='x') -> result` on one line (cut to SUMMARY_LIMIT)."""
    args = ", ".join(f"{k}={_compact(v)}" for k, v in call.arguments.items())
    if call.part.invalid_json:
        args = _cut(call.part.raw_arguments or "", 60)
    head = f"{call.name}({args})"
    if call.result is None:
        tail = "not run"
    elif call.result.is_error:
        tail = f"error: {' '.join(call.result.content.split())}"
    else:
        tail = " ".join(call.result.content.split())
    return _cut(f"{head} → {tail}", SUMMARY_LIMIT)


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def render_tool_call(call: ToolCall) -> str:
    """One call as a collapsible panel: summary line, then arguments and result (escaped, cut)."""
    error = call.result is not None and call.result.is_error
    args = (
        call.part.raw_arguments
        if call.part.invalid_json
        else json.dumps(call.arguments, indent=2, ensure_ascii=False)
    )
    body = f'<div class="llmkit-tool-label">arguments</div><pre>{_e(_cut(args or "{}", BODY_LIMIT))}</pre>'
    if call.result is not None:
        label = "error" if error else "result"
        body += f'<div class="llmkit-tool-label">{label}</div><pre>{_e(_cut(_pretty(call.result.content), BODY_LIMIT))}</pre>'
    else:
        body += '<div class="llmkit-muted">not run</div>'
    meta = [f"call id {call.id}"]
    if call.duration_s is not None:
        meta.append(f"{call.duration_s * 1000:.0f} ms" if call.duration_s < 1 else f"{call.duration_s:.2f} s")
    body += f'<div class="llmkit-muted">{_e(" · ".join(meta))}</div>'
    cls = "llmkit-tool llmkit-tool-error" if error else "llmkit-tool"
    return f'<details class="{cls}"><summary>tool · {_e(call_summary(call))}</summary>{body}</details>'


def _calls_by_step(result: ChatResult) -> dict[int, list[ToolCall]]:
    by_step: dict[int, list[ToolCall]] = {}
    for call in result.tool_calls:
        by_step.setdefault(call.step, []).append(call)
    return by_step


def render_steps(
    result: ChatResult, reasoning_panel: Callable[[ChatResult], str], markdown: Callable[[str], str]
) -> str:
    """The turns before the answer: each one's reasoning, words and calls (empty for a single turn)."""
    by_step = _calls_by_step(result)
    steps = result.steps[:-1] if result.steps else []
    out = []
    for i, step in enumerate(steps):
        out.append(reasoning_panel(step))
        if step.text.strip():
            out.append(f'<div class="llmkit-step-text">{markdown(step.text)}</div>')
        out += [render_tool_call(c) for c in by_step.get(i, [])]
    return "".join(out)


def render_last_calls(result: ChatResult) -> str:
    """Calls of the final turn (unrun: the loop stopped, or run_tools=False)."""
    last = len(result.steps) - 1 if result.steps else 0
    calls = [c for c in result.tool_calls if c.step == last and isinstance(c.part, ToolCallPart)]
    return "".join(render_tool_call(c) for c in calls)


def plain_steps(result: ChatResult) -> list[str]:
    """One text line per call: `[tool] name(args) -> result`."""
    return [f"[tool] {call_summary(c)}" for c in result.tool_calls]


# --- structured output -------------------------------------------------------------------------------


def output_data(value: Any) -> Any:
    """A structured output as plain JSON data (pydantic models and types dumped the way pydantic does)."""
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json")
    try:
        return pydantic.TypeAdapter(type(value)).dump_python(value, mode="json")
    except (pydantic.PydanticSchemaGenerationError, TypeError, ValueError):
        return value


def _table(value: Any, depth: int = 0) -> str:
    if depth > DEPTH_LIMIT:
        return f"<code>{_e(_cut(_compact(value), CELL_LIMIT))}</code>"
    if isinstance(value, dict):
        if not value:
            return '<span class="llmkit-muted">{}</span>'
        rows = "".join(f"<tr><th>{_e(k)}</th><td>{_table(v, depth + 1)}</td></tr>" for k, v in value.items())
        return f"<table>{rows}</table>"
    if isinstance(value, list):
        if not value:
            return '<span class="llmkit-muted">[]</span>'
        keys = list(value[0]) if isinstance(value[0], dict) else None
        if keys and all(isinstance(v, dict) and list(v) == keys for v in value):
            head = "".join(f"<th>{_e(k)}</th>" for k in keys)
            body = "".join(
                "<tr>" + "".join(f"<td>{_table(row[k], depth + 1)}</td>" for k in keys) + "</tr>"
                for row in value
            )
            return f"<table><tr>{head}</tr>{body}</table>"
        items = "".join(f"<li>{_table(v, depth + 1)}</li>" for v in value)
        return f"<ol>{items}</ol>"
    if value is None:
        return '<span class="llmkit-muted">null</span>'
    if isinstance(value, bool | int | float):
        return f"<code>{_e(json.dumps(value))}</code>"
    return _e(_cut(str(value), CELL_LIMIT))


def render_output(value: Any) -> str:
    """A structured output: a readable table, and its JSON in a collapsible panel beside it."""
    data = output_data(value)
    dumped = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    title = type(value).__name__
    return (
        f'<div class="llmkit-output"><div class="llmkit-muted">structured output · {_e(title)}</div>'
        f"{_table(data)}"
        f"<details><summary>JSON</summary><pre>{_e(_cut(dumped, BODY_LIMIT * 4))}</pre></details></div>"
    )


def plain_output(value: Any) -> str:
    """A structured output for text/plain: its repr, cut."""
    return _cut(repr(value), 2000)
