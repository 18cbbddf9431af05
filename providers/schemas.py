"""JSON Schemas for tools and structured output: from Python through pydantic, then adapted per provider.

No schema is written by hand here: a function's signature becomes a pydantic model (`create_model`),
and pydantic writes its JSON Schema. What this module does is the per-provider adaptation the wire
docs call for (wire/tools-batch.md section 8):

* OpenAI strict (Responses `strict: true` tools, `text.format` / `response_format` json_schema): every
  object closed (`additionalProperties: false`) and every property required -- an optional property
  becomes a nullable one; `oneOf` becomes `anyOf`; a single-entry `allOf` is merged; a `$ref` with
  siblings is inlined; keywords strict mode does not take move into the description as `{key: value}`
  (the way the Anthropic SDK moves them). What cannot be adapted (a free-form mapping, a tuple) makes
  strict impossible: the adapter says why, and the codec sends the schema non-strict (or refuses, when
  strict was asked for explicitly).
* Anthropic, Gemini, Mistral: `for_anthropic`, `for_gemini`, `for_mistral`, with the same shape; their
  rules are in providers/schema_adapt.py.

`Adapted` carries the schema, whether it is strict-ready, what moved, and why not.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "NAME_RULES",
    "Adapted",
    "NameRule",
    "example",
    "for_anthropic",
    "for_gemini",
    "for_mistral",
    "for_openai",
    "is_nullable",
    "wrap_root",
]


@dataclass(frozen=True)
class NameRule:
    """What a provider accepts as a tool (or output schema) name."""

    pattern: re.Pattern[str]
    text: str  # said in the error message


_OPENAI_NAME = NameRule(re.compile(r"^[a-zA-Z0-9_-]{1,64}$"), "letters, digits, '_' and '-', at most 64")
NAME_RULES: dict[str, NameRule] = {
    # shared_params/function_definition.py (openai 3.60): "a-z, A-Z, 0-9, or contain underscores and
    # dashes, with a maximum length of 64"; xAI, DeepSeek, Mistral and compatible servers take the same
    "openai": _OPENAI_NAME,
    # The API's 400 `tools.N.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'` (seen in
    # 2026 reports; 2025 reports show {1,64}: the limit was raised). The SDK's ToolParam has no rule.
    "anthropic": NameRule(re.compile(r"^[a-zA-Z0-9_-]{1,128}$"), "letters, digits, '_' and '-', at most 128"),
    # google-genai types.py FunctionDeclaration.name: start with a letter or '_', then a-z A-Z 0-9 _ . : -
    "gemini": NameRule(
        re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.:-]{0,127}$"),
        "a letter or '_' first, then letters, digits, '_', '.', ':' or '-', at most 128",
    ),
}


@dataclass
class Adapted:
    """A schema adapted for one provider: `strict_ok` is False when strict mode cannot take it (`why`)."""

    schema: dict[str, Any]
    strict_ok: bool = True
    why: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # keywords moved into descriptions


# Strict mode's keywords (OpenAI structured-outputs guide, "Supported schemas"; wire/tools-batch.md 8).
_OPENAI_KEEP = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "anyOf",
    "enum",
    "const",
    "description",
    "title",
    "default",
    "$defs",
    "definitions",
    "$ref",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
}
_EXAMPLE_FORMATS = {
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
_OPENAI_FORMATS = {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}


def is_nullable(node: dict[str, Any]) -> bool:
    """Whether a schema node already accepts null."""
    t = node.get("type")
    if t == "null" or (isinstance(t, list) and "null" in t):
        return True
    if any(isinstance(s, dict) and is_nullable(s) for s in node.get("anyOf") or []):
        return True
    return None in (node.get("enum") or [])


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    if is_nullable(node):
        return node
    t = node.get("type")
    if isinstance(t, str) and "enum" not in node and "const" not in node:
        return {**node, "type": [t, "null"]}
    outer: dict[str, Any] = {k: node.pop(k) for k in ("title", "description", "default") if k in node}
    return {"anyOf": [node, {"type": "null"}], **outer}


def _describe(node: dict[str, Any], moved: dict[str, Any]) -> None:
    if not moved:
        return
    extra = ", ".join(f"{k}: {v!r}" for k, v in moved.items())
    node["description"] = f"{node['description']} {{{extra}}}" if node.get("description") else f"{{{extra}}}"


def _resolve(ref: str, root: dict[str, Any]) -> dict[str, Any] | None:
    if not ref.startswith("#/"):
        return None
    node: Any = root
    for key in ref[2:].split("/"):
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def _strict(node: Any, root: dict[str, Any], out: Adapted, path: str) -> Any:
    if not isinstance(node, dict):
        return node
    node = dict(node)
    if "$ref" in node and len(node) > 1:  # strict mode takes a bare $ref only: inline the target
        target = _resolve(node["$ref"], root)
        if target is not None:
            ref = node.pop("$ref")
            node = {**target, **node}
            if ref == "#":
                out.strict_ok = False
                out.why.append(f"{path}: a recursive root reference with siblings")
    if "oneOf" in node:
        node["anyOf"] = node.pop("oneOf")
    all_of = node.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], dict):
        node.pop("allOf")
        node = {**_strict(all_of[0], root, out, path), **node}
    elif all_of is not None:
        out.strict_ok = False
        out.why.append(f"{path}: allOf with several schemas")
    if "default" in node and node["default"] is None:
        del node["default"]  # (meaningless once nullable and required; openai's own helper drops it too)
    moved = {k: node.pop(k) for k in list(node) if k not in _OPENAI_KEEP and k != "allOf"}
    if node.get("format") and node["format"] not in _OPENAI_FORMATS:
        moved["format"] = node.pop("format")
    if "prefixItems" in moved:
        out.strict_ok = False
        out.why.append(f"{path}: a tuple (prefixItems)")
    out.moved += [f"{path}.{k}" if path else k for k in moved]
    _describe(node, moved)
    for key in ("$defs", "definitions"):
        if isinstance(node.get(key), dict):
            node[key] = {n: _strict(s, root, out, f"{key}.{n}") for n, s in node[key].items()}
    if isinstance(node.get("anyOf"), list):
        node["anyOf"] = [_strict(s, root, out, path) for s in node["anyOf"]]
    if "items" in node:
        node["items"] = _strict(node["items"], root, out, f"{path}[]")
    if "type" not in node and "$ref" not in node and "anyOf" not in node:
        _give_type(node, out, path)
    is_object = node.get("type") == "object" or "properties" in node
    if is_object:
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) or (extra is True and not node.get("properties")):
            out.strict_ok = False
            out.why.append(f"{path or 'the root'}: a free-form mapping (additionalProperties)")
        elif "properties" not in node and "additionalProperties" not in node:
            out.strict_ok = False
            out.why.append(f"{path or 'the root'}: an object without properties")
        node["additionalProperties"] = False
        props = node.get("properties") or {}
        required = set(node.get("required") or [])
        new_props = {}
        for name, sub in props.items():
            sub = _strict(sub, root, out, f"{path}.{name}" if path else name)
            new_props[name] = sub if name in required else _nullable(dict(sub))
        node["properties"] = new_props
        node["required"] = list(new_props)
    return node


_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (type(None), "null"))


def _give_type(node: dict[str, Any], out: Adapted, path: str) -> None:
    """Strict mode wants a `type` on every node that is not a `$ref` or an `anyOf` (else the API answers
    400 "schema must have a 'type' key"): an object's, or an enum's / a const's from its values;
    a node that allows any value (`Any`) cannot be strict."""
    if "properties" in node:
        node["type"] = "object"
        return
    values = (
        node["enum"] if isinstance(node.get("enum"), list) else [node["const"]] if "const" in node else []
    )
    kinds = list(dict.fromkeys(next((n for t, n in _JSON_TYPES if isinstance(v, t)), "") for v in values))
    if kinds and "" not in kinds:
        node["type"] = kinds[0] if len(kinds) == 1 else kinds
        return
    out.strict_ok = False
    out.why.append(f"{path or 'the root'}: a value of any type (no 'type')")


def for_openai(schema: dict[str, Any], *, strict: bool = True) -> Adapted:
    """The schema OpenAI strict mode takes (or, with strict=False, the schema as given)."""
    if not strict:
        return Adapted(copy.deepcopy(schema), strict_ok=False)
    out = Adapted(schema={})
    root = copy.deepcopy(schema)
    out.schema = _strict(root, root, out, "")
    if out.schema.get("type") != "object":
        out.strict_ok = False
        out.why.insert(0, "the root must be an object")
    return out


def for_anthropic(schema: dict[str, Any], *, strict: bool = False) -> Adapted:
    """The schema Anthropic's structured outputs and strict tools take (providers/schema_adapt.py)."""
    from .schema_adapt import anthropic_schema

    return anthropic_schema(schema)


