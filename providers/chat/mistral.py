"""Mistral: OpenAI-format Chat Completions with Mistral's reasoning extras.

Wire facts (wire/chat.md section 5, wire/delta-2026-11.md section 4; mistralai 3.7.0 `client/chat.py`,
`models/chatcompletionrequest.py`, `models/thinkchunk.py`, `models/deltamessage.py`; docs.mistral.ai
capabilities/reasoning):

* `POST {base}/chat/completions`, base `https://api.mistral.ai/v1` (regions in
  catalog/providers/mistral.json: global, eu = api.eu.mistral.ai, us = api.us.mistral.ai), Bearer auth.
  The SDK always sends `"stream": false|true`; so does this codec, so the two bodies are equal.
* `reasoning_effort` (SDK enum none..max; the current models take `none|high`) on Mistral Small 4, Medium 3.5,
  Large 4 and Devstral; `prompt_mode: "reasoning"` selects the reasoning system prompt of the (deprecated)
  native Magistral models.
* With reasoning on, `message.content` is a list of chunks:
  `{"type":"thinking","thinking":[{"type":"text","text":...}],"signature"?,"closed"?}` then
  `{"type":"text","text":...}`; a stream delta's `content` is a string or such a list. SSE is data-only and
  ends with `data: [DONE]`; usage rides on the last chunk without any `stream_options` (which Mistral
  rejects, like `max_completion_tokens`: unknown fields get a 422 "Extra inputs are not permitted").
* Usage has no reasoning-token count; the live API reports cached prompt tokens as
  `usage.prompt_tokens_details.cached_tokens` (seen in recorded replies; mistralai's `UsageInfo` keeps it as an
  extra field, extra="allow").
* Mistral's own thinking goes back on later assistant turns as thinking chunks (the ThinkChunk `signature`
  exists "to replay some reasoning blocks across turns"; vercel/ai and LiteLLM replay them the same way).
* Errors: `{"object":"error","message":...,"type":...,"param":...,"code":...}`, 422 `{"detail":[...]}`.
* Tools and structured output: mistral_tools.py (tool definitions, nine-character call ids, role
  "tool" results with their name, json_schema response_format). Calls come back as `tool_calls` with
  arguments a JSON string or an object, each whole in one stream delta (read by index all the same).
"""

from __future__ import annotations

import json
from typing import Any

import httpx2

from ..errors import InvalidParameterError, ProviderError
from ..fields import obj, opt_str
from ..registry import ModelInfo
from ..thinking import Resolved
from ..types import (
    ChatRequest,
    ChatResult,
    HttpCall,
    Message,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolResultPart,
    Usage,
)
from .base import Connection, error_from_body, loads
from .mistral_tools import check_tools, mistral_ids, output_fields, tool_fields
from .openai_chat import FINISH, ChatStreamDecoder, OpenAIChat, chat_messages, parse_tool_calls
from .openai_common import openai_error

__all__ = ["OPENAI_ONLY", "Mistral", "MistralStreamDecoder", "mistral_error", "mistral_messages"]

# OpenAI fields Mistral rejects with a 422, and what to pass instead.
OPENAI_ONLY = {
    "max_completion_tokens": "max_tokens= (the max_tokens argument)",
    "stream_options": "nothing: usage always comes with the last chunk",
    "seed": "random_seed=",
    "store": "nothing (Mistral does not store chat completions)",
    "reasoning": "thinking=",
    "logit_bias": "nothing (not supported)",
    "user": "nothing (not supported)",
}
MISTRAL_FINISH = {**FINISH, "model_length": "length", "error": "error"}


def _chunk_text(chunks: Any) -> str:
    return "".join(
        c.get("text") or "" for c in chunks or [] if isinstance(c, dict) and c.get("type") == "text"
    )


def _assistant_content(message: Message, provider: str) -> list[dict[str, Any]] | None:
    """Content chunks for an assistant turn that carries Mistral's own thinking, else None."""
    own = [
        p
        for p in message.parts
        if isinstance(p, ThinkingPart) and p.provider == provider and p.text and not p.truncated
    ]
    if not own:
        return None
    chunks: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, ThinkingPart) and part in own:
            chunk: dict[str, Any] = {"type": "thinking", "thinking": [{"type": "text", "text": part.text}]}
            if part.signature:
                chunk["signature"] = part.signature
            chunk["closed"] = True
            chunks.append(chunk)
        elif isinstance(part, TextPart) and part.text:
            chunks.append({"type": "text", "text": part.text})
    return chunks


