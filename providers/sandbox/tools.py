"""The sandbox model's tool use and structured answers, the same for every dialect (pure functions).

What it does with a request that offers tools (each dialect extracts a `ToolView` from its own shape):

* If tool results follow the last user message, it answers from them ("The tools returned: ...").
* Else, unless `tool_choice` is "none", it calls a tool: the one `tool_choice` names, else the first
  offered tool whose name appears in the prompt, else the first offered tool; with arguments that
  satisfy the tool's schema (`schemas.example`): numbers in the prompt fill number parameters in order,
  words of the prompt that are enum values fill enum parameters (a word right after a number first), the
  rest are the schema's first enum value, its default, or a value of the right type and format.
* A directive in the last user message chooses the call: `sandbox: call NAME {"arg": 1}` (several
  directives make parallel calls; the JSON object is optional, `{}` by default, and is sent as given,
  valid for the schema or not, so a test can send bad arguments). `sandbox: answer` makes it answer
  without calling anything. The `x-sandbox-tool` header takes the same `NAME {json}` text.

Structured output: the answer is `schemas.example(schema)` as compact JSON, so it always validates; a last user
message containing `sandbox: refuse` makes it refuse instead, and `sandbox: bad json` answers text that
is not JSON (to test both paths).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..schemas import example

__all__ = ["ToolCallPlan", "ToolView", "answer_from_results", "plan_calls", "structured_answer"]

_DIRECTIVE = re.compile(r"sandbox:\s*call\s+([A-Za-z0-9_.:-]+)")
_NUMBER = re.compile(r"(?<![\w.-])\d+(?:\.\d+)?")  # (not the 14 of carbon-14)
_WORD = re.compile(r"(\d+(?:\.\d+)?)?\s*([A-Za-z_][\w-]*)")


@dataclass
class ToolView:
    """What a request says about tools, whatever its dialect."""

    tools: list[tuple[str, dict[str, Any]]]  # (name, parameters schema) in the order offered
    choice: str | None  # "auto", "none", "required", or a tool name
    question: str  # the last user text
    results: list[tuple[str, str, bool]] = field(default_factory=list)  # (name, content, is_error) since then
    header: str | None = None  # the x-sandbox-tool header


@dataclass(frozen=True)
class ToolCallPlan:
    name: str
    arguments: str  # the JSON text the sandbox model writes


def _directives(text: str) -> list[ToolCallPlan]:
    """`sandbox: call NAME {json}` directives: the JSON object as written (up to its closing brace when
    it is not valid JSON), or {} when none follows the name."""
    calls = []
    for match in _DIRECTIVE.finditer(text):
        rest = text[match.end() :]
        start = len(rest) - len(rest.lstrip())
        args = "{}"
        if rest[start : start + 1] == "{":
            try:
                _, end = json.JSONDecoder().raw_decode(rest, start)
            except ValueError:
                end = rest.find("}", start) + 1 or len(rest)
            args = rest[start:end]
        calls.append(ToolCallPlan(match.group(1), args))
    return calls


def _words(text: str) -> list[str]:
    """The prompt's words for enum fields: a word right after a number first ("3.2 km"), then the rest
    in order -- so "How many ft is 3.2 km?" converts from km to ft."""
    after_number: list[str] = []
    others: list[str] = []
    for number, word in _WORD.findall(text):
        (after_number if number else others).append(word)
    return after_number + others


def plan_calls(view: ToolView) -> list[ToolCallPlan]:
    """The calls the sandbox model makes for this request ([] when it answers instead)."""
    if not view.tools or view.results or view.choice == "none":
        return []
    if "sandbox: answer" in view.question and view.choice in (None, "auto"):
        return []
    chosen = _directives(view.question) or (
        _directives(f"sandbox: call {view.header}") if view.header else []
    )
    if chosen:
        return chosen
    names = [name for name, _ in view.tools]
    if view.choice in names:
        pick = str(view.choice)
    else:
        lowered = view.question.lower()
        pick = next((n for n in names if n.lower() in lowered), names[0])
    schema = dict(view.tools)[pick]
    numbers = [float(n) if "." in n else int(n) for n in _NUMBER.findall(view.question)]
    args = example(schema, schema, numbers, _words(view.question))
    return [ToolCallPlan(pick, json.dumps(args if isinstance(args, dict) else {}, separators=(",", ":")))]


def answer_from_results(question: str, results: list[tuple[str, str, bool]]) -> str:
    """The sandbox model's answer after its tools ran."""
    said = []
    for name, content, is_error in results:
        shown = " ".join(content.split())
        shown = shown if len(shown) <= 160 else shown[:159] + "…"
        said.append(f"{name} failed ({shown})" if is_error else f"{name} returned {shown}")
    q = " ".join(question.split())
    return f'You asked: "{q}". The tools: {"; ".join(said)}. In the sandbox, the answer restates them.'


def structured_answer(
    schema: Mapping[str, Any], question: str, results: Sequence[tuple[str, str, bool]] = ()
) -> tuple[str, bool]:
    """(the JSON answer text, refused?) for a structured-output request; number fields take the numbers
    the tools returned, in order."""
    if "sandbox: refuse" in question:
        return "I'm sorry, I can't help with that request (sandbox refusal).", True
    if "sandbox: bad json" in question:
        return 'Here it is: {"not": json', False
    numbers = [
        float(n) if "." in n else int(n) for _, content, _ in results for n in _NUMBER.findall(content)
    ]
    value = example(dict(schema), dict(schema), numbers)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False), False
