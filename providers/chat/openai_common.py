"""Rules shared by OpenAI's two APIs and the compatible vendors: sampling, the error envelope, tools, structured output."""

from __future__ import annotations

import json
from typing import Any

from ..errors import InvalidParameterError, ToolDefinitionError
from ..output import schema_prompt
from ..registry import ModelInfo
from ..schemas import NAME_RULES, for_openai
from ..thinking import Resolved
from ..tools import check_names, check_tool_choice
from ..types import ChatRequest, OutputSpec, ToolSpec

__all__ = [
    "SAMPLING_PARAMS",
    "TOOL_CHOICES",
    "chat_tools",
    "check_sampling",
    "check_tools",
    "format_json_schema",
    "openai_error",
    "output_mode",
    "output_notes",
    "responses_tools",
    "strict_parameters",
    "with_schema_prompt",
]

TOOL_CHOICES = ("auto", "none", "required")

SAMPLING_PARAMS = ("temperature", "top_p", "logprobs", "top_logprobs")


def check_sampling(request: ChatRequest, info: ModelInfo, resolved: Resolved) -> list[str]:
    """Refuse sampling parameters the model rejects (wire/models.md, 'which models reject temperature')."""
    given = [p for p in SAMPLING_PARAMS if p in request.options]
    if p := next((p for p in given if not (p == "temperature" and request.options[p] == 1)), None):
        where = f"{info.provider}/{info.id}"
        if info.sampling == "rejects":
            raise InvalidParameterError(
                f"{where} is a reasoning model and rejects {p}; drop {p}= (only the default temperature 1 is accepted)"
            )
        if info.sampling == "unless_effort_none" and resolved.effort != "none":
            raise InvalidParameterError(
                f"{where} accepts {p} only with reasoning effort 'none'; pass thinking=False or drop {p}="
            )
    return []


def openai_error(body: bytes | dict[str, Any]) -> tuple[str | None, str | None]:
    """(message, code) from `{"error": {"message", "type", "param", "code"}}`, tolerating anything else."""
    try:
        data = json.loads(body) if isinstance(body, bytes | bytearray) else body
    except ValueError:
        return None, None
    err = data.get("error") if isinstance(data, dict) else None
    if isinstance(err, dict):
        code = err.get("code")
        return err.get("message"), None if code is None else str(code)
    if isinstance(err, str):
        return err, None
    return None, None


# --- tools: shared by Responses, Chat Completions and the compatible vendors ---------------------------


def strict_parameters(spec: ToolSpec) -> tuple[dict[str, Any], bool]:
    """The parameters schema to send and whether the tool goes strict.

    `strict=None` (the default) means strict when the schema can be adapted (OpenAI then guarantees the
    arguments match); `strict=False` sends the schema as given; `strict=True` refuses what cannot be
    adapted (check_tools raises first).
    """
    if spec.strict is False:
        return spec.parameters, False
    adapted = for_openai(spec.parameters)
    if adapted.strict_ok:
        return adapted.schema, True
    return spec.parameters, False


def check_tools(
    request: ChatRequest, *, strict: str = "auto", choices: tuple[str, ...] = TOOL_CHOICES
) -> list[str]:
    """Refuse tool names, strict schemas and tool_choice values OpenAI would reject; note what was adapted.

    `strict` is the codec's mode (see chat_tools): with "explicit" only tools asking for it go strict."""
    notes: list[str] = []
    check_names(request.tools, NAME_RULES["openai"], request.provider)
    for spec in request.tools:
        if strict == "explicit" and spec.strict is not True:
            continue
        adapted = for_openai(spec.parameters)
        if spec.strict is True and not adapted.strict_ok:
            raise ToolDefinitionError(
                f"tool {spec.name!r} cannot be strict on {request.provider}: {'; '.join(adapted.why)}; "
                "pass strict=False or change the parameter types",
                tool=spec.name,
                provider=request.provider,
            )
        if spec.strict is None and not adapted.strict_ok:
            notes.append(f"tool {spec.name!r} sent non-strict: {'; '.join(adapted.why)}")
        elif spec.strict is not False and adapted.moved:
            notes.append(
                f"tool {spec.name!r}: {', '.join(adapted.moved)} moved into descriptions (strict mode does not take them)"
            )
    check_tool_choice(request, choices)
    return notes


