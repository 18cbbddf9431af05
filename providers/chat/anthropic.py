"""Anthropic Messages: `POST {base}/v1/messages`.

Wire facts (wire/chat.md section 2, wire/delta-2026-11.md section 1; anthropic 2.14.0):
`Authorization: Bearer <key>` and `anthropic-version: 2026-10-21`, as the newest SDK sends them;
`max_tokens` required; thinking `{"type":"adaptive","display":...}` + `output_config.effort` on
Claude 4.6+ (4.7+ reject `budget_tokens`), `{"type":"enabled","budget_tokens":N}` (1024 <= N <
max_tokens) on older models, `{"type":"disabled"}`; `display` defaults to "omitted" on newer models,
so it is always sent; API version 2026-10-21 removed temperature/top_p/top_k. Thinking and
redacted_thinking blocks go back verbatim; a signature only to Anthropic, never from a cut-short block.

Tools and structured output (the request side) are in anthropic_tools.py. Here: `tool_use` blocks read
into ToolCallParts (streamed: `input_json_delta` fragments joined per block index and parsed when the
block stops, "" meaning {}), and tool parts written back as `tool_use` / `tool_result` blocks.
"""

from __future__ import annotations

from typing import Any, assert_never

import httpx2

from ..errors import InvalidParameterError, ProviderError, StreamError, error_for_status
from ..fields import count, obj, opt_str
from ..registry import ModelInfo
from ..thinking import Resolved
from ..types import (
    ChatRequest,
    ChatResult,
    HttpCall,
    ImagePart,
    Message,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    ToolResultPart,
    Usage,
    Visibility,
)
from .anthropic_tools import anthropic_ids, check_tools, output_format, tool_fields
from .base import Connection, auth_headers, error_from_body, loads
from .openai_items import arguments_of

__all__ = ["STREAM_REQUIRED_MAX_TOKENS", "Anthropic", "default_max_tokens"]

API_VERSION = "2026-10-21"
REMOVED_PARAMS = ("temperature", "top_p", "top_k")
# The official SDK refuses a non-streaming call it expects to exceed 10 minutes: 3600 s * max_tokens
# / 128,000 > 600 s, i.e. max_tokens > 21,333 (anthropic _base_client.py). Such calls stream here.
STREAM_REQUIRED_MAX_TOKENS = 21_333
DEFAULT_MAX_TOKENS = 16_000
ANSWER_ROOM = 4_096

FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "refusal",
    "pause_turn": "pause",
}


def default_max_tokens(resolved: Resolved, info: ModelInfo) -> int:
    """max_tokens when the user gave none: room for the budget plus an answer, within the model's limit."""
    want = DEFAULT_MAX_TOKENS
    if resolved.mode == "budget" and resolved.budget_tokens:
        want = max(want, resolved.budget_tokens + ANSWER_ROOM)
    return min(want, info.max_output_tokens) if info.max_output_tokens else want


