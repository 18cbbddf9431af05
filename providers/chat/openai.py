"""OpenAI Responses API: `POST {base}/responses` -- the codec for OpenAI's own models.

Wire facts (wire/chat.md 1.2, wire/delta-2026-11.md 2.3-2.4; openai 3.57.0): `reasoning: {effort,
summary}`; reasoning comes back as `output[type=reasoning]` items whose `summary[].text` fills the
panel (raw chain of thought is never returned); usage `output_tokens_details.reasoning_tokens`;
SSE with `event:` names and `type` in the data, no `[DONE]`, ending in `response.completed`
(or `.incomplete` / `.failed`). `api="chat"` switches to Chat Completions (openai_chat.py).
"""

from __future__ import annotations

from typing import Any, assert_never

import httpx2

from ..errors import InvalidParameterError, ProviderError, StreamError, error_for_status
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
    Usage,
    Visibility,
)
from .base import Connection, auth_headers, error_from_body, loads
from .openai_chat import OpenAIChat
from .openai_common import check_sampling, openai_error

__all__ = ["OpenAI", "OpenAIResponses", "ResponsesStreamDecoder"]

INCOMPLETE = {"max_output_tokens": "length", "content_filter": "content_filter"}


def _input_item(message: Message, provider: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    content: list[dict[str, Any]] = []
    text_type = "output_text" if message.role == "assistant" else "input_text"
    for part in message.parts:
        match part:
            case TextPart():
                content.append({"type": text_type, "text": part.text})
            case ImagePart():
                url = part.url or f"data:{part.media_type};base64,{part.data}"
                content.append({"type": "input_image", "image_url": url})
            case ThinkingPart():
                if part.provider == provider and part.id and not part.truncated:
                    item: dict[str, Any] = {
                        "type": "reasoning",
                        "id": part.id,
                        "summary": [{"type": "summary_text", "text": part.text}] if part.text else [],
                    }
                    if part.encrypted:
                        item["encrypted_content"] = part.encrypted
                    items.append(item)
            case _:
                assert_never(part)
    if content:
        if all(c["type"] == text_type for c in content) and message.role == "user" and len(content) == 1:
            items.append({"role": "user", "content": content[0]["text"]})
        else:
            items.append({"role": message.role, "content": content})
    return items


def _usage(raw: dict[str, Any] | None) -> Usage:
    if not raw:
        return Usage()
    return Usage(
        input_tokens=raw.get("input_tokens"),
        output_tokens=raw.get("output_tokens"),
        reasoning_tokens=(raw.get("output_tokens_details") or {}).get("reasoning_tokens"),
        cached_tokens=(raw.get("input_tokens_details") or {}).get("cached_tokens"),
        total_tokens=raw.get("total_tokens"),
    )


def _parts(output: list[dict[str, Any]], provider: str) -> tuple[list[Any], bool]:
    parts: list[Any] = []
    refused = False
    for item in output:
        if item.get("type") == "reasoning":
            texts = [s.get("text", "") for s in item.get("summary") or []]
            texts += [
                c.get("text", "") for c in item.get("content") or [] if c.get("type") == "reasoning_text"
            ]
            parts.append(
                ThinkingPart(
                    text="\n\n".join(t for t in texts if t),
                    id=item.get("id"),
                    encrypted=item.get("encrypted_content"),
                    provider=provider,
                )
            )
        elif item.get("type") == "message":
            for c in item.get("content") or []:
                if c.get("type") == "output_text":
                    parts.append(TextPart(text=c.get("text", "")))
                elif c.get("type") == "refusal":
                    refused = True
                    parts.append(TextPart(text=c.get("refusal", "")))
    return parts, refused


def _visibility(parts: list[Any], usage: Usage) -> Visibility:
    thinking = [p for p in parts if isinstance(p, ThinkingPart)]
    if any(p.text for p in thinking):
        return "summary"
    if any(p.encrypted for p in thinking):
        return "encrypted"
    return "none"


class OpenAIResponses:
    name = "openai-responses"
    request_id_header = "x-request-id"

    def check(self, request: ChatRequest, info: ModelInfo, resolved: Resolved) -> list[str]:
        return check_sampling(request, info, resolved)

    def reasoning_fields(self, request: ChatRequest, resolved: Resolved, info: ModelInfo) -> dict[str, Any]:
        """The body fields that ask for reasoning: `reasoning: {effort, summary}` (OpenAI asks for a summary)."""
        reasoning: dict[str, Any] = {}
        if resolved.effort:
            reasoning["effort"] = resolved.effort
        wants_summary = resolved.mode in ("effort", "budget") or (
            resolved.mode == "default" and (request.thinking is not None or info.thinking.on_by_default)
        )
        if wants_summary and info.thinking.can_think and resolved.effort != "none":
            reasoning["summary"] = resolved.summary or "auto"
        return {"reasoning": reasoning} if reasoning else {}

    def build(self, request: ChatRequest, conn: Connection, resolved: Resolved, info: ModelInfo) -> HttpCall:
        items: list[dict[str, Any]] = []
        for message in request.messages:
            items.extend(_input_item(message, request.provider))
        body: dict[str, Any] = {"model": request.model, "input": items}
        if request.system:
            body["instructions"] = request.system
        body.update(self.reasoning_fields(request, resolved, info))
        if request.max_tokens is not None:
            body["max_output_tokens"] = request.max_tokens
        if request.stream:
            body["stream"] = True
        body.update(request.options)
        sent = {k: v for k, v in body.items() if k != "input"}
        sent["input"] = f"<{len(items)} items>"
        headers = {"content-type": "application/json", **auth_headers(conn), **conn.extra_headers}
        return HttpCall(
            url=conn.base_url + "/responses",
            headers=headers,
            json_body=body,
            stream=request.stream,
            sent=sent,
        )

    def parse(self, payload: dict[str, Any], request: ChatRequest) -> ChatResult:
        parts, refused = _parts(payload.get("output") or [], request.provider)
        usage = _usage(payload.get("usage"))
        status = payload.get("status")
        reason = (payload.get("incomplete_details") or {}).get("reason")
        if refused:
            finish = "refusal"
        elif status == "incomplete":
            finish = INCOMPLETE.get(reason or "", reason or "incomplete")
        else:
            finish = "stop"
        return ChatResult(
            provider=request.provider,
            model=payload.get("model") or request.model,
            parts=parts,
            usage=usage,
            finish_reason=finish,
            raw_finish_reason=reason or status,
            visibility=_visibility(parts, usage),
            raw=payload,
            response_id=payload.get("id"),
        )

    def decoder(self, request: ChatRequest) -> ResponsesStreamDecoder:
        return ResponsesStreamDecoder(self, request)

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


class ResponsesStreamDecoder:
    """Follows the Responses SSE events; the final `response.completed` payload wins when it has output."""

    def __init__(self, codec: OpenAIResponses, request: ChatRequest) -> None:
        self.codec = codec
        self.request = request
        self.done = False
        self.items: dict[int, dict[str, Any]] = {}
        self.reasoning: dict[str, list[str]] = {}
        self.text: dict[str, list[str]] = {}
        self.order: list[tuple[str, str]] = []
        self.final: dict[str, Any] | None = None
        self.meta: dict[str, Any] = {}

    def _track(self, kind: str, item_id: str, store: dict[str, list[str]]) -> list[str]:
        if item_id not in store:
            store[item_id] = []
            self.order.append((kind, item_id))
        return store[item_id]

    def feed(self, event: str, data: str) -> list[TextDelta | ThinkingDelta]:
        try:
            payload = loads(data)
        except ValueError as exc:
            raise StreamError(
                f"malformed stream frame: {data[:80]!r}", provider=self.request.provider
            ) from exc
        kind = payload.get("type") or event
        match kind:
            case "response.created" | "response.in_progress" | "response.queued":
                self.meta = payload.get("response") or self.meta
            case "response.reasoning_summary_text.delta" | "response.reasoning_text.delta":
                self._track("reasoning", payload.get("item_id", ""), self.reasoning).append(
                    payload.get("delta", "")
                )
                return [ThinkingDelta(text=payload.get("delta", ""))]
            case "response.reasoning_summary_part.added":
                buf = self._track("reasoning", payload.get("item_id", ""), self.reasoning)
                if buf:
                    buf.append("\n\n")
                    return [ThinkingDelta(text="\n\n")]
            case "response.output_text.delta":
                self._track("text", payload.get("item_id", ""), self.text).append(payload.get("delta", ""))
                return [TextDelta(text=payload.get("delta", ""))]
            case "response.output_item.done":
                self.items[payload.get("output_index", len(self.items))] = payload.get("item") or {}
            case "response.completed" | "response.incomplete":
                self.final = payload.get("response") or {}
                self.done = True
            case "response.failed":
                response = payload.get("response") or {}
                err = response.get("error") or {}
                raise StreamError(
                    err.get("message") or "the response failed",
                    provider=self.request.provider,
                    code=err.get("code"),
                )
            case "error":
                cls = error_for_status(500)
                raise cls(
                    payload.get("message") or "error in stream",
                    provider=self.request.provider,
                    code=payload.get("code"),
                )
        return []

    def result(self) -> ChatResult:
        if self.final is not None:
            final = dict(self.final)
            if not final.get("output"):
                final["output"] = [self.items[i] for i in sorted(self.items)]
            if final.get("output"):
                return self.codec.parse(final, self.request)
        # cut short (or no output at all): rebuild from the deltas and finished items
        done_ids = {item.get("id") for item in self.items.values()}
        parts, _ = _parts([self.items[i] for i in sorted(self.items)], self.request.provider)
        for kind, item_id in self.order:
            if item_id in done_ids:
                continue
            if kind == "reasoning":
                parts.append(
                    ThinkingPart(
                        text="".join(self.reasoning[item_id]), provider=self.request.provider, truncated=True
                    )
                )
            else:
                parts.append(TextPart(text="".join(self.text[item_id])))
        usage = _usage((self.final or {}).get("usage"))
        return ChatResult(
            provider=self.request.provider,
            model=(self.final or self.meta).get("model") or self.request.model,
            parts=parts,
            usage=usage,
            finish_reason=None,
            visibility=_visibility(parts, usage),
            response_id=(self.final or self.meta).get("id"),
        )


class OpenAI:
    """OpenAI: the Responses API by default; `api="chat"` in options uses Chat Completions."""

    name = "openai"

    def __init__(self) -> None:
        self.responses = OpenAIResponses()
        self.chat = OpenAIChat()

    def pick(self, request: ChatRequest) -> tuple[OpenAIResponses | OpenAIChat, ChatRequest]:
        """The codec for this call, and the request without the `api` switch."""
        options = dict(request.options)
        api = options.pop("api", "responses")
        if api not in ("responses", "chat"):
            raise InvalidParameterError(f"api= takes 'responses' or 'chat' for OpenAI, not {api!r}")
        codec = self.chat if api == "chat" else self.responses
        return codec, request.model_copy(update={"options": options})
