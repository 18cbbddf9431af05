"""Schema adaptation for Anthropic, Gemini/Vertex and Mistral (the hooks in schemas.py call these).

Each takes a JSON Schema (pydantic's) and returns an `Adapted`: the schema the provider takes, whether
it could be adapted without changing its meaning (`strict_ok`, else `why`), and what moved into
descriptions. The facts, per provider (wire/tools-batch.md sections 3.5, 4.5, 7 and 8):

* Anthropic (`output_config.format` json_schema, `strict: true` tools): the subset the anthropic SDK's
  `transform_schema` (anthropic 2.17 `lib/_parse/_transform.py`) produces: every object closed with
  `additionalProperties: false` and its own `required` kept; `oneOf` becomes `anyOf`; a primitive
  `enum`/`const` stands without its `type`; string `format` only date-time, time, date, duration,
  email, hostname, uri, ipv4, ipv6, uuid; `minItems` only 0 or 1; a `$ref` keeps only its description;
  every other keyword (numeric and length limits, `pattern`, `default`, ...) moves into the description
  as `{key: value}` after a blank line, as the SDK writes it. Not adaptable (the meaning would change):
  a free-form mapping (`additionalProperties` a schema), a tuple (`prefixItems`), a node without a type.
* Gemini `responseJsonSchema` / `parametersJsonSchema`: the keywords google-genai 3.6.1's docstring
  lists ($id $defs $ref $anchor type format title description enum items prefixItems minItems maxItems
  minimum maximum anyOf oneOf properties additionalProperties required propertyOrdering); `const`
  becomes a one-value `enum`; a single `allOf` is merged; a `$ref` with other siblings is inlined ("a
  `$ref` sub-schema may carry only `$...` siblings"); an `enum` of anything but strings and numbers and
  every other keyword move into the description. Several `allOf` schemas cannot be adapted.
* Mistral strict json_schema: mistralai 3.7's pydantic helper (`extra/utils/_pydantic_helper.py`) sets
  `additionalProperties: false` on every object and nothing else; a free-form mapping cannot be closed
  without changing its meaning, so it is not strict-ready. Mistral's keyword subset is UNCONFIRMED:
  nothing else is changed.
"""

from __future__ import annotations

import copy
from typing import Any

from .schemas import Adapted

__all__ = ["anthropic_schema", "gemini_schema", "mistral_schema"]

_ANTHROPIC_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"}
)
_GEMINI_KEEP = frozenset(
    {
        "$id", "$defs", "$ref", "$anchor", "type", "format", "title", "description", "enum", "items",
        "prefixItems", "minItems", "maxItems", "minimum", "maximum", "anyOf", "oneOf", "properties",
        "additionalProperties", "required", "propertyOrdering",
    }
)  # fmt: skip