def _blocks(message: Message, provider: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    # tool results first in their user message, then the rest (tools-batch.md 3.3)
    results = [p for p in message.parts if isinstance(p, ToolResultPart)]
    for part in [*results, *(p for p in message.parts if not isinstance(p, ToolResultPart))]:
        match part:
            case TextPart():
                if part.text:
                    blocks.append({"type": "text", "text": part.text})
            case ImagePart():
                if part.url:
                    source: dict[str, Any] = {"type": "url", "url": part.url}
                else:
                    source = {"type": "base64", "media_type": part.media_type, "data": part.data}
                blocks.append({"type": "image", "source": source})
            case ThinkingPart():
                if part.provider != provider or part.truncated:
                    continue
                if part.redacted and part.encrypted:
                    blocks.append({"type": "redacted_thinking", "data": part.encrypted})
                elif part.signature:
                    blocks.append({"type": "thinking", "thinking": part.text, "signature": part.signature})
            case ToolCallPart():
                if message.role != "assistant":
                    raise InvalidParameterError("a tool call belongs in an assistant turn, not a user turn")
                blocks.append({"type": "tool_use", "id": part.id, "name": part.name, "input": part.arguments})
            case ToolResultPart():
                if message.role != "user":
                    raise InvalidParameterError("tool results belong in a user turn")
                result: dict[str, Any] = {
                    "type": "tool_result",
                    "tool_use_id": part.call_id,
                    "content": part.content,
                }
                if part.is_error:
                    result["is_error"] = True
                blocks.append(result)
            case _:
                assert_never(part)
    return blocks


def _content(message: Message, provider: str) -> str | list[dict[str, Any]]:
    if (
        message.role == "user"
        and all(isinstance(p, TextPart) for p in message.parts)
        and len(message.parts) == 1
    ):
        return message.text
    return _blocks(message, provider)


def _usage(raw: Any) -> Usage:
    """Our Usage from Anthropic's; counts of the wrong type are unknown (providers/fields.py)."""
    if not isinstance(raw, dict) or not raw:
        return Usage()
    inp = count(raw.get("input_tokens"))
    reported_read = count(raw.get("cache_read_input_tokens"))  # 0 when reported as 0; None when not
    cache_write = count(raw.get("cache_creation_input_tokens")) or 0
    total_in = None if inp is None else inp + (reported_read or 0) + cache_write
    out = count(raw.get("output_tokens"))
    return Usage(
        input_tokens=total_in,
        output_tokens=out,
        reasoning_tokens=obj(raw.get("output_tokens_details")).get("thinking_tokens"),
        cached_tokens=reported_read,
        total_tokens=None if total_in is None or out is None else total_in + out,
    )


def _part(block: dict[str, Any], provider: str) -> Any:
    if not isinstance(block, dict):
        return None  # (a null in the content list: the other blocks still make the answer)
    match block.get("type"):
        case "text":
            return TextPart(text=block.get("text") or "")
        case "thinking":
            return ThinkingPart(
                text=block.get("thinking") or "", signature=block.get("signature") or None, provider=provider
            )
        case "redacted_thinking":
            return ThinkingPart(encrypted=block.get("data"), redacted=True, provider=provider)
        case "tool_use":
            raw = block.get("input")
            arguments, invalid = arguments_of(raw if raw is not None else {})
            return ToolCallPart(
                id=str(block.get("id") or ""),
                name=str(block.get("name") or ""),
                arguments=arguments,
                raw_arguments=raw if isinstance(raw, str) else None,
                provider=provider,
                invalid_json=invalid,
            )
    return None


def _visibility(parts: list[Any]) -> Visibility:
    thinking = [p for p in parts if isinstance(p, ThinkingPart)]
    if any(p.text for p in thinking):
        return "summary"
    if any(p.redacted for p in thinking):
        return "encrypted"
    if thinking:
        return "omitted"
    return "none"


class Anthropic:
    name = "anthropic"
    request_id_header = "request-id"
    tools = True
    structured_output = "json_schema"  # output_config.format

    def check(self, request: ChatRequest, info: ModelInfo, resolved: Resolved) -> list[str]:
        notes: list[str] = []
        for param in REMOVED_PARAMS:
            if param in request.options:
                raise InvalidParameterError(
                    f"Anthropic API version {API_VERSION} removed {param} (Claude 4.7+ rejects it on any version); drop {param}="
                )
        if resolved.mode == "budget" and resolved.budget_tokens is not None:
            if resolved.budget_tokens < 1024:
                raise InvalidParameterError(
                    f"Anthropic thinking budget must be at least 1024 tokens, got {resolved.budget_tokens}"
                )
            max_tokens = request.max_tokens or default_max_tokens(resolved, info)
            if resolved.budget_tokens >= max_tokens:
                raise InvalidParameterError(
                    f"Anthropic thinking budget ({resolved.budget_tokens}) must be below max_tokens ({max_tokens}); "
                    "raise max_tokens or lower the budget"
                )
        foreign = sum(
            isinstance(p, ThinkingPart) and (p.provider != request.provider or p.truncated)
            for m in request.messages
            for p in m.parts
        )
        if foreign:
            notes.append(
                f"{foreign} thinking part(s) not sent back: made by another provider or cut short (no valid signature)"
            )
        thinking = self.thinking_fields(resolved, request, info).get("thinking") or {}
        return notes + check_tools(request, info, thinking.get("type"))

    def thinking_fields(self, resolved: Resolved, request: ChatRequest, info: ModelInfo) -> dict[str, Any]:
        display = resolved.display or "summarized"
        style = info.thinking.style
        if resolved.mode == "off":
            return {"thinking": {"type": "disabled"}}
        if resolved.mode == "budget":
            thinking: dict[str, Any] = {"type": "enabled", "budget_tokens": resolved.budget_tokens}
            if style != "anthropic_budget":
                thinking["display"] = display
            return {"thinking": thinking}
        if resolved.mode == "effort":
            out: dict[str, Any] = {"thinking": {"type": "adaptive", "display": display}}
            if resolved.effort:
                out["output_config"] = {"effort": resolved.effort}
            return out
        # not asked: models that think anyway are asked to show it (their default display is "omitted")
        if info.thinking.on_by_default and style in ("anthropic_adaptive", "anthropic_hybrid"):
            return {"thinking": {"type": "adaptive", "display": display}}
        return {}

    def build(self, request: ChatRequest, conn: Connection, resolved: Resolved, info: ModelInfo) -> HttpCall:
        turns, _ = anthropic_ids(request.messages)
        messages = [{"role": m.role, "content": _content(m, request.provider)} for m in turns]
        body: dict[str, Any] = {
            "model": request.model,
            "max_tokens": request.max_tokens or default_max_tokens(resolved, info),
            "messages": messages,
        }
        if request.system:
            body["system"] = request.system
        body.update(self.thinking_fields(resolved, request, info))
        body.update(tool_fields(request))
        if (fmt := output_format(request)) is not None:
            body["output_config"] = {**body.get("output_config", {}), "format": fmt}
        if request.stream:
            body["stream"] = True
        body.update(request.options)
        sent = {k: v for k, v in body.items() if k != "messages"}
        sent["messages"] = f"<{len(messages)} messages>"
        if body.get("tools"):
            sent["tools"] = [t["name"] for t in body["tools"]]
        headers = {
            "content-type": "application/json",
            "anthropic-version": conn.api_version or API_VERSION,
            **auth_headers(conn),
            **conn.extra_headers,
        }
        return HttpCall(
            url=conn.base_url + "/v1/messages",
            headers=headers,
            json_body=body,
            stream=request.stream,
            sent=sent,
        )

    def must_stream(self, call: HttpCall) -> bool:
        """True when the official SDK would refuse this call without streaming (expected > 10 min)."""
        return bool(call.json_body and call.json_body.get("max_tokens", 0) > STREAM_REQUIRED_MAX_TOKENS)

    def parse(self, payload: dict[str, Any], request: ChatRequest) -> ChatResult:
        parts = [
            p for p in (_part(b, request.provider) for b in payload.get("content") or []) if p is not None
        ]
        raw_finish = opt_str(payload.get("stop_reason"))
        return ChatResult(
            provider=request.provider,
            model=opt_str(payload.get("model")) or request.model,
            parts=parts,
            usage=_usage(payload.get("usage")),
            finish_reason=FINISH.get(raw_finish or "", raw_finish),
            raw_finish_reason=raw_finish,
            visibility=_visibility(parts),
            raw=payload,
            response_id=opt_str(payload.get("id")),
        )

    def decoder(self, request: ChatRequest) -> AnthropicStreamDecoder:
        return AnthropicStreamDecoder(request)

    def parse_error(self, provider: str, status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
        message, code, request_id = _error_fields(body)
        return error_from_body(
            provider,
            status,
            headers,
            body,
            message=message,
            code=code,
            request_id_header=self.request_id_header,
            request_id=request_id,
        )


def _error_fields(body: bytes | dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    try:
        data = loads(body) if isinstance(body, bytes | bytearray) else body
    except ValueError:
        return None, None, None
    if not isinstance(data, dict):
        return None, None, None
    err = data.get("error") or {}
    details = err.get("details") or {}
    return err.get("message"), details.get("error_code") or err.get("type"), data.get("request_id")


class AnthropicStreamDecoder:
    """Follows message_start .. message_stop; keeps blocks by index, signatures only from finished blocks."""

    def __init__(self, request: ChatRequest) -> None:
        self.request = request
        self.done = False
        self.blocks: dict[int, dict[str, Any]] = {}
        self.closed: set[int] = set()
        self.message: dict[str, Any] = {}
        self.usage: dict[str, Any] = {}
        self.stop_reason: str | None = None
        self.calls: dict[int, int] = {}  # block index -> this turn's call number (ToolCallDelta.index)

    def feed(self, event: str, data: str) -> list[TextDelta | ThinkingDelta | ToolCallDelta]:
        try:
            payload = loads(data)
        except ValueError as exc:
            raise StreamError(
                f"malformed stream frame: {data[:80]!r}", provider=self.request.provider
            ) from exc
        kind = payload.get("type") or event
        match kind:
            case "message_start":
                self.message = obj(payload.get("message"))
                self.usage.update(obj(self.message.get("usage")))
            case "content_block_start":
                block = dict(payload.get("content_block") or {})
                self.blocks[payload["index"]] = block
                if block.get("type") == "tool_use":
                    self.calls[payload["index"]] = number = len(self.calls)
                    block["partial"] = []
                    return [
                        ToolCallDelta(
                            index=number, id=opt_str(block.get("id")), name=opt_str(block.get("name"))
                        )
                    ]
            case "content_block_delta":
                block = self.blocks.setdefault(payload["index"], {"type": "text", "text": ""})
                delta = payload.get("delta") or {}
                match delta.get("type"):
                    case "text_delta":
                        block["text"] = block.get("text", "") + delta.get("text", "")
                        return [TextDelta(text=delta.get("text", ""))]
                    case "thinking_delta":
                        block["thinking"] = block.get("thinking", "") + delta.get("thinking", "")
                        return [ThinkingDelta(text=delta.get("thinking", ""))]
                    case "signature_delta":
                        block["signature"] = block.get("signature", "") + delta.get("signature", "")
                    case "input_json_delta" if payload["index"] in self.calls:
                        piece = str(delta.get("partial_json") or "")
                        block["partial"].append(piece)
                        return [ToolCallDelta(index=self.calls[payload["index"]], arguments_delta=piece)]
            case "content_block_stop":
                self.closed.add(payload["index"])
            case "message_delta":
                self.stop_reason = opt_str(obj(payload.get("delta")).get("stop_reason")) or self.stop_reason
                self.usage.update(obj(payload.get("usage")))
            case "message_stop":
                self.done = True
            case "error":
                err = payload.get("error") or {}
                status = {"overloaded_error": 529, "rate_limit_error": 429, "api_error": 500}.get(
                    err.get("type", ""), 500
                )
                raise error_for_status(status)(
                    err.get("message") or "error in stream",
                    provider=self.request.provider,
                    status=status,
                    code=err.get("type"),
                )
        return []

    def result(self) -> ChatResult:
        parts: list[Any] = []
        for index in sorted(self.blocks):
            block = self.blocks[index]
            if block.get("type") == "tool_use" and "partial" in block:
                # the input as streamed: "" means {} (tools-batch.md 3.2); parsed once the block stopped
                text = "".join(block["partial"])
                block = {k: v for k, v in block.items() if k != "partial"}
                block["input"] = text if text.strip() else (block.get("input") or {})
            part = _part(block, self.request.provider)
            if part is None:
                continue
            if isinstance(part, ThinkingPart) and index not in self.closed:
                part = part.model_copy(update={"signature": None, "truncated": True})
            parts.append(part)
        return ChatResult(
            provider=self.request.provider,
            model=opt_str(self.message.get("model")) or self.request.model,
            parts=parts,
            usage=_usage(self.usage),
            finish_reason=FINISH.get(self.stop_reason or "", self.stop_reason),
            raw_finish_reason=self.stop_reason,
            visibility=_visibility(parts),
            response_id=opt_str(self.message.get("id")),
        )