def mistral_messages(request: ChatRequest) -> list[dict[str, Any]]:
    """The `messages` array; Mistral's own thinking goes back as thinking chunks, nobody else's; call
    ids in Mistral's form; each tool message with the name of its tool (as the SDK sends it)."""
    turns, _ = mistral_ids(request.messages)
    request = request.model_copy(update={"messages": turns})

    def extra(message: Message) -> dict[str, Any]:
        chunks = _assistant_content(message, request.provider)
        return {"content": chunks} if chunks else {}

    names = {p.call_id: p.name for m in turns for p in m.parts if isinstance(p, ToolResultPart)}
    out = chat_messages(request, extra)
    for entry in out:
        if entry["role"] == "tool":
            entry["name"] = names.get(entry["tool_call_id"], "")
        for i, call in enumerate(entry.get("tool_calls") or []):
            call["index"] = i  # (as mistralai's ToolCall sends it: index defaults to 0)
    return out


def _usage(raw: Any) -> Usage:
    """Our Usage from Mistral's (cached prompt tokens included); wrong types are unknown."""
    if not isinstance(raw, dict) or not raw:
        return Usage()
    return Usage(
        input_tokens=raw.get("prompt_tokens"),
        output_tokens=raw.get("completion_tokens"),
        cached_tokens=obj(raw.get("prompt_tokens_details")).get("cached_tokens"),
        total_tokens=raw.get("total_tokens"),
    )


def mistral_error(body: bytes) -> tuple[str | None, str | None]:
    """(message, code) from Mistral's envelopes: `{"object":"error","message",...}` or 422 `{"detail":[...]}`."""
    try:
        data = json.loads(body)
    except ValueError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    detail = data.get("detail")
    message = data.get("message")
    if isinstance(message, dict) and "detail" in message:
        detail = message["detail"]
    if isinstance(detail, list):
        bits = []
        for d in detail:
            if isinstance(d, dict):
                loc = ".".join(str(x) for x in d.get("loc") or [] if x != "body")
                bits.append(f"{loc}: {d.get('msg')}" if loc else str(d.get("msg")))
        code = next((d.get("type") for d in detail if isinstance(d, dict) and d.get("type")), None)
        return "; ".join(bits) or None, code
    if isinstance(message, str):
        code = data.get("code") or data.get("type")
        return message, None if code is None else str(code)
    return openai_error(data)


