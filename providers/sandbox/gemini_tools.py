"""Tools and structured output in Gemini's dialect, for the sandbox (shapes: wire/tools-batch.md 4).

Reads a generateContent request's `functionDeclarations` (`parametersJsonSchema`, or the OpenAPI-style
`parameters`), `toolConfig.functionCallingConfig` and the `functionCall`/`functionResponse` history
into the dialect-neutral `ToolView` (sandbox/tools.py decides), and writes calls as Gemini does:
`functionCall {name, args}` parts, whole (in a stream, one chunk each); on Gemini 3 models the first
call of a turn carries the `thoughtSignature`, signed over the call, so a codec that drops or moves
it fails. Sandbox choices (Google does not pin them down): Vertex gives each call an `id`, the Gemini
API does not -- so both ways of matching a result to its call are exercised; a result that carries
an id must carry its call's (one without is matched by name and order: google-genai's own function-
calling loop sends none, tools-batch.md 11).

Structured output: `responseMimeType: application/json` with `responseJsonSchema` (or the legacy
`responseSchema`, never both); the answer is JSON that fits it, or -- for `sandbox: refuse` -- a
SAFETY stop with no content, which is how Gemini refuses.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from . import text as T
from .tools import ToolCallPlan, ToolView

__all__ = [
    "DUMMY_SIGNATURES",
    "call_parts",
    "call_signature_ok",
    "output_schema",
    "response_problem",
    "sign_call",
    "view",
]

# the documented dummies (ai.google.dev thought-signatures FAQ; Vertex), as text or as base64 bytes
_DUMMIES = ("skip_thought_signature_validator", "context_engineering_is_the_way_to_go")
DUMMY_SIGNATURES = frozenset([*_DUMMIES, *(base64.b64encode(d.encode()).decode() for d in _DUMMIES)])
_MODES = {"AUTO": "auto", "ANY": "required", "NONE": "none", "VALIDATED": "auto"}


def _get(obj: Any, camel: str, snake: str) -> Any:
    return obj.get(camel, obj.get(snake)) if isinstance(obj, dict) else None


def _lower_types(schema: Any) -> Any:
    """An OpenAPI-style `parameters` schema (`type: "OBJECT"`) read as JSON Schema."""
    if isinstance(schema, list):
        return [_lower_types(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _lower_types(v) for k, v in schema.items()}
    if isinstance(out.get("type"), str):
        out["type"] = out["type"].lower()
    return out


def _declarations(body: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for tool in body.get("tools") or []:
        for decl in _get(tool, "functionDeclarations", "function_declarations") or []:
            if not isinstance(decl, dict) or not isinstance(decl.get("name"), str):
                continue
            schema = _get(decl, "parametersJsonSchema", "parameters_json_schema")
            if schema is None:
                schema = _lower_types(decl.get("parameters"))
            out.append((decl["name"], schema if isinstance(schema, dict) else {"type": "object"}))
    return out


def _choice(body: Mapping[str, Any]) -> str | None:
    config = _get(_get(body, "toolConfig", "tool_config"), "functionCallingConfig", "function_calling_config")
    if not isinstance(config, dict):
        return None
    mode = _MODES.get(str(config.get("mode") or "AUTO").upper())  # (no mode: AUTO, the API's default)
    allowed = _get(config, "allowedFunctionNames", "allowed_function_names")
    if mode == "required" and isinstance(allowed, list) and len(allowed) == 1:
        return str(allowed[0])
    return mode


def _parts(content: Any) -> list[dict[str, Any]]:
    parts = content.get("parts") if isinstance(content, dict) else None
    return [p for p in parts or [] if isinstance(p, dict)]


def view(body: Mapping[str, Any], headers: Mapping[str, str]) -> ToolView:
    """The tool view of a generateContent request: function responses after the last user text."""
    question, results = "", list[tuple[str, str, bool]]()
    for content in body.get("contents") or []:
        if not isinstance(content, dict) or content.get("role", "user") == "model":
            continue
        texts = [p["text"] for p in _parts(content) if isinstance(p.get("text"), str)]
        if texts:
            question, results = "\n".join(texts), []
        for part in _parts(content):
            response = _get(part, "functionResponse", "function_response")
            if not isinstance(response, dict):
                continue
            payload = response.get("response")
            is_error = isinstance(payload, dict) and "error" in payload and "output" not in payload
            value = (
                payload.get("error" if is_error else "output", payload)
                if isinstance(payload, dict)
                else payload
            )
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            results.append((str(response.get("name") or "tool"), shown, is_error))
    return ToolView(
        tools=_declarations(body),
        choice=_choice(body),
        question=question,
        results=results,
        header=headers.get("x-sandbox-tool"),
    )


def output_schema(config: Mapping[str, Any]) -> dict[str, Any] | None:
    """The schema the answer must fit, when JSON is asked for."""
    if _get(config, "responseMimeType", "response_mime_type") != "application/json":
        return None
    schema = _get(config, "responseJsonSchema", "response_json_schema")
    if schema is None:
        schema = _lower_types(_get(config, "responseSchema", "response_schema"))
    return schema if isinstance(schema, dict) else {"type": "object"}


def _call_text(call: Mapping[str, Any]) -> str:
    return f"{call.get('name')}:{json.dumps(call.get('args') or {}, sort_keys=True, separators=(',', ':'))}"


def sign_call(call: Mapping[str, Any]) -> str:
    """The signature the sandbox puts beside a functionCall it makes (signs the name and arguments)."""
    return T.sign_thinking(_call_text(call))


def call_signature_ok(call: Mapping[str, Any], signature: Any) -> bool:
    """A signature on a functionCall part: the sandbox's own for this very call, or a documented dummy."""
    if signature in DUMMY_SIGNATURES:
        return True
    try:
        base64.b64decode(str(signature), validate=True)
    except (binascii.Error, ValueError):
        return False
    return T.verify_thinking(_call_text(call), signature)


