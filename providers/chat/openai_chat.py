"""OpenAI Chat Completions: `POST {base}/chat/completions` -- the codec every OpenAI-compatible provider reuses.

Wire facts (wire/chat.md section 1.1; openai 3.57.0): `reasoning_effort` in none|minimal|low|medium|
high|xhigh|max; `max_completion_tokens` (not the deprecated `max_tokens`); reasoning text is never
returned, only `usage.completion_tokens_details.reasoning_tokens`; data-only SSE ending in
`data: [DONE]`, with a final usage chunk (`choices: []`) when `stream_options.include_usage` is set.
Compatible vendors add `message.reasoning_content` (DeepSeek), which the parser keeps.
"""

from __future__ import annotations

from typing import Any, assert_never

import httpx2

from ..errors import ProviderError, StreamError
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
    ToolCallPart,
    ToolResultPart,
    Usage,
)
from .base import Connection, auth_headers, error_from_body, loads, tools_not_yet
from .openai_common import check_sampling, openai_error

__all__ = ["FINISH", "ChatStreamDecoder", "OpenAIChat", "chat_messages"]

FINISH = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
}


def _content(message: Message) -> str | list[dict[str, Any]]:
    if all(isinstance(p, TextPart | ThinkingPart) for p in message.parts):
        return message.text
    blocks: list[dict[str, Any]] = []
    for part in message.parts:
        match part:
            case TextPart():
                blocks.append({"type": "text", "text": part.text})
            case ImagePart():
                url = part.url or f"data:{part.media_type};base64,{part.data}"
                blocks.append({"type": "image_url", "image_url": {"url": url}})
            case ThinkingPart():
                pass  # Chat Completions takes no reasoning back; check() notes how many were left out
            case ToolCallPart() | ToolResultPart():
                tools_not_yet("Chat Completions")
            case _:
                assert_never(part)
    return blocks


def chat_messages(request: ChatRequest) -> list[dict[str, Any]]:
    """The `messages` array: system first, then each turn (thinking parts are not sent back)."""
    out: list[dict[str, Any]] = []
    if request.system:
        out.append({"role": "system", "content": request.system})
    for message in request.messages:
        out.append({"role": message.role, "content": _content(message)})
    return out


def _usage(raw: dict[str, Any] | None) -> Usage:
    if not raw:
        return Usage()
    details = raw.get("completion_tokens_details") or {}
    prompt_details = raw.get("prompt_tokens_details") or {}
    return Usage(
        input_tokens=raw.get("prompt_tokens"),
        output_tokens=raw.get("completion_tokens"),
        reasoning_tokens=details.get("reasoning_tokens"),
        cached_tokens=prompt_details.get("cached_tokens", raw.get("prompt_cache_hit_tokens")),
        total_tokens=raw.get("total_tokens"),
    )