class Mistral(OpenAIChat):
    """The Mistral codec: reasoning_effort / prompt_mode in, thinking chunks out."""

    name = "mistral"
    request_id_header = "x-request-id"  # UNCONFIRMED which header Mistral uses for its request id
    tools = True
    structured_output = "json_schema"  # response_format json_schema (mistral_tools.py)

    def check(self, request: ChatRequest, info: ModelInfo, resolved: Resolved) -> list[str]:
        for field, instead in OPENAI_ONLY.items():
            if field in request.options:
                raise InvalidParameterError(
                    f"Mistral rejects {field} (422 'Extra inputs are not permitted'); use {instead}"
                )
        notes: list[str] = []
        caps = info.thinking
        if caps.style == "model_choice" and request.thinking is not None:
            notes.append('Magistral reasons natively: prompt_mode="reasoning" sent, no effort')
        if info.status == "deprecated":
            succ = f"; use mistral/{info.successor} with thinking=" if info.successor else ""
            notes.append(f"mistral/{info.id} is deprecated by Mistral{succ}")
        if caps.style == "mistral_effort" and request.thinking is not None and resolved.mode == "default":
            notes.append(f"thinking=True -> reasoning_effort '{self._on_level(info)}' (Mistral's 'on' level)")
        foreign = sum(
            isinstance(p, ThinkingPart) and p.provider != request.provider
            for m in request.messages
            for p in m.parts
        )
        if foreign:
            notes.append(
                f"{foreign} thinking part(s) from other providers not sent: reasoning goes back only to its maker"
            )
        return notes + check_tools(request)

    @staticmethod
    def _on_level(info: ModelInfo) -> str:
        levels = [e for e in info.thinking.efforts if e != "none"]
        return "high" if "high" in levels or not levels else levels[-1]

    def reasoning_fields(self, request: ChatRequest, resolved: Resolved, info: ModelInfo) -> dict[str, Any]:
        """`reasoning_effort` for adjustable models, `prompt_mode` for Magistral ({} keeps Mistral's default)."""
        caps = info.thinking
        if caps.style == "model_choice":
            return {"prompt_mode": "reasoning"} if request.thinking is not None else {}
        if not caps.can_think:
            return {}
        if resolved.mode in ("effort", "off") and resolved.effort:
            return {"reasoning_effort": resolved.effort}
        if request.thinking is not None:  # thinking=True: Mistral's "on" level
            return {"reasoning_effort": self._on_level(info)}
        return {}

    def build(self, request: ChatRequest, conn: Connection, resolved: Resolved, info: ModelInfo) -> HttpCall:
        body: dict[str, Any] = {"model": request.model, "messages": mistral_messages(request)}
        if request.max_tokens is not None:
            body["max_tokens"] = request.max_tokens
        body["stream"] = request.stream  # the SDK sends it explicitly, false included
        body.update(self.reasoning_fields(request, resolved, info))
        body.update(tool_fields(request))
        body.update(output_fields(request))
        body.update(request.options)
        return self.http_call(request, conn, body)

    def parse(self, payload: dict[str, Any], request: ChatRequest) -> ChatResult:
        choice = (payload.get("choices") or [{}])[0]
        message = choice.get("message") or {}
        content = message.get("content")
        parts: list[Any] = []
        if isinstance(content, str):
            if content:
                parts.append(TextPart(text=content))
        else:
            for chunk in content or []:
                if not isinstance(chunk, dict):
                    continue
                if chunk.get("type") == "thinking":
                    parts.append(
                        ThinkingPart(
                            text=_chunk_text(chunk.get("thinking")),
                            signature=chunk.get("signature"),
                            provider=request.provider,
                        )
                    )
                elif chunk.get("type") == "text" and chunk.get("text"):
                    parts.append(TextPart(text=chunk["text"]))
        parts += parse_tool_calls(message.get("tool_calls"), request.provider)
        raw_finish = opt_str(choice.get("finish_reason"))
        thought = any(isinstance(p, ThinkingPart) and p.text for p in parts)
        return ChatResult(
            provider=request.provider,
            model=opt_str(payload.get("model")) or request.model,
            parts=parts,
            usage=_usage(payload.get("usage")),
            finish_reason=MISTRAL_FINISH.get(raw_finish or "", raw_finish),
            raw_finish_reason=raw_finish,
            visibility="full" if thought else "none",
            raw=payload,
            response_id=opt_str(payload.get("id")),
        )

    def decoder(self, request: ChatRequest) -> MistralStreamDecoder:
        return MistralStreamDecoder(request)

    def parse_error(self, provider: str, status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
        message, code = mistral_error(body)
        request_id = None
        try:
            data = loads(body)
            if isinstance(data, dict) and isinstance(data.get("request_id"), str):
                request_id = data["request_id"]
        except ValueError:
            pass
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


class MistralStreamDecoder(ChatStreamDecoder):
    """Chat chunks whose `delta.content` is a string or a list of thinking/text chunks."""

    def __init__(self, request: ChatRequest) -> None:
        super().__init__(request)
        self.signature: str | None = None

    def delta(self, delta: dict[str, Any]) -> list[TextDelta | ThinkingDelta]:
        content = delta.get("content")
        if isinstance(content, str):
            if content:
                self.text.append(content)
                return [TextDelta(text=content)]
            return []
        out: list[TextDelta | ThinkingDelta] = []
        for chunk in content or []:
            if not isinstance(chunk, dict):
                continue
            if chunk.get("type") == "thinking":
                if chunk.get("signature"):
                    self.signature = chunk["signature"]
                text = _chunk_text(chunk.get("thinking"))
                if text:
                    self.reasoning.append(text)
                    out.append(ThinkingDelta(text=text))
            elif chunk.get("type") == "text" and chunk.get("text"):
                self.text.append(chunk["text"])
                out.append(TextDelta(text=chunk["text"]))
        return out

    def result(self) -> ChatResult:
        parts: list[Any] = []
        if self.reasoning:
            # a stream cut short keeps its text but not a signature for a block that never finished
            cut = not self.done
            parts.append(
                ThinkingPart(
                    text="".join(self.reasoning),
                    signature=None if cut else self.signature,
                    provider=self.request.provider,
                    truncated=cut and not self.text,
                )
            )
        if self.text:
            parts.append(TextPart(text="".join(self.text)))
        parts += self.call_parts()
        return ChatResult(
            provider=self.request.provider,
            model=self.model or self.request.model,
            parts=parts,
            usage=_usage(self.usage),
            finish_reason=MISTRAL_FINISH.get(self.finish or "", self.finish),
            raw_finish_reason=self.finish,
            visibility="full" if self.reasoning else "none",
            response_id=self.id,
        )
