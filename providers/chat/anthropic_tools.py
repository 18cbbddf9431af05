"""Anthropic Messages: tools, tool turns and structured output (the request side; anthropic.py reads replies).

Wire facts (wire/tools-batch.md section 3; anthropic 2.17 `types/tool_param.py`, `tool_choice_*_param.py`,
`tool_result_block_param.py`, `output_config_param.py`):

* A tool is `{"name", "description", "input_schema"[, "strict"]}`; `strict: true` asks for schema-exact
  inputs, with the structured-output schema subset (schema_adapt.anthropic_schema). Without `strict`
  the schema goes as given, as the SDK's own tool helper sends it.
* `tool_choice`: `{"type": "auto"|"any"|"none"}` or `{"type": "tool", "name"}`; parallel calls are on
  unless `disable_parallel_tool_use: true` (auto/any/tool only). Ours: auto, none, required (any), a name.
* Calls are `tool_use` blocks (`id` `toolu_...`, `input` an object); results go back as `tool_result`
  blocks first in the next user message (`is_error: true` for a failure). Every `tool_use` needs its
  `tool_result` right after. Ids must match `^[a-zA-Z0-9_-]+$` (the API's 400 quoted in tool_ids.py):
  ids from other providers that do not are rewritten (tool_ids.py).
* Thinking: thinking and redacted_thinking blocks before a `tool_use` go back unchanged and in order
  (anthropic.py keeps them as parts, in order). Forced tool use (`any`/`tool`) with thinking on is a
  400 "Thinking may not be enabled when tool_choice forces tool use." (mastra-ai/mastra#7507,
  can1357/oh-my-pi#341) for manual thinking (`enabled`); adaptive thinking takes it (and skips thinking)
  except on Opus 5.5, Sonnet 5.5, Fable 5.1 and Mythos 5.1, which return 400 (thinking-tool-workflows,
  JA page; tools-batch.md section 10.1). Both are refused here before any request. With manual thinking
  the assistant turn answered by tool results must start with a thinking block (the 400 quoted in
  sandbox/validate/rules_anthropic.py): a tool turn made without thinking, or on another provider,
  cannot be continued with manual thinking on -- refused here too, naming the fix.
* A conversation holding `tool_use`/`tool_result` blocks needs `tools`: 400 "Requests which include
  `tool_use` or `tool_result` blocks must define tools." (quoted in many public reports): refused here.
* Structured output: `output_config.format = {"type": "json_schema", "schema"}` (GA, no beta header),
  beside `output_config.effort`.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import InvalidParameterError, ToolDefinitionError
from ..registry import ModelInfo
from ..schemas import NAME_RULES, for_anthropic
from ..tools import check_names, check_tool_choice
from ..types import ChatRequest, Message, ThinkingPart, ToolCallPart, ToolResultPart
from .base import foreign_call_notes
from .tool_ids import digest_id, rewrite_ids

__all__ = [
    "FORCED_CHOICE_REFUSED_WITH_ADAPTIVE",
    "anthropic_ids",
    "check_tools",
    "output_format",
    "tool_fields",
]

TOOL_CHOICES = ("auto", "none", "required")
# tools-batch.md 10.1 (thinking-tool-workflows, JA page): forced tool use with adaptive thinking -> 400
FORCED_CHOICE_REFUSED_WITH_ADAPTIVE = frozenset(
    {"claude-opus-5-5", "claude-sonnet-5-5", "claude-fable-5-1", "claude-mythos-5-1"}
)
_ID = re.compile(r"^[a-zA-Z0-9_-]+$")


def anthropic_ids(messages: list[Message]) -> tuple[list[Message], int]:
    """The messages with call ids Anthropic refuses rewritten (stable, calls and results alike)."""
    return rewrite_ids(messages, lambda i: bool(_ID.match(i)), lambda i: digest_id(i, 24, "toolu_"))


def _forced(choice: str | None) -> bool:
    return choice is not None and choice not in ("auto", "none")


def _check_forced(request: ChatRequest, info: ModelInfo, thinking_type: str | None) -> None:
    if not _forced(request.tool_choice):
        return
    where = f"{request.provider}/{info.id}"
    if thinking_type == "enabled":
        raise InvalidParameterError(
            f"{where}: Anthropic refuses a forced tool_choice ({request.tool_choice!r}) with manual thinking "
            "('Thinking may not be enabled when tool_choice forces tool use.'); use tool_choice='auto' and "
            "name the tool in the prompt, or pass thinking=False"
        )
    if thinking_type == "adaptive" and info.id in FORCED_CHOICE_REFUSED_WITH_ADAPTIVE:
        off = " or pass thinking=False" if info.thinking.can_disable else ""
        raise InvalidParameterError(
            f"{where} refuses a forced tool_choice ({request.tool_choice!r}) while it thinks (400; its "
            f"thinking is adaptive{'' if off else ' and cannot be turned off'}): use tool_choice='auto' "
            f"and name the tool in the prompt{off}, or use a model that accepts forced tool use with "
            "adaptive thinking (e.g. anthropic/claude-haiku-5-5)"
        )


def _check_tool_turn(request: ChatRequest, thinking_type: str | None) -> None:
    """Manual thinking: the assistant turn the last tool results answer must start with our thinking."""
    if thinking_type != "enabled" or len(request.messages) < 2:
        return
    last, before = request.messages[-1], request.messages[-2]
    if not any(isinstance(p, ToolResultPart) for p in last.parts):
        return
    if before.role != "assistant" or not any(isinstance(p, ToolCallPart) for p in before.parts):
        return
    first = next(
        (p for p in before.parts if not (isinstance(p, ThinkingPart) and not _sendable(p, request.provider))),
        None,
    )
    if isinstance(first, ThinkingPart):
        return
    raise InvalidParameterError(
        f"{request.provider} with manual thinking (a budget) needs the tool turn it continues to start with "
        "its own thinking block, and this one has none (made without thinking, or by another provider): keep "
        "one thinking configuration for a whole tool loop -- continue with thinking=False, as the turn was made"
    )


def _sendable(part: ThinkingPart, provider: str) -> bool:
    if part.provider != provider or part.truncated:
        return False
    return bool((part.redacted and part.encrypted) or part.signature)


def check_tools(request: ChatRequest, info: ModelInfo, thinking_type: str | None) -> list[str]:
    """Refuse what Anthropic would reject about tools and output=, before any request; notes."""
    notes: list[str] = []
    rule = NAME_RULES["anthropic"]
    check_names(request.tools, rule, request.provider)
    for spec in request.tools:
        if spec.strict is not True:
            continue
        adapted = for_anthropic(spec.parameters)
        if not adapted.strict_ok:
            raise ToolDefinitionError(
                f"tool {spec.name!r} cannot be strict on {request.provider}: {'; '.join(adapted.why)}; "
                "pass strict=False or change the parameter types",
                tool=spec.name,
                provider=request.provider,
            )
        if adapted.moved:
            notes.append(f"tool {spec.name!r}: {', '.join(adapted.moved)} moved into descriptions (strict)")
    for message in request.messages:
        for part in message.parts:
            if isinstance(part, ToolCallPart) and not rule.pattern.match(part.name):
                raise ToolDefinitionError(
                    f"the conversation holds a call to {part.name!r}, a tool name {request.provider} rejects "
                    f"({rule.text}); leave that turn out to continue on {request.provider}",
                    tool=part.name,
                    provider=request.provider,
                )
    if not request.tools and any(
        isinstance(p, ToolCallPart | ToolResultPart) for m in request.messages for p in m.parts
    ):
        raise InvalidParameterError(
            f"{request.provider} refuses a conversation holding tool calls or results without tool definitions "
            "('Requests which include `tool_use` or `tool_result` blocks must define tools.'): pass the "
            "conversation's tools=[...] again (with tool_choice='none' if the model should not call them)"
        )
    check_tool_choice(request, TOOL_CHOICES)
    if request.parallel_tool_calls is False and request.tool_choice == "none":
        notes.append("parallel_tool_calls=False has no effect with tool_choice='none'")
    _check_forced(request, info, thinking_type)
    _check_tool_turn(request, thinking_type)
    notes += foreign_call_notes(request.messages, request.provider)
    _, rewritten = anthropic_ids(request.messages)
    if rewritten:
        notes.append(
            f"{rewritten} tool call id(s) from another provider rewritten to Anthropic's form "
            "(letters, digits, '_', '-'), in the calls and their results alike"
        )
    if request.output is not None:
        adapted = for_anthropic(request.output.json_schema)
        if not adapted.strict_ok:
            raise InvalidParameterError(
                f"output= cannot be sent to {request.provider} as a JSON schema: {'; '.join(adapted.why)}; "
                "change those fields (e.g. a list of key/value objects instead of a dict)"
            )
        moved = f"; {', '.join(adapted.moved)} moved into descriptions" if adapted.moved else ""
        notes.append(f"structured output: output_config.format json_schema{moved}")
    return notes


def tool_fields(request: ChatRequest) -> dict[str, Any]:
    """`tools` and `tool_choice` in Anthropic's shape."""
    fields: dict[str, Any] = {}
    if request.tools:
        tools = []
        for spec in request.tools:
            tool: dict[str, Any] = {"name": spec.name, "description": spec.description}
            if spec.strict is True:
                tool["input_schema"] = for_anthropic(spec.parameters).schema
            else:
                tool["input_schema"] = spec.parameters
            if spec.strict is not None:
                tool["strict"] = spec.strict
            tools.append(tool)
        fields["tools"] = tools
    choice = request.tool_choice
    if not request.tools:
        return fields
    parallel_off = request.parallel_tool_calls is False
    if choice is None and not parallel_off:
        return fields
    if choice in (None, "auto"):
        wire: dict[str, Any] = {"type": "auto"}
    elif choice == "none":
        fields["tool_choice"] = {"type": "none"}
        return fields
    elif choice == "required":
        wire = {"type": "any"}
    else:
        wire = {"type": "tool", "name": choice}
    if parallel_off:
        wire["disable_parallel_tool_use"] = True
    fields["tool_choice"] = wire
    return fields


def output_format(request: ChatRequest) -> dict[str, Any] | None:
    """`output_config.format` for output=, or None."""
    if request.output is None:
        return None
    return {"type": "json_schema", "schema": for_anthropic(request.output.json_schema).schema}