class OpenAIChat:
    """Chat Completions codec. Subclass or configure for compatible vendors."""

    name = "openai-chat"
    request_id_header = "x-request-id"
    path = "/chat/completions"

    def check(self, request: ChatRequest, info: ModelInfo, resolved: Resolved) -> list[str]:
        notes = check_sampling(request, info, resolved)
        if resolved.effort == "max" and info.provider == "openai":
            notes.append("'max' effort is honoured on the Responses API; Chat Completions may refuse it")
        dropped = sum(isinstance(p, ThinkingPart) for m in request.messages for p in m.parts)
        if dropped:
            notes.append(f"{dropped} thinking part(s) not sent back: Chat Completions has no field for them")
        return notes

    def thinking_fields(self, resolved: Resolved) -> dict[str, Any]:
        if resolved.mode in ("effort", "off") and resolved.effort:
            return {"reasoning_effort": resolved.effort}
        return {}

    def build(self, request: ChatRequest, conn: Connection, resolved: Resolved, info: ModelInfo) -> HttpCall:
        body: dict[str, Any] = {"model": request.model, "messages": chat_messages(request)}
        body.update(self.thinking_fields(resolved))
        if request.max_tokens is not None:
            body["max_completion_tokens"] = request.max_tokens
        if request.stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        body.update(request.options)
        return self.http_call(request, conn, body)

    def http_call(self, request: ChatRequest, conn: Connection, body: dict[str, Any]) -> HttpCall:
        """POST `body` to `{base}{path}` with auth; `sent` shows every field but the messages."""
        sent = {k: v for k, v in body.items() if k != "messages"}
        sent["messages"] = f"<{len(body['messages'])} messages>"
        headers = {"content-type": "application/json", **auth_headers(conn), **conn.extra_headers}
        return HttpCall(
            url=conn.base_url + self.path, headers=headers, json_body=body, stream=request.stream, sent=sent
        )

    def parse(self, payload: dict[str, Any], request: ChatRequest) -> ChatResult:
        choice = (payload.get("choices") or [{}])[0]
        message = choice.get("message") or {}
        parts: list[Any] = []
        reasoning = message.get("reasoning_content")
        if reasoning:
            parts.append(ThinkingPart(text=reasoning, provider=request.provider))
        text = message.get("content")
        if text is None and message.get("refusal"):
            text = message["refusal"]
        if text:
            parts.append(TextPart(text=text))
        raw_finish = choice.get("finish_reason")
        finish = "refusal" if message.get("refusal") else FINISH.get(raw_finish or "", raw_finish)
        usage = _usage(payload.get("usage"))
        return ChatResult(
            provider=request.provider,
            model=payload.get("model") or request.model,
            parts=parts,
            usage=usage,
            finish_reason=finish,
            raw_finish_reason=raw_finish,
            visibility="full" if reasoning else "none",
            raw=payload,
            response_id=payload.get("id"),
        )

    def decoder(self, request: ChatRequest) -> ChatStreamDecoder:
        return ChatStreamDecoder(request)

    def parse_error(self, provider: str, status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
        message, code = openai_error(body)
        return error_from_body(
            provider,
            status,
            headers,
            body,
            message=message,
            code=code,
            request_id_header=self.request_id_header,
        )


class ChatStreamDecoder:
    """Accumulates Chat Completions chunks into deltas and a final result."""

    def __init__(self, request: ChatRequest) -> None:
        self.request = request
        self.done = False
        self.text: list[str] = []
        self.reasoning: list[str] = []
        self.finish: str | None = None
        self.usage: dict[str, Any] | None = None
        self.model: str | None = None
        self.id: str | None = None

    def feed(self, event: str, data: str) -> list[TextDelta | ThinkingDelta]:
        if data.strip() == "[DONE]":
            self.done = True
            return []
        if not data.strip():
            return []
        try:
            chunk = loads(data)
        except ValueError as exc:
            raise StreamError(
                f"malformed stream frame: {data[:80]!r}", provider=self.request.provider
            ) from exc
        if "error" in chunk:
            message, code = openai_error(chunk)
            raise StreamError(
                message or "error in stream", provider=self.request.provider, code=code, body=chunk
            )
        self.model = chunk.get("model") or self.model
        self.id = chunk.get("id") or self.id
        if chunk.get("usage"):
            self.usage = chunk["usage"]
        out: list[TextDelta | ThinkingDelta] = []
        for choice in chunk.get("choices") or []:
            out += self.delta(choice.get("delta") or {})
            if choice.get("finish_reason"):
                self.finish = choice["finish_reason"]
        return out

    def delta(self, delta: dict[str, Any]) -> list[TextDelta | ThinkingDelta]:
        """The events in one choice delta (vendors with other delta shapes override this)."""
        out: list[TextDelta | ThinkingDelta] = []
        if delta.get("reasoning_content"):
            self.reasoning.append(delta["reasoning_content"])
            out.append(ThinkingDelta(text=delta["reasoning_content"]))
        if delta.get("content"):
            self.text.append(delta["content"])
            out.append(TextDelta(text=delta["content"]))
        return out

    def result(self) -> ChatResult:
        parts: list[Any] = []
        if self.reasoning:
            parts.append(ThinkingPart(text="".join(self.reasoning), provider=self.request.provider))
        if self.text:
            parts.append(TextPart(text="".join(self.text)))
        return ChatResult(
            provider=self.request.provider,
            model=self.model or self.request.model,
            parts=parts,
            usage=_usage(self.usage),
            finish_reason=FINISH.get(self.finish or "", self.finish),
            raw_finish_reason=self.finish,
            visibility="full" if self.reasoning else "none",
            response_id=self.id,
        )
