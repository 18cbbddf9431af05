"""Prompts into turns: what `chat(model, prompt)` accepts, normalized to `Message`s, and the gate that
refuses tools or output= where a model or codec cannot take them. Pure: nothing here sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import InvalidParameterError, ToolsNotSupportedError
from .registry import ModelInfo
from .types import ChatRequest, ChatResult, ImagePart, Message, TextPart, ToolCallPart, ToolResultPart

__all__ = ["check_tools_supported", "to_messages"]


def _message(item: Any) -> Message:
    if isinstance(item, Message):
        return item
    if isinstance(item, str):  # a plain string in a conversation list is a user turn
        return Message.user(item)
    if isinstance(item, ChatResult):
        return item.to_message()
    if isinstance(item, Mapping):
        role = item.get("role")
        content = item.get("content", item.get("parts"))
        if role not in ("user", "assistant", "system"):
            raise InvalidParameterError(
                f"a message role must be 'user', 'assistant' or 'system', not {role!r}"
            )
        if isinstance(content, str):
            return Message(role=role, parts=[TextPart(text=content)])
        if isinstance(content, list):
            return Message.model_validate({"role": role, "parts": [_part_dict(p) for p in content]})
        raise InvalidParameterError(
            f"message content must be a string or a list of parts, not {type(content).__name__}"
        )
    raise InvalidParameterError(
        f"pass the prompt as a string, a Message, a dict with role/content, or a list of those; got {type(item).__name__}"
    )


def _part_dict(part: Any) -> Any:
    if isinstance(part, str):
        return TextPart(text=part)
    if isinstance(part, Mapping) and "kind" not in part and part.get("type") == "text":
        return TextPart(text=part.get("text", ""))
    return part


def to_messages(prompt: Any) -> tuple[list[Message], str | None]:
    """Normalize a prompt (string, Message, dicts, results, or a list) into turns plus a system text."""
    if isinstance(prompt, str):
        if not prompt.strip():
            raise InvalidParameterError("the prompt is empty; pass some text to send")
        return [Message.user(prompt)], None
    items = list(prompt) if isinstance(prompt, list | tuple) else [prompt]
    messages: list[Message] = []
    for item in items:
        # a tool loop's result brings every turn it added (calls and results), not just its answer
        messages += item.to_messages() if isinstance(item, ChatResult) else [_message(item)]
    system = "\n\n".join(m.text for m in messages if m.role == "system") or None
    turns = [m for m in messages if m.role != "system"]
    has_content = any(
        (isinstance(p, TextPart) and p.text.strip()) or isinstance(p, ImagePart | ToolResultPart)
        for m in turns
        for p in m.parts
    )
    if not turns or not has_content:
        raise InvalidParameterError(
            "the conversation has no content; pass at least one non-empty user message"
        )
    return turns, system


def check_tools_supported(codec: Any, request: ChatRequest, info: ModelInfo) -> None:
    """Refuse tools, tool turns or output= on a model or codec that does not take them (yet)."""
    if request.tools and info.tools is False:
        raise ToolsNotSupportedError(
            f"{request.provider}/{info.id} cannot call tools (catalog); pick a model that can, "
            "or drop tools=",
            provider=request.provider,
        )
    uses_tools = bool(request.tools) or any(
        isinstance(p, ToolCallPart | ToolResultPart) for m in request.messages for p in m.parts
    )
    if uses_tools and not getattr(codec, "tools", False):
        raise ToolsNotSupportedError(
            f"tools are not supported on {request.provider} yet (its codec does not translate tool calls); "
            "use an OpenAI, xAI, DeepSeek or OpenAI-compatible model for tools",
            provider=request.provider,
        )
    if request.output is not None and not getattr(codec, "structured_output", False):
        raise ToolsNotSupportedError(
            f"output= is not supported on {request.provider} yet; ask for JSON in the prompt instead",
            provider=request.provider,
        )