def call_parts(
    serial: str, calls: list[ToolCallPlan], *, signed: bool, with_ids: bool
) -> list[dict[str, Any]]:
    """The functionCall parts of a turn; with `signed` (Gemini 3) the first carries the signature."""
    parts = []
    for i, plan in enumerate(calls):
        try:
            args = json.loads(plan.arguments)
        except ValueError:
            args = {}
        call: dict[str, Any] = {"name": plan.name, "args": args if isinstance(args, dict) else {}}
        if with_ids:
            call = {"id": f"fc-{serial[:12]}-{i}", **call}
        part: dict[str, Any] = {"functionCall": call}
        if signed and i == 0:
            part["thoughtSignature"] = sign_call(call)
        parts.append(part)
    return parts


def response_problem(contents: list[Any]) -> str | None:
    """What is wrong with the function responses of the history, or None: each model turn's calls
    answered by as many responses in the next content ("Please ensure that the number of function
    response parts is equal to the number of function call parts of the function call turn.", the
    API's 400 as quoted in public reports), an id given being one of those calls' ids."""
    for i, content in enumerate(contents):
        if not isinstance(content, dict) or content.get("role") != "model":
            continue
        calls = [
            c for p in _parts(content) if isinstance(c := _get(p, "functionCall", "function_call"), dict)
        ]
        if not calls or i + 1 == len(contents):
            continue
        answers = [
            r
            for p in _parts(contents[i + 1])
            if isinstance(r := _get(p, "functionResponse", "function_response"), dict)
        ]
        if len(answers) != len(calls):
            return (
                "Please ensure that the number of function response parts is equal to the number of "
                "function call parts of the function call turn."
            )
        ids = {c["id"] for c in calls if c.get("id")}
        for answer in answers:  # (no id: matched by name and order, as google-genai's own loop sends it)
            if ids and answer.get("id") is not None and answer.get("id") not in ids:
                return (
                    f"contents[{i + 1}]: function response id {answer.get('id')!r} does not match the id of a "
                    "function call of the previous turn (sandbox check)"
                )
    return None


def streams_arguments(body: Mapping[str, Any], door: str) -> bool:
    """Vertex asked to stream function-call arguments (`streamFunctionCallArguments`, Vertex only)."""
    config = _get(_get(body, "toolConfig", "tool_config"), "functionCallingConfig", "function_calling_config")
    return door == "vertex" and isinstance(config, dict) and bool(config.get("streamFunctionCallArguments"))


def _leaves(value: Any, path: str) -> list[tuple[str, Any]]:
    if isinstance(value, dict) and value:
        return [leaf for key, item in value.items() for leaf in _leaves(item, f"{path}.{key}")]
    if isinstance(value, list) and value:
        return [leaf for i, item in enumerate(value) for leaf in _leaves(item, f"{path}[{i}]")]
    return [(path, value)]


def _partial(path: str, value: Any) -> list[dict[str, Any]]:
    """The PartialArgs of one value, as Vertex streams them (recorded: a string in pieces, each but the
    last with willContinue, then an empty piece ending it; a number, boolean or null in one)."""
    if isinstance(value, str):
        middle = max(1, len(value) // 2)
        pieces = [p for p in (value[:middle], value[middle:]) if p]
        return [{"jsonPath": path, "stringValue": p, "willContinue": True} for p in pieces] + [
            {"jsonPath": path, "stringValue": ""}
        ]
    if isinstance(value, bool):
        return [{"jsonPath": path, "boolValue": value}]
    if isinstance(value, int | float):
        return [{"jsonPath": path, "numberValue": value}]
    return [{"jsonPath": path, "nullValue": "NULL_VALUE"}]


def streamed_call_chunks(parts: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Each functionCall part as Vertex streams it with streamFunctionCallArguments (recorded in
    tests/fixtures/recorded/vertex/): name (+ id) and willContinue with the signature beside it, one
    chunk per PartialArg, then an empty functionCall ending the call."""
    chunks: list[list[dict[str, Any]]] = []
    for part in parts:
        call = part["functionCall"]
        head: dict[str, Any] = {k: v for k, v in call.items() if k != "args"} | {"willContinue": True}
        chunks.append([{"functionCall": head, **{k: v for k, v in part.items() if k != "functionCall"}}])
        args = call.get("args") or {}
        for path, value in _leaves(args, "$") if args else []:
            for arg in _partial(path, value):
                chunks.append([{"functionCall": {"partialArgs": [arg], "willContinue": True}}])
        chunks.append([{"functionCall": {}}])
    return chunks