def responses_tools(request: ChatRequest) -> dict[str, Any]:
    """`tools`, `tool_choice`, `parallel_tool_calls` in the Responses shape (flat function tools)."""
    fields: dict[str, Any] = {}
    if request.tools:
        tools = []
        for spec in request.tools:
            parameters, strict = strict_parameters(spec)
            tools.append(
                {
                    "type": "function",
                    "name": spec.name,
                    "description": spec.description,
                    "parameters": parameters,
                    "strict": strict,
                }
            )
        fields["tools"] = tools
    if request.tool_choice is not None:
        choice = request.tool_choice
        fields["tool_choice"] = choice if choice in TOOL_CHOICES else {"type": "function", "name": choice}
    if request.parallel_tool_calls is not None:
        fields["parallel_tool_calls"] = request.parallel_tool_calls
    return fields


def chat_tools(request: ChatRequest, *, strict: str = "auto") -> dict[str, Any]:
    """`tools`, `tool_choice`, `parallel_tool_calls` in the Chat Completions shape (nested function).

    `strict="auto"` (OpenAI) makes each tool strict when its schema can be adapted; `"explicit"`
    (vendors whose strict mode is unknown or separate) only the tools that ask with strict=True, and
    sends the others as given, without a `strict` key.
    """
    fields: dict[str, Any] = {}
    if request.tools:
        tools = []
        for spec in request.tools:
            function: dict[str, Any] = {"name": spec.name, "description": spec.description}
            if strict == "auto" or spec.strict is True:
                function["parameters"], function["strict"] = strict_parameters(spec)
            else:
                function["parameters"] = spec.parameters
            tools.append({"type": "function", "function": function})
        fields["tools"] = tools
    if request.tool_choice is not None:
        choice = request.tool_choice
        fields["tool_choice"] = (
            choice if choice in TOOL_CHOICES else {"type": "function", "function": {"name": choice}}
        )
    if request.parallel_tool_calls is not None:
        fields["parallel_tool_calls"] = request.parallel_tool_calls
    return fields


# --- structured output ---------------------------------------------------------------------------


def output_mode(request: ChatRequest, info: ModelInfo, codec_mode: str) -> str | None:
    """How this call asks for structured output: "json_schema", "json_object" (schema in the prompt),
    "prompt" (no mode: schema in the prompt only), or None when output= was not given."""
    if request.output is None:
        return None
    if info.structured_output is False:
        return "prompt"
    return codec_mode


def output_notes(request: ChatRequest, info: ModelInfo, codec_mode: str) -> list[str]:
    """What the footer says about how the structured answer was asked for."""
    mode = output_mode(request, info, codec_mode)
    if mode is None or request.output is None:
        return []
    spec = request.output
    if mode == "json_schema":
        if not spec.strict:
            return [f"structured output: json_schema {spec.name!r}, not strict"]
        adapted = for_openai(spec.json_schema)
        if not adapted.strict_ok:
            return [f"structured output sent non-strict: {'; '.join(adapted.why)}"]
        moved = f"; {', '.join(adapted.moved)} moved into descriptions" if adapted.moved else ""
        return [f"structured output: strict json_schema {spec.name!r}{moved}"]
    if mode == "json_object":
        return [
            "structured output: JSON mode with the schema in the prompt (no schema mode here); validated here"
        ]
    return [
        f"{request.provider}/{info.id} has no structured-output mode: the schema was put in the prompt "
        "and the answer validated here"
    ]


def format_json_schema(spec: OutputSpec) -> dict[str, Any]:
    """`{type: json_schema, name, schema, strict[, description]}` (Responses `text.format`; Chat nests it)."""
    schema, strict = spec.json_schema, False
    if spec.strict:
        adapted = for_openai(spec.json_schema)
        if adapted.strict_ok:
            schema, strict = adapted.schema, True
    fmt: dict[str, Any] = {"type": "json_schema", "name": spec.name, "schema": schema, "strict": strict}
    if spec.description:
        fmt["description"] = spec.description
    return fmt


def with_schema_prompt(request: ChatRequest) -> ChatRequest:
    """The request with the schema instruction added to its system text (JSON mode, or no mode)."""
    if request.output is None:
        return request
    system = "\n\n".join(s for s in (request.system, schema_prompt(request.output)) if s)
    return request.model_copy(update={"system": system})
