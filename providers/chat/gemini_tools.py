"""Gemini API and Vertex AI: tools, tool turns and structured output (the request side).

Wire facts (wire/tools-batch.md section 4; google-genai 3.6.1 `types.py` FunctionDeclaration,
FunctionCallingConfig, FunctionCall, FunctionResponse, GenerationConfig):

* Tools: `tools: [{"functionDeclarations": [{"name", "description", "parametersJsonSchema"}]}]` (full
  JSON Schema; the OpenAPI-style `parameters` is the other, exclusive, spelling). Names start with a
  letter or '_', then a-z A-Z 0-9 _ . : -, at most 128 (FunctionDeclaration.name docstring).
* `toolConfig.functionCallingConfig`: `mode` AUTO | ANY | NONE (| VALIDATED), `allowedFunctionNames`
  (with ANY). Ours: auto -> AUTO, none -> NONE, required -> ANY, a name -> ANY limited to that name.
  There is no switch for parallel calls.
* A call is a `functionCall {id?, name, args}` part; the result goes back as a `functionResponse {id?,
  name, response}` part in a `role: "user"` content, `response` being `{"output": ...}` or `{"error":
  ...}` ("Use 'output' key to specify function output and 'error' key to specify error details"), with
  the call's `id` echoed when the call had one (the FunctionCall.id docstring; tools-batch.md 11).
* Thought signatures (Gemini 3): the signature rides on the functionCall part as its sibling
  `thoughtSignature` and goes back on it; with parallel calls only the first part carries one. A
  history whose calls lack one (made by another provider, or by a model that did not sign) gets the
  documented dummy `skip_thought_signature_validator` on the first call of each model turn (ai.google.dev
  thought-signatures FAQ; the Vertex page), in the base64 form that google-genai users send it as bytes
  (tools-batch.md 4.4 prefers it; which form the server matches is UNCONFIRMED).
* Structured output: `generationConfig.responseMimeType: "application/json"` + `responseJsonSchema`
  (never with `responseSchema`), the schema adapted by schema_adapt.gemini_schema.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ..errors import InvalidParameterError, ToolDefinitionError
from ..registry import ModelInfo
from ..schemas import NAME_RULES, for_gemini
from ..tools import check_names, check_tool_choice
from ..types import ChatRequest, Message, ToolCallPart, ToolResultPart

__all__ = [
    "DUMMY_SIGNATURE",
    "calls_by_id",
    "check_tools",
    "function_call",
    "function_response",
    "merged_tool_config",
    "needs_dummy",
    "output_fields",
    "tool_fields",
]

DUMMY_SIGNATURE = base64.b64encode(b"skip_thought_signature_validator").decode("ascii")
TOOL_CHOICES = ("auto", "none", "required")
_MODES = {"auto": "AUTO", "none": "NONE", "required": "ANY"}


def own_call(part: ToolCallPart, provider: str) -> bool:
    return part.provider == provider


def calls_by_id(messages: list[Message]) -> dict[str, ToolCallPart]:
    """Every call in the conversation by its id (to answer a result with the call's wire id)."""
    return {p.id: p for m in messages for p in m.parts if isinstance(p, ToolCallPart)}


def function_call(part: ToolCallPart, provider: str) -> dict[str, Any]:
    """A `functionCall` part: its wire id and signature only to the provider that made them."""
    call: dict[str, Any] = {"name": part.name, "args": part.arguments}
    own = own_call(part, provider)
    if own and part.item_id:
        call = {"id": part.item_id, **call}
    out: dict[str, Any] = {"functionCall": call}
    if own and part.signature:
        out["thoughtSignature"] = part.signature
    return out


def function_response(result: ToolResultPart, call: ToolCallPart | None, provider: str) -> dict[str, Any]:
    """A `functionResponse` part: `{"output": value}` or `{"error": value}`, JSON results as values."""
    try:
        value: Any = json.loads(result.content)
    except ValueError:
        value = result.content
    response: dict[str, Any] = {"name": result.name}
    if call is not None and own_call(call, provider) and call.item_id:
        response = {"id": call.item_id, **response}
    response["response"] = {"error" if result.is_error else "output": value}
    return {"functionResponse": response}


def needs_dummy(info: ModelInfo) -> bool:
    """Gemini 3 and later (thinking levels) validate the signatures of function calls."""
    return info.thinking.style == "gemini_level"


def _unsigned_turns(request: ChatRequest) -> int:
    count = 0
    for message in request.messages:
        calls = [p for p in message.parts if isinstance(p, ToolCallPart)]
        if message.role == "assistant" and calls:
            first = calls[0]
            if not (own_call(first, request.provider) and first.signature):
                count += 1
    return count


def check_tools(request: ChatRequest, info: ModelInfo) -> list[str]:
    """Refuse what Gemini would reject about tools and output=, before any request; notes."""
    notes: list[str] = []
    check_names(request.tools, NAME_RULES["gemini"], request.provider)
    for spec in request.tools:
        long = [p for p in (spec.parameters.get("properties") or {}) if len(p) > 64]
        if long:
            raise ToolDefinitionError(
                f"tool {spec.name!r}: {request.provider} takes parameter names of at most 64 characters; "
                f"rename {long[0]!r}",
                tool=spec.name,
                provider=request.provider,
            )
        adapted = for_gemini(spec.parameters)
        if not adapted.strict_ok:
            raise ToolDefinitionError(
                f"tool {spec.name!r} cannot be sent to {request.provider}: {'; '.join(adapted.why)}",
                tool=spec.name,
                provider=request.provider,
            )
    check_tool_choice(request, TOOL_CHOICES)
    if request.parallel_tool_calls is not None and request.tools:
        notes.append(
            f"parallel_tool_calls={request.parallel_tool_calls} not sent: {request.provider} has no switch "
            "for parallel calls (the model decides)"
        )
    foreign = sum(
        isinstance(p, ToolCallPart) and not own_call(p, request.provider)
        for m in request.messages
        for p in m.parts
    )
    if foreign:
        notes.append(
            f"{foreign} tool call(s) from another provider sent as functionCall parts without their ids "
            "(results matched by name and order)"
        )
    if needs_dummy(info) and (unsigned := _unsigned_turns(request)):
        notes.append(
            f"{unsigned} tool-call turn(s) without a Gemini thought signature sent with the documented dummy "
            "signature (skip_thought_signature_validator), as Gemini 3 requires one on function calls"
        )
    streamed = _calling_config(request.options).get("streamFunctionCallArguments")
    if streamed and request.provider != "vertex":
        raise InvalidParameterError(
            "streamFunctionCallArguments is a Vertex AI option (google-genai: 'not supported in Gemini API'); "
            f"leave it out on {request.provider}, or call the model as vertex/..."
        )
    if streamed:
        notes.append("function-call arguments stream as partialArgs; each call is assembled whole")
    if request.output is not None:
        for key in ("response_schema", "responseSchema", "response_json_schema", "responseJsonSchema"):
            if key in request.options or key in (request.options.get("generation_config") or {}):
                raise InvalidParameterError(
                    f"pass either output= or {key}, not both: output= sends responseJsonSchema itself"
                )
        adapted = for_gemini(request.output.json_schema)
        if not adapted.strict_ok:
            raise InvalidParameterError(
                f"output= cannot be sent to {request.provider} as a JSON schema: {'; '.join(adapted.why)}"
            )
        moved = f"; {', '.join(adapted.moved)} moved into descriptions" if adapted.moved else ""
        notes.append(f"structured output: responseJsonSchema{moved}")
    return notes


def _calling_config(options: dict[str, Any]) -> dict[str, Any]:
    """The caller's own `toolConfig.functionCallingConfig` (options=, either spelling), if any."""
    config = options.get("toolConfig", options.get("tool_config"))
    if not isinstance(config, dict):
        return {}
    calling = config.get("functionCallingConfig", config.get("function_calling_config"))
    return calling if isinstance(calling, dict) else {}


def merged_tool_config(ours: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """The `toolConfig` tool_choice= wrote joined with the caller's own toolConfig option (its keys added,
    e.g. Vertex's `streamFunctionCallArguments`; ours kept), instead of one replacing the other."""
    theirs = options.get("toolConfig", options.get("tool_config"))
    if not isinstance(theirs, dict):
        return ours
    merged = {
        k: v for k, v in theirs.items() if k not in ("functionCallingConfig", "function_calling_config")
    }
    merged["functionCallingConfig"] = {**_calling_config(options), **ours["functionCallingConfig"]}
    return merged


def tool_fields(request: ChatRequest) -> dict[str, Any]:
    """`tools` and `toolConfig` in Gemini's shape."""
    fields: dict[str, Any] = {}
    if not request.tools:
        return fields
    declarations = []
    for spec in request.tools:
        declaration: dict[str, Any] = {"name": spec.name}
        if spec.description:
            declaration["description"] = spec.description
        declaration["parametersJsonSchema"] = for_gemini(spec.parameters).schema
        declarations.append(declaration)
    fields["tools"] = [{"functionDeclarations": declarations}]
    choice = request.tool_choice
    if choice is not None:
        config: dict[str, Any] = {"mode": _MODES.get(choice, "ANY")}
        if choice not in _MODES:
            config["allowedFunctionNames"] = [choice]
        fields["toolConfig"] = {"functionCallingConfig": config}
    return fields


def output_fields(request: ChatRequest) -> dict[str, Any]:
    """The generationConfig fields for output=: JSON, with the adapted schema."""
    if request.output is None:
        return {}
    return {
        "responseMimeType": "application/json",
        "responseJsonSchema": for_gemini(request.output.json_schema).schema,
    }
