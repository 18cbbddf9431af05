"""Schema violations worded the way each provider words them (status, error JSON, message).

Sources for the wording (captured from the live APIs by their users; dates are when captured):
* OpenAI: `Unknown parameter: 'input[4].action.query'.` (code unknown_parameter, param = the path;
  pydantic/pydantic-ai#3653, 2025), `Invalid type for 'n': expected an integer, but got a string
  instead.` (invalid_type), `Invalid value: 'bogus'. Supported values are: 'auto', 'default', and
  'flex'.` (invalid_value), `Missing required parameter: 'messages[0].role'.`
  (missing_required_parameter), and the order they are reported in (a missing parameter, then an
  unknown one, then the rest): a table of errors captured against api.openai.com on 2026-08-30 in a
  public OpenAI-compatible proxy's test suite (found through the code search; the repository is not
  named by the index); `Unknown parameter: 'reasoning'.` on /v1/chat/completions
  (teabranch/open-responses-server#41).
* Anthropic (pydantic): `messages.1.content.0: Input tag 'compaction' found using 'type' does not
  match any of the expected tags: ...`, `messages.0.content: Input should be a valid list`,
  `temperature: Extra inputs are not permitted` (wire/delta-2026-11.md section 1.2),
  `thinking.enabled.budget_tokens: Input should be greater than or equal to 1024`.
* Gemini / Vertex (proto JSON): `Invalid JSON payload received. Unknown name "id" at
  'contents[1].parts[0].function_call': Cannot find field.`, one line per unknown name, paths in
  snake_case; a value of the wrong type: `Invalid value at 'generation_config.max_output_tokens'
  (TYPE_INT32), "abc"`.
* Mistral: FastAPI's 422 `{"detail": [{"type": "extra_forbidden", "loc": ["body", ...], "msg":
  "Extra inputs are not permitted", "input": ...}]}` (mistralai's `HTTPValidationError`).
* ElevenLabs: FastAPI's 422 `{"detail": [{"loc", "msg", "type"}]}`. Deepgram: `{"err_code": "Bad
  Request", "err_msg", "request_id"}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from ..wire import Reply
from .schema import SchemaDoc, Violation, json_type

__all__ = [
    "anthropic_report",
    "deepgram_report",
    "fastapi_report",
    "gemini_report",
    "mistral_report",
    "openai_report",
    "pydantic_message",
]

ErrorFn = Callable[..., Reply]


def _quoted(values: Sequence[Any], last: str) -> str:
    """'a', 'b', and 'c' (OpenAI's list style: Oxford comma; two items joined by `last` alone)."""
    shown = [f"'{v}'" if isinstance(v, str) else json.dumps(v) for v in values]
    if len(shown) <= 2:
        return f" {last} ".join(shown)
    return ", ".join(shown[:-1]) + f", {last} " + shown[-1]


# --- OpenAI ------------------------------------------------------------------------------------


def openai_path(path: Sequence[str | int]) -> str:
    """`messages[0].content`, `input[4].action.query`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_A = {"string": "a string", "integer": "an integer", "number": "a decimal", "boolean": "a boolean"}
_GOT = {
    "string": "a string",
    "integer": "an integer",
    "number": "a decimal number",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "null": "null",
}
_PLURAL = {"object": "objects", "string": "strings", "integer": "integers", "number": "numbers"}


def _is_object(doc: SchemaDoc, node: Any) -> bool:
    node = doc.resolve(node)
    if "anyOf" in node:
        members = [doc.resolve(m) for m in node["anyOf"] if doc.resolve(m).get("type") != "null"]
        return bool(members) and all(_is_object(doc, m) for m in members)
    return "properties" in node or node.get("type") == "object"


def _describe(doc: SchemaDoc, node: Any) -> str:
    """OpenAI's words for what a schema expects: 'an integer', 'an array of objects', "one of 'in_memory'
    or '24h'", 'one of a string or array of objects'."""
    node = doc.resolve(node)
    if "anyOf" in node:
        parts = [doc.resolve(m) for m in node["anyOf"]]
        parts = [m for m in parts if m.get("type") != "null"]
        if len(parts) == 1:
            return _describe(doc, parts[0])
        words = list(dict.fromkeys(_describe(doc, m) for m in parts))
        words = [words[0], *(re.sub(r"^(a|an) ", "", w) for w in words[1:])]
        if len(words) == 1:
            return words[0]
        return "one of " + (
            " or ".join(words) if len(words) == 2 else ", ".join(words[:-1]) + ", or " + words[-1]
        )
    if "enum" in node:
        values = [v for v in node["enum"] if v is not None]
        return "one of " + _quoted(values, "or") if len(values) > 1 else f"'{values[0]}'"
    kind = node.get("type")
    if kind == "array":
        items = node.get("items", {})
        item_kind = "object" if _is_object(doc, items) else doc.resolve(items).get("type")
        return f"an array of {_PLURAL[item_kind]}" if item_kind in _PLURAL else "an array"
    if kind == "object" or "properties" in node:
        return "an object"
    return _A.get(str(kind), "a valid value")


def openai_message(doc: SchemaDoc, v: Violation) -> tuple[str, str | None]:
    """(message, code) for one violation, in OpenAI's words."""
    param = openai_path(v.path)
    if v.kind == "unknown":
        return f"Unknown parameter: '{param}'.", "unknown_parameter"
    if v.kind in ("missing", "no_tag"):
        where = param if v.kind == "missing" else openai_path((*v.path, v.tag_key))
        return f"Missing required parameter: '{where}'.", "missing_required_parameter"
    if v.kind == "tag" or (v.kind == "enum" and _type_fits(v)):
        allowed = v.tags if v.kind == "tag" else tuple(x for x in v.expected["enum"] if x is not None)
        return (
            f"Invalid value: '{v.value}'. Supported values are: {_quoted(allowed, 'and')}.",
            "invalid_value",
        )
    got = _GOT.get(json_type(v.value), "an unknown type")
    return (
        f"Invalid type for '{param}': expected {_describe(doc, v.expected)}, but got {got} instead.",
        "invalid_type",
    )


def _type_fits(v: Violation) -> bool:
    return any(json_type(x) == json_type(v.value) for x in v.expected.get("enum", ()))


def openai_pick(violations: Sequence[Violation]) -> Violation:
    """The one OpenAI reports: a missing top-level parameter, then an unknown parameter, then the first."""
    for v in violations:
        if v.kind == "missing" and len(v.path) == 1:
            return v
    for v in violations:
        if v.kind == "unknown":
            return v
    return violations[0]


def openai_report(doc: SchemaDoc, violations: Sequence[Violation], rid: str, err: ErrorFn) -> Reply:
    """OpenAI's 400 for the violation it reports first (`err` builds the dialect's envelope)."""
    v = openai_pick(violations)
    message, code = openai_message(doc, v)
    path = (*v.path, v.tag_key) if v.kind in ("tag", "no_tag") and v.path[-1:] != (v.tag_key,) else v.path
    return err(400, message, rid, param=openai_path(path), code=code)


# --- pydantic servers (Anthropic, Mistral, ElevenLabs) -------------------------------------------

_PYDANTIC_TYPE = {
    "string": ("string_type", "Input should be a valid string"),
    "integer": ("int_type", "Input should be a valid integer"),
    "number": ("float_type", "Input should be a valid number"),
    "boolean": ("bool_type", "Input should be a valid boolean"),
    "array": ("list_type", "Input should be a valid list"),
    "object": (
        "model_attributes_type",
        "Input should be a valid dictionary or object to extract fields from",
    ),
    "null": ("none_required", "Input should be None"),
}


def _pydantic_literal(values: Sequence[Any]) -> str:
    shown = [f"'{v}'" if isinstance(v, str) else json.dumps(v) for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def pydantic_message(doc: SchemaDoc, v: Violation) -> tuple[str, str]:
    """(pydantic error type, message) for one violation."""
    if v.kind == "unknown":
        return "extra_forbidden", "Extra inputs are not permitted"
    if v.kind == "missing":
        return "missing", "Field required"
    if v.kind == "tag" and v.tag_key != "type":  # a role: an ordinary literal field to pydantic
        return "literal_error", f"Input should be {_pydantic_literal(v.tags)}"
    if v.kind == "tag":
        tags = ", ".join(f"'{t}'" for t in v.tags)
        return (
            "union_tag_invalid",
            f"Input tag '{v.value}' found using '{v.tag_key}' does not match any of the expected tags: {tags}",
        )
    if v.kind == "no_tag":
        return "union_tag_not_found", f"Unable to extract tag using discriminator '{v.tag_key}'"
    if v.kind == "enum" and _type_fits(v):
        allowed = [x for x in v.expected["enum"] if x is not None]
        return "literal_error", f"Input should be {_pydantic_literal(allowed)}"
    node = doc.resolve(v.expected)
    members = [doc.resolve(m) for m in node.get("anyOf", [node])]
    members = [m for m in members if m.get("type") != "null"] or members
    last = members[-1]  # pydantic's union reports end with the last member (`content`: "a valid list")
    if "enum" in last:
        return (
            "literal_error",
            f"Input should be {_pydantic_literal([x for x in last['enum'] if x is not None])}",
        )
    kind = "object" if "properties" in last else str(last.get("type", "object"))
    return _PYDANTIC_TYPE.get(kind, ("value_error", "Input is not valid"))


def dotted(loc: Sequence[str | int]) -> str:
    """`messages.0.content.0.text`."""
    return ".".join(str(p) for p in loc)


def pydantic_loc(v: Violation) -> tuple[str | int, ...]:
    """Where pydantic reports a violation: a bad role at the `role` field itself."""
    return (*v.loc, v.tag_key) if v.kind in ("tag", "no_tag") and v.tag_key != "type" else v.loc


def anthropic_report(doc: SchemaDoc, violations: Sequence[Violation], rid: str, err: ErrorFn) -> Reply:
    """Anthropic's 400 `invalid_request_error`: `<location>: <pydantic message>` for the first one."""
    v = violations[0]
    _, message = pydantic_message(doc, v)
    loc = pydantic_loc(v)
    return err(400, f"{dotted(loc)}: {message}" if loc else message, rid)


def _detail(doc: SchemaDoc, v: Violation, *, with_input: bool) -> dict[str, Any]:
    kind, message = pydantic_message(doc, v)
    item: dict[str, Any] = {"type": kind, "loc": ["body", *pydantic_loc(v)], "msg": message}
    if with_input:
        item["input"] = v.value
    return item


def mistral_report(doc: SchemaDoc, violations: Sequence[Violation], rid: str, err: ErrorFn) -> Reply:
    """Mistral's 422: every violation in FastAPI's `detail` list (pydantic v2 items with `input`)."""
    return Reply(status=422, body={"detail": [_detail(doc, v, with_input=True) for v in violations]})


def fastapi_report(doc: SchemaDoc, violations: Sequence[Violation], rid: str, err: ErrorFn) -> Reply:
    """ElevenLabs' 422: FastAPI's `detail` list."""
    return Reply(status=422, body={"detail": [_detail(doc, v, with_input=False) for v in violations]})


def deepgram_report(doc: SchemaDoc, violations: Sequence[Violation], rid: str, err: ErrorFn) -> Reply:
    """Deepgram's 400 with its `err_msg` naming the field."""
    v = violations[0]
    _, message = pydantic_message(doc, v)
    return err(400, f"Invalid request: '{dotted(pydantic_loc(v)) or 'body'}': {message}", rid)


# --- Google (Gemini API and Vertex) -------------------------------------------------------------


def snake(name: str) -> str:
    """`functionCall` -> `function_call` (proto field names in Google's error paths)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def camel(name: str) -> str:
    """`function_call` -> `functionCall` (the JSON name the schema holds)."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def google_path(path: Sequence[str | int]) -> str:
    """`contents[1].parts[0].function_call`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{snake(part)}" if out else snake(part))
    return out


_PROTO = {"string": "TYPE_STRING", "integer": "TYPE_INT32", "number": "TYPE_FLOAT", "boolean": "TYPE_BOOL"}


def _proto_type(doc: SchemaDoc, node: Any, package: str) -> str:
    """The type Google names in `Invalid value at '...' (<type>), <value>`: a scalar's TYPE_*, an
    enum's or a message's full name."""
    members = [m for m in node.get("anyOf", [node]) if doc.resolve(m).get("type") != "null"] or [node]
    first = members[0]
    if "$ref" in first:
        resolved = doc.resolve(first)
        if "enum" not in resolved:
            return f"type.googleapis.com/{package}.{str(first['$ref']).rsplit('/', 1)[-1]}"
    resolved = doc.resolve(first)
    if "enum" in resolved:
        return f"type.googleapis.com/{package}.{resolved.get('title', 'Enum')}"
    if resolved.get("type") == "array":
        return _proto_type(doc, resolved.get("items", {}), package)
    return _PROTO.get(str(resolved.get("type")), "TYPE_MESSAGE")


def gemini_report(
    doc: SchemaDoc, violations: Sequence[Violation], rid: str, err: ErrorFn, *, package: str
) -> Reply:
    """Google's 400 INVALID_ARGUMENT: every unknown name (one line each) or the first bad value, with
    a `google.rpc.BadRequest` detail listing the field violations."""
    unknown = [v for v in violations if v.kind == "unknown"]
    lines: list[tuple[str, str]] = []
    for v in unknown:
        where = google_path(v.path[:-1])
        at = f" at '{where}'" if where else ""
        lines.append(
            (where, f'Invalid JSON payload received. Unknown name "{v.path[-1]}"{at}: Cannot find field.')
        )
    if not lines:
        v = violations[0]
        where = google_path((*v.path, v.tag_key) if v.kind == "tag" else v.path)
        shown = json.dumps(v.value, ensure_ascii=False)
        lines.append(
            (where, f"Invalid value at '{where}' ({_proto_type(doc, v.expected, package)}), {shown}")
        )
    reply = err(400, "\n".join(message for _, message in lines), rid)
    violations_detail = [{"field": where, "description": message} for where, message in lines]
    reply.body["error"]["details"] = [
        {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": violations_detail}
    ]
    return reply
