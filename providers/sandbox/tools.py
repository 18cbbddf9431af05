"""The sandbox model's tool use and structured answers, the same for every dialect (pure functions).

What it does with a request that offers tools (each dialect extracts a `ToolView` from its own shape):

* If tool results follow the last user message, it answers from them ("The tools returned: ...").
* Else, unless `tool_choice` is "none", it calls a tool: the one `tool_choice` names, else the first
  offered tool whose name appears in the prompt, else the first offered tool; with arguments that
  satisfy the tool's schema (`example`): numbers in the prompt fill number parameters in order, the rest
  are the schema's first enum value, its default, or a value of the right type and format.
* A directive in the last user message chooses the call: `sandbox: call NAME {"arg": 1}` (several
  directives make parallel calls; the JSON object is optional, `{}` by default, and is sent as given,
  valid for the schema or not, so a test can send bad arguments). `sandbox: answer` makes it answer
  without calling anything. The `x-sandbox-tool` header takes the same `NAME {json}` text.

Structured output: the answer is `example(schema)` as compact JSON, so it always validates; a last user
message containing `sandbox: refuse` makes it refuse instead, and `sandbox: bad json` answers text that
is not JSON (to test both paths).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ToolCallPlan", "ToolView", "answer_from_results", "example", "plan_calls", "structured_answer"]

_DIRECTIVE = re.compile(r"sandbox:\s*call\s+([A-Za-z0-9_.:-]+)")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?")
_FORMATS = {
    "date": "2026-01-15",
    "date-time": "2026-01-15T09:30:00Z",
    "time": "09:30:00",
    "duration": "P1D",
    "email": "someone@example.com",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "uri": "https://example.com/",
}


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


def _resolve(node: Any, root: Mapping[str, Any]) -> Any:
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        ref = node["$ref"]
        target: Any = root
        for key in ref.lstrip("#/").split("/") if ref != "#" else []:
            target = target.get(key) if isinstance(target, dict) else None
        node = {**(target or {}), **{k: v for k, v in node.items() if k != "$ref"}}
        seen += 1
    return node


def example(schema: Any, root: Mapping[str, Any] | None = None, numbers: list[float] | None = None) -> Any:
    """A value that satisfies `schema` (deterministic). `numbers` are used up by number fields in order."""
    root = root if root is not None else (schema if isinstance(schema, dict) else {})
    node = _resolve(schema, root)
    if not isinstance(node, dict):
        return None
    if "const" in node:
        return node["const"]
    if node.get("enum"):
        return node["enum"][0]
    for key in ("anyOf", "oneOf"):
        options = [o for o in node.get(key) or [] if _resolve(o, root).get("type") != "null"]
        if options:
            return example(options[0], root, numbers)
    if isinstance(node.get("allOf"), list) and node["allOf"]:
        merged: dict[str, Any] = {}
        for sub in node["allOf"]:
            merged |= _resolve(sub, root)
        return example(merged, root, numbers)
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in node else "string"
    if kind == "object":
        props = node.get("properties") or {}
        required = node.get("required")
        names = list(props) if required is None and node.get("additionalProperties") is False else required
        names = [n for n in props if n in set(names or [])]
        return {n: example(props[n], root, numbers) for n in names}
    if kind == "array":
        count = max(1, int(node.get("minItems") or 0))
        if node.get("maxItems") is not None:
            count = min(count, int(node["maxItems"]))
        return [example(node.get("items") or {}, root, numbers) for _ in range(count)]
    if kind in ("number", "integer"):
        return _number(node, kind, numbers)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(node)


def _number(node: Mapping[str, Any], kind: str, numbers: list[float] | None) -> float | int:
    value: float = numbers.pop(0) if numbers else 1
    low = node.get("minimum", node.get("exclusiveMinimum"))
    high = node.get("maximum", node.get("exclusiveMaximum"))
    if low is not None and value < low:
        value = low + (1 if "exclusiveMinimum" in node else 0)
    if high is not None and value > high:
        value = high - (1 if "exclusiveMaximum" in node else 0)
    return int(value) if kind == "integer" else value


def _string(node: Mapping[str, Any]) -> str:
    if isinstance(node.get("default"), str):
        return str(node["default"])
    text = _FORMATS.get(str(node.get("format")), "example")
    low, high = node.get("minLength"), node.get("maxLength")
    if isinstance(low, int) and len(text) < low:
        text = text + "x" * (low - len(text))
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    return text


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
    args = example(schema, schema, numbers)
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


def structured_answer(schema: Mapping[str, Any], question: str) -> tuple[str, bool]:
    """(the JSON answer text, refused?) for a structured-output request."""
    if "sandbox: refuse" in question:
        return "I'm sorry, I can't help with that request (sandbox refusal).", True
    if "sandbox: bad json" in question:
        return 'Here it is: {"not": json', False
    return json.dumps(example(dict(schema)), separators=(",", ":"), ensure_ascii=False), False
