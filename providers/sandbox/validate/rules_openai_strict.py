"""OpenAI strict schemas: what the API refuses in a schema sent with `strict: true` (structured output
through Responses `text.format` or Chat `response_format`, and function tools), in its own words.

The live API answers 400 `invalid_request_error`, the message naming the schema and the place in it as
a Python tuple (`In context=('properties', 'flights', 'items'), ...`), each seen in many public reports:

* `Invalid schema for response_format 'NAME': In context=(), 'additionalProperties' is required to be
  supplied and to be false.` -- every object must be closed.
* `... 'required' is required to be supplied and to be an array including every key in properties.
  Missing 'KEY'.` (and `Extra required key 'KEY' supplied.`) -- every property required.
* `... In context=('properties', 'KEY'), schema must have a 'type' key.` -- every node typed (a `$ref`
  or an `anyOf` aside).

Tools say `Invalid schema for function 'NAME': ...`. The `param` and `code` of these replies are
UNCONFIRMED (`text.format.schema` / `response_format` with `invalid_json_schema`, `tools[N]...` with
`invalid_function_parameters` are used here).
"""

from __future__ import annotations

from typing import Any

from ..wire import Call, ProviderSpec, Reply

__all__ = ["chat_strict_schemas", "responses_strict_schemas", "strict_problem"]

_EVERY_KEY = "'required' is required to be supplied and to be an array including every key in properties."


def _context(path: tuple[str, ...]) -> str:
    return f"In context={path!r}"


def strict_problem(node: Any, path: tuple[str, ...] = ()) -> str | None:
    """The first thing strict mode refuses in a schema, worded as the API words it, or None."""
    if not isinstance(node, dict) or "$ref" in node:
        return None
    if isinstance(node.get("anyOf"), list):
        for i, sub in enumerate(node["anyOf"]):
            if (found := strict_problem(sub, (*path, "anyOf", str(i)))) is not None:
                return found
        return None
    if "type" not in node:
        return f"{_context(path)}, schema must have a 'type' key."
    kinds = node["type"] if isinstance(node["type"], list) else [node["type"]]
    if "object" in kinds or "properties" in node:
        if node.get("additionalProperties") is not False:
            return f"{_context(path)}, 'additionalProperties' is required to be supplied and to be false."
        given_props, given_required = node.get("properties"), node.get("required")
        props: dict[str, Any] = given_props if isinstance(given_props, dict) else {}
        required: list[Any] = given_required if isinstance(given_required, list) else []
        if missing := [k for k in props if k not in required]:
            return f"{_context(path)}, {_EVERY_KEY} Missing '{missing[0]}'."
        if extra := [k for k in required if k not in props]:
            return f"{_context(path)}, {_EVERY_KEY} Extra required key '{extra[0]}' supplied."
        for key, sub in props.items():
            if (found := strict_problem(sub, (*path, "properties", key))) is not None:
                return found
    if "array" in kinds and (found := strict_problem(node.get("items"), (*path, "items"))) is not None:
        return found
    for defs in ("$defs", "definitions"):
        for name, sub in (node.get(defs) or {}).items() if isinstance(node.get(defs), dict) else ():
            if (found := strict_problem(sub, (*path, defs, name))) is not None:
                return found
    return None


def _refuse(spec: ProviderSpec, call: Call, what: str, schema: Any, param: str, code: str) -> Reply | None:
    problem = strict_problem(schema)
    if problem is None:
        return None
    return spec.error(400, f"Invalid schema for {what}: {problem}", call.request_id, param=param, code=code)


def responses_strict_schemas(call: Call, spec: ProviderSpec) -> Reply | None:
    """400 for a strict `text.format` json_schema or a strict function tool strict mode cannot take."""
    fmt = (call.body.get("text") or {}).get("format") if isinstance(call.body.get("text"), dict) else None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and fmt.get("strict") is True:
        what = f"response_format '{fmt.get('name')}'"
        if bad := _refuse(spec, call, what, fmt.get("schema"), "text.format.schema", "invalid_json_schema"):
            return bad
    for i, tool in enumerate(call.body.get("tools") or []):
        if isinstance(tool, dict) and tool.get("type") == "function" and tool.get("strict") is True:
            what = f"function '{tool.get('name')}'"
            param = f"tools[{i}].parameters"
            if bad := _refuse(spec, call, what, tool.get("parameters"), param, "invalid_function_parameters"):
                return bad
    return None


def chat_strict_schemas(call: Call, spec: ProviderSpec) -> Reply | None:
    """400 for a strict `response_format` json_schema or a strict function tool strict mode cannot take."""
    fmt = call.body.get("response_format")
    inner = fmt.get("json_schema") if isinstance(fmt, dict) and fmt.get("type") == "json_schema" else None
    if isinstance(inner, dict) and inner.get("strict") is True:
        what = f"response_format '{inner.get('name')}'"
        if bad := _refuse(spec, call, what, inner.get("schema"), "response_format", "invalid_json_schema"):
            return bad
    for i, tool in enumerate(call.body.get("tools") or []):
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict) and function.get("strict") is True:
            what = f"function '{function.get('name')}'"
            param = f"tools[{i}].function.parameters"
            if bad := _refuse(
                spec, call, what, function.get("parameters"), param, "invalid_function_parameters"
            ):
                return bad
    return None
