"""Renderers for tool steps and structured output: escaped, cut, readable."""

from __future__ import annotations

from pydantic import BaseModel

from llmkit_nb.display.render import render_chat, render_plain_chat
from llmkit_nb.display.render_tools import (
    BODY_LIMIT,
    SUMMARY_LIMIT,
    call_summary,
    render_output,
    render_tool_call,
)
from providers.types import ChatResult, TextPart, ThinkingPart, ToolCall, ToolCallPart, ToolResultPart


def call(content: str, *, error: bool = False, args: dict | None = None) -> ToolCall:
    part = ToolCallPart(id="c1", name="lookup", arguments=args or {"q": "<b>x</b>"}, provider="openai")
    result = ToolResultPart(call_id="c1", name="lookup", content=content, is_error=error)
    return ToolCall(part=part, result=result, step=0, duration_s=0.012)


def test_tool_panel_escapes_and_cuts() -> None:
    html = render_tool_call(call("<script>alert(1)</script>" + "y" * 10_000))
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>x</b>" not in html
    assert (
        html.count("y") < BODY_LIMIT + SUMMARY_LIMIT + 20 and "…" in html
    )  # (the summary line has some too)
    assert len(call_summary(call("z" * 500))) == SUMMARY_LIMIT


def test_error_panels_are_marked() -> None:
    html = render_tool_call(call("RuntimeError: broken", error=True))
    assert "llmkit-tool-error" in html and "error: RuntimeError: broken" in html


def test_steps_come_between_reasoning_and_answer() -> None:
    first = ChatResult(
        provider="openai",
        model="m",
        parts=[ThinkingPart(text="need a lookup", provider="openai"), call("42").part],
    )
    last = ChatResult(provider="openai", model="m", parts=[TextPart(text="It is 42.")])
    r = last.model_copy(update={"steps": [first, last], "calls": [call("42")]})
    html = render_chat(r)
    assert html.index("need a lookup") < html.index("lookup(q=") < html.index("It is 42.")
    assert render_plain_chat(r).splitlines()[0].startswith("[tool] lookup(q='<b>x</b>') → 42")


class Inner(BaseModel):
    city: str


class Outer(BaseModel):
    name: str
    places: list[Inner]
    note: str | None = None


def test_output_table_nests_and_escapes() -> None:
    html = render_output(Outer(name="<i>a</i>", places=[Inner(city="Paris"), Inner(city="Oslo")]))
    assert "<th>city</th>" in html and "<td>Paris</td>" in html  # a list of objects is a table
    assert "&lt;i&gt;a&lt;/i&gt;" in html and "<i>a</i>" not in html
    assert "null" in html and "<summary>JSON</summary>" in html
    assert "<ol>" in render_output([1, "two"])