def _primitive(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _append(node: dict[str, Any], leftover: dict[str, Any]) -> None:
    """Unsupported keywords into the description, the way the anthropic SDK writes them."""
    if not leftover:
        return
    extra = "{" + ", ".join(f"{k}: {v}" for k, v in leftover.items()) + "}"
    described = node.get("description")
    node["description"] = f"{described}\n\n{extra}" if described is not None else extra


def _where(path: str) -> str:
    return path or "the root"


# --- Anthropic ------------------------------------------------------------------------------------


def _anthropic(node: Any, out: Adapted, path: str) -> Any:
    if not isinstance(node, dict):
        return node
    rest = dict(node)
    done: dict[str, Any] = {}
    defs = rest.pop("$defs", None)
    if isinstance(defs, dict):
        done["$defs"] = {n: _anthropic(s, out, f"$defs.{n}") for n, s in defs.items()}
    if "$ref" in rest:
        done["$ref"] = rest.pop("$ref")
        if "description" in rest:
            done["description"] = rest.pop("description")
        rest.pop("title", None)
        _moved(out, path, rest)
        _append(done, rest)
        return done
    kind = rest.pop("type", None)
    if isinstance(kind, list):  # ["string", "null"]: the SDK takes one type; anyOf says the same
        meta = {k: rest.pop(k) for k in ("title", "description") if k in rest}
        branches = [_anthropic({**rest, "type": t}, out, path) for t in kind]
        return {**done, "anyOf": branches, **meta}
    any_of, one_of, all_of = rest.pop("anyOf", None), rest.pop("oneOf", None), rest.pop("allOf", None)
    enum = rest.get("enum")
    if isinstance(enum, list) and enum and all(_primitive(v) for v in enum):
        done["enum"] = list(rest.pop("enum"))
    if "const" in rest and _primitive(rest["const"]):
        done["const"] = rest.pop("const")
    literal = "enum" in done or "const" in done
    if literal:
        kind = None
    if isinstance(any_of, list):
        done["anyOf"] = [_anthropic(s, out, path) for s in any_of]
    elif isinstance(one_of, list):
        done["anyOf"] = [_anthropic(s, out, path) for s in one_of]
    elif isinstance(all_of, list):
        done["allOf"] = [_anthropic(s, out, path) for s in all_of]
    elif not literal:
        if kind is None:
            out.strict_ok = False
            out.why.append(f"{_where(path)}: a value of any type (no 'type')")
        else:
            done["type"] = kind
    for key in ("description", "title"):
        if key in rest:
            done[key] = rest.pop(key)
    if kind == "object":
        props = rest.pop("properties", {}) or {}
        done["properties"] = {k: _anthropic(s, out, f"{path}.{k}" if path else k) for k, s in props.items()}
        extra = rest.pop("additionalProperties", None)
        if isinstance(extra, dict) or (extra is True and not props):
            out.strict_ok = False
            out.why.append(f"{_where(path)}: a free-form mapping (additionalProperties)")
        done["additionalProperties"] = False
        if "required" in rest:
            done["required"] = list(rest.pop("required"))
    elif kind == "string":
        fmt = rest.pop("format", None)
        if fmt in _ANTHROPIC_FORMATS:
            done["format"] = fmt
        elif fmt:
            rest["format"] = fmt
    elif kind == "array":
        if "items" in rest:
            done["items"] = _anthropic(rest.pop("items"), out, f"{path}[]")
        if rest.get("minItems") in (0, 1):
            done["minItems"] = rest.pop("minItems")
        if "prefixItems" in rest:
            out.strict_ok = False
            out.why.append(f"{_where(path)}: a tuple (prefixItems)")
    _moved(out, path, rest)
    _append(done, rest)
    return done


def _moved(out: Adapted, path: str, leftover: dict[str, Any]) -> None:
    out.moved += [f"{path}.{k}" if path else k for k in leftover]


def anthropic_schema(schema: dict[str, Any]) -> Adapted:
    """The schema Anthropic's structured outputs and strict tools take."""
    out = Adapted(schema={})
    out.schema = _anthropic(copy.deepcopy(schema), out, "")
    return out


# --- Gemini ---------------------------------------------------------------------------------------


def _resolve(ref: Any, root: dict[str, Any]) -> dict[str, Any] | None:
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return None
    node: Any = root
    for key in ref[2:].split("/"):
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def _gemini(node: Any, root: dict[str, Any], out: Adapted, path: str, seen: frozenset[str]) -> Any:
    if not isinstance(node, dict):
        return node
    node = dict(node)
    ref = node.get("$ref")
    siblings = [k for k in node if not k.startswith("$")]
    if ref is not None and siblings:
        target = _resolve(ref, root)
        if target is not None and ref not in seen:  # inline it (a cycle keeps its $ref, siblings moved)
            node.pop("$ref")
            node = {**target, **node}
            seen = seen | {ref}
    if "const" in node and isinstance(node["const"], str | int | float) and "enum" not in node:
        node["enum"] = [node.pop("const")]
    all_of = node.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], dict):
        node.pop("allOf")
        node = {**_gemini(all_of[0], root, out, path, seen), **node}
    elif all_of is not None:
        out.strict_ok = False
        out.why.append(f"{_where(path)}: allOf with several schemas")
    enum = node.get("enum")
    keep_enum = isinstance(enum, list) and all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in enum
    )
    keep = _GEMINI_KEEP if keep_enum else _GEMINI_KEEP - {"enum"}
    if "$ref" in node and siblings:
        keep = frozenset(k for k in keep if k.startswith("$"))
    leftover = {k: node.pop(k) for k in list(node) if k not in keep}
    _moved(out, path, leftover)
    _append(node, leftover)
    if isinstance(node.get("$defs"), dict):
        node["$defs"] = {n: _gemini(s, root, out, f"$defs.{n}", seen) for n, s in node["$defs"].items()}
    for key in ("anyOf", "oneOf", "prefixItems"):
        if isinstance(node.get(key), list):
            node[key] = [_gemini(s, root, out, path, seen) for s in node[key]]
    if isinstance(node.get("items"), dict):
        node["items"] = _gemini(node["items"], root, out, f"{path}[]", seen)
    if isinstance(node.get("additionalProperties"), dict):
        node["additionalProperties"] = _gemini(node["additionalProperties"], root, out, f"{path}{{}}", seen)
    if isinstance(node.get("properties"), dict):
        node["properties"] = {
            k: _gemini(s, root, out, f"{path}.{k}" if path else k, seen)
            for k, s in node["properties"].items()
        }
    return node


def gemini_schema(schema: dict[str, Any]) -> Adapted:
    """The schema Gemini's `responseJsonSchema` and `parametersJsonSchema` take."""
    out = Adapted(schema={})
    root = copy.deepcopy(schema)
    out.schema = _gemini(root, root, out, "", frozenset())
    return out


# --- Mistral --------------------------------------------------------------------------------------


def _close(node: Any, out: Adapted, path: str) -> Any:
    if isinstance(node, list):
        return [_close(v, out, path) for v in node]
    if not isinstance(node, dict):
        return node
    closed: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("properties", "$defs") and isinstance(value, dict):
            prefix = f"{path}." if path and key == "properties" else ("$defs." if key == "$defs" else "")
            closed[key] = {n: _close(s, out, f"{prefix}{n}") for n, s in value.items()}
        else:
            closed[key] = _close(value, out, f"{path}[]" if key == "items" else path)
    node = closed
    if node.get("type") == "object":
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) or (extra is True and not node.get("properties")):
            out.strict_ok = False
            out.why.append(f"{_where(path)}: a free-form mapping (additionalProperties)")
        else:
            node["additionalProperties"] = False
    return node


def mistral_schema(schema: dict[str, Any]) -> Adapted:
    """The schema for Mistral's strict json_schema: every object closed, as its SDK closes them."""
    out = Adapted(schema={})
    out.schema = _close(copy.deepcopy(schema), out, "")
    return out