def for_gemini(schema: dict[str, Any], *, strict: bool = False) -> Adapted:
    """The schema Gemini's `responseJsonSchema`/`parametersJsonSchema` take (providers/schema_adapt.py)."""
    from .schema_adapt import gemini_schema

    return gemini_schema(schema)


def for_mistral(schema: dict[str, Any], *, strict: bool = False) -> Adapted:
    """The schema Mistral's strict json_schema takes: objects closed (providers/schema_adapt.py)."""
    from .schema_adapt import mistral_schema

    return mistral_schema(schema)


def wrap_root(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """An object schema for structured output: a non-object root (a list, a number...) is wrapped as
    `{"value": ...}` (providers take an object root), and whether it was wrapped."""
    if schema.get("type") == "object":
        return schema, False
    inner = {k: v for k, v in schema.items() if k != "$defs"}
    wrapped: dict[str, Any] = {
        "type": "object",
        "properties": {"value": inner},
        "required": ["value"],
    }
    if "$defs" in schema:
        wrapped["$defs"] = schema["$defs"]
    return wrapped, True


# --- examples: a value that fits a schema (the DeepSeek prompt, the sandbox model) ----------------


def _deref(node: Any, root: Mapping[str, Any]) -> Any:
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        ref = node["$ref"]
        target: Any = root
        for key in ref.lstrip("#/").split("/") if ref != "#" else []:
            target = target.get(key) if isinstance(target, dict) else None
        node = {**(target or {}), **{k: v for k, v in node.items() if k != "$ref"}}
        seen += 1
    return node


_SHALLOW = 6  # past this depth an example takes the way out of a recursive schema: null, an empty list
_DEEPEST = 12  # and past this one it stops, whatever the schema asks (a recursion with no way out)


def example(
    schema: Any,
    root: Mapping[str, Any] | None = None,
    numbers: list[float] | None = None,
    words: list[str] | None = None,
    depth: int = 0,
) -> Any:
    """A value that satisfies `schema` (deterministic). `numbers` are used up by number fields in order;
    `words` by enum fields (the first word that is one of the enum's values, else its first value).
    A recursive schema (a tree, a linked list) gets a few levels, then null or an empty list where it
    allows one."""
    root = root if root is not None else (schema if isinstance(schema, dict) else {})
    node = _deref(schema, root)
    if not isinstance(node, dict) or depth > _DEEPEST:
        return None
    deep = depth > _SHALLOW
    if "const" in node:
        return node["const"]
    if node.get("enum"):
        values = {str(v).lower(): v for v in node["enum"]}
        for i, word in enumerate(words or []):
            if word.lower() in values:
                del words[i]  # type: ignore[union-attr]  # (consumed: the next enum field takes the next word)
                return values[word.lower()]
        return node["enum"][0]
    for key in ("anyOf", "oneOf"):
        options = [o for o in node.get(key) or [] if _deref(o, root).get("type") != "null"]
        if deep and len(options) < len(node.get(key) or []):
            return None
        if options:
            return example(options[0], root, numbers, words, depth + 1)
    if isinstance(node.get("allOf"), list) and node["allOf"]:
        merged: dict[str, Any] = {}
        for sub in node["allOf"]:
            merged |= _deref(sub, root)
        return example(merged, root, numbers, words, depth + 1)
    kind = node.get("type")
    if isinstance(kind, list):
        if deep and "null" in kind:
            return None
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in node else "string"
    if kind == "object":
        props = node.get("properties") or {}
        required = node.get("required")
        names = list(props) if required is None and node.get("additionalProperties") is False else required
        names = [n for n in props if n in set(names or [])]
        return {n: example(props[n], root, numbers, words, depth + 1) for n in names}
    if kind == "array":
        count = int(node.get("minItems") or 0) if deep else max(1, int(node.get("minItems") or 0))
        if node.get("maxItems") is not None:
            count = min(count, int(node["maxItems"]))
        return [example(node.get("items") or {}, root, numbers, words, depth + 1) for _ in range(count)]
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
    text = _EXAMPLE_FORMATS.get(str(node.get("format")), "example")
    low, high = node.get("minLength"), node.get("maxLength")
    if isinstance(low, int) and len(text) < low:
        text = text + "x" * (low - len(text))
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    return text
