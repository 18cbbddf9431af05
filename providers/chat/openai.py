"""OpenAI Responses API: `POST {base}/responses` -- the codec for OpenAI's own models.

Wire facts (wire/chat.md 1.2, wire/delta-2026-11.md 2.3-2.4; openai 3.57.0): `reasoning: {effort,
summary}`; reasoning comes back as `output[type=reasoning]` items whose `summary[].text` fills the
panel (raw chain of thought is never returned); usage `output_tokens_details.reasoning_tokens`;
SSE with `event:` names and `type` in the data, no `[DONE]`, ending in `response.completed`
(or `.incomplete` / `.failed`). `api="chat"` switches to Chat Completions (openai_chat.py).
"""

from __future__ import annotations

from typing import Any

import httpx2

from ..errors import InvalidParameterError, ProviderError, StreamError, error_for_status
from ..fields import obj, opt_str
from ..registry import ModelInfo
from ..thinking import Resolved
from ..types import (
    ChatRequest,
    ChatResult,
    HttpCall,
    Part,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    Usage,
    Visibility,
)
from .base import Connection, auth_headers, error_from_body, loads
from .openai_chat import OpenAIChat
from .openai_common import (
    check_sampling,
    check_tools,
    format_json_schema,
    openai_error,
    output_mode,
    output_notes,
    responses_tools,
    with_schema_prompt,
)
from .openai_items import input_items, output_parts, replay_notes

__all__ = ["OpenAI", "OpenAIResponses", "ResponsesStreamDecoder"]

INCOMPLETE = {"max_output_tokens": "length", "content_filter": "content_filter"}


def _usage(raw: Any) -> Usage:
    """Our Usage from the Responses usage object; counts and details of the wrong type are unknown."""
    if not isinstance(raw, dict) or not raw:
        return Usage()
    return Usage(
        input_tokens=raw.get("input_tokens"),
        output_tokens=raw.get("output_tokens"),
        reasoning_tokens=obj(raw.get("output_tokens_details")).get("reasoning_tokens"),
        cached_tokens=obj(raw.get("input_tokens_details")).get("cached_tokens"),
        total_tokens=raw.get("total_tokens"),
    )


def _visibility(parts: list[Any], usage: Usage) -> Visibility:
    thinking = [p for p in parts if isinstance(p, ThinkingPart)]
    if any(p.text for p in thinking):
        return "summary"
    if any(p.encrypted for p in thinking):
        return "encrypted"
    return "none"


class OpenAIResponses:
    name = "openai-responses"
    tools = True  # tool calls and results both ways (openai_items.py)
    structured_output = "json_schema"  # text.format (strict when the schema can be made strict)
    request_id_header = "x-request-id"

    def check(self, request: ChatRequest, info: ModelInfo, resolved: Resolved) -> list[str]:
        notes = check_sampling(request, info, resolved) + check_tools(request)
        notes += output_notes(request, info, self.structured_output)
        return notes + replay_notes(request.messages, request.provider)

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
        mode = output_mode(request, info, self.structured_output)
        if mode in ("json_object", "prompt"):
            request = with_schema_prompt(request)
        items = input_items(request.messages, request.provider)
        body: dict[str, Any] = {"model": request.model, "input": items}
        if request.system:
            body["instructions"] = request.system
        body.update(self.reasoning_fields(request, resolved, info))
        if request.max_tokens is not None:
            body["max_output_tokens"] = request.max_tokens
        body.update(responses_tools(request))
        if mode == "json_schema" and request.output is not None:
            body["text"] = {"format": format_json_schema(request.output)}
        elif mode == "json_object":
            body["text"] = {"format": {"type": "json_object"}}
        if request.stream:
            body["stream"] = True
        body.update(request.options)
        sent = {k: v for k, v in body.items() if k != "input"}
        sent["input"] = f"<{len(items)} items>"
        if isinstance(body.get("tools"), list):  # the footer names the tools; their schemas are long
            sent["tools"] = [t.get("name") for t in body["tools"] if isinstance(t, dict)]
        headers = {"content-type": "application/json", **auth_headers(conn), **conn.extra_headers}
        return HttpCall(
            url=conn.base_url + "/responses",
            headers=headers,
            json_body=body,
            stream=request.stream,
            sent=sent,
        )

    def parse(self, payload: dict[str, Any], request: ChatRequest) -> ChatResult:
        parts, refused = output_parts(payload.get("output") or [], request.provider)
        usage = _usage(payload.get("usage"))
        status = opt_str(payload.get("status"))
        reason = opt_str(obj(payload.get("incomplete_details")).get("reason"))
        if refused:
            finish = "refusal"
        elif status == "incomplete":
            finish = INCOMPLETE.get(reason or "", reason or "incomplete")
        elif any(isinstance(p, ToolCallPart) for p in parts):
            finish = "tool_calls"  # (Responses has no finish reason; a turn that calls tools just ends)
        else:
            finish = "stop"
        return ChatResult(
            provider=request.provider,
            model=opt_str(payload.get("model")) or request.model,
            parts=parts,
            usage=usage,
            finish_reason=finish,
            raw_finish_reason=reason or status,
            visibility=_visibility(parts, usage),
            raw=payload,
            response_id=opt_str(payload.get("id")),
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
    """Follows the Responses SSE events; the final `response.completed` payload wins when it has output.

    Function calls stream as `response.output_item.added` (name, call_id) then
    `response.function_call_arguments.delta` fragments keyed by item id; each call gets the index of its
    order among this turn's calls. A stream cut short keeps its finished items and, of the unfinished ones,
    the text and reasoning (marked truncated); a call whose arguments did not finish is not kept.
    """

    def __init__(self, codec: OpenAIResponses, request: ChatRequest) -> None:
        self.codec = codec
        self.request = request
        self.done = False
        self.items: dict[int, dict[str, Any]] = {}  # finished items by output_index
        self.pending: dict[int, dict[str, Any]] = {}  # unfinished: {"type", "id", "texts": {index: [..]}}
        self.where: dict[str, int] = {}  # item id -> output_index
        self.calls: dict[str, int] = {}  # function call item id -> call index
        self.final: dict[str, Any] | None = None
        self.meta: dict[str, Any] = {}

    def _slot(self, payload: dict[str, Any], kind: str) -> dict[str, Any]:
        item_id = str(payload.get("item_id", ""))
        index = payload.get("output_index")
        if not isinstance(index, int):
            index = self.where.get(item_id, len(self.where) + len(self.items) + 1000)
        self.where.setdefault(item_id, index)
        return self.pending.setdefault(index, {"type": kind, "id": item_id or None, "texts": {}})

    def _piece(self, payload: dict[str, Any], kind: str, key: str) -> str:
        delta = payload.get("delta")
        delta = delta if isinstance(delta, str) else ""
        slot = self._slot(payload, kind)
        sub = payload.get(key, 0)
        slot["texts"].setdefault(sub if isinstance(sub, int) else 0, []).append(delta)
        return delta

    def feed(self, event: str, data: str) -> list[TextDelta | ThinkingDelta | ToolCallDelta]:
        try:
            payload = loads(data)
        except ValueError as exc:
            raise StreamError(
                f"malformed stream frame: {data[:80]!r}", provider=self.request.provider
            ) from exc
        if not isinstance(payload, dict):
            raise StreamError(f"malformed stream frame: {data[:80]!r}", provider=self.request.provider)
        kind = payload.get("type") or event
        match kind:
            case "response.created" | "response.in_progress" | "response.queued":
                self.meta = obj(payload.get("response")) or self.meta
            case "response.output_item.added":
                return self._added(payload)
            case "response.reasoning_summary_text.delta" | "response.reasoning_text.delta":
                slot = self._slot(payload, "reasoning")
                sub = payload.get("summary_index", payload.get("content_index", 0))
                starts_part = sub not in slot["texts"] and bool(slot["texts"])
                delta = self._piece(payload, "reasoning", "summary_index")
                return [ThinkingDelta(text=("\n\n" if starts_part else "") + delta)]
            case "response.output_text.delta":
                return [TextDelta(text=self._piece(payload, "message", "content_index"))]
            case "response.refusal.delta":
                return [TextDelta(text=self._piece(payload, "refusal", "content_index"))]
            case "response.function_call_arguments.delta":
                delta = self._piece(payload, "function_call", "_")
                index = self.calls.get(str(payload.get("item_id", "")))
                if index is None:
                    return []
                return [ToolCallDelta(index=index, arguments_delta=delta)]
            case "response.output_item.done":
                index = payload.get("output_index", len(self.items))
                self.items[index] = payload.get("item") or {}
                self.pending.pop(index, None)
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

    def _added(self, payload: dict[str, Any]) -> list[TextDelta | ThinkingDelta | ToolCallDelta]:
        item = payload.get("item") or {}
        item_id = str(item.get("id", ""))
        index = payload.get("output_index")
        if isinstance(index, int):
            self.where[item_id] = index
        if item.get("type") != "function_call":
            return []
        call_index = self.calls.setdefault(item_id, len(self.calls))
        if isinstance(index, int):
            self.pending[index] = {"type": "function_call", "id": item_id, "texts": {}, "item": item}
        first = item.get("arguments") if isinstance(item.get("arguments"), str) else ""
        return [
            ToolCallDelta(
                index=call_index,
                id=opt_str(item.get("call_id")),
                name=opt_str(item.get("name")),
                arguments_delta=first,
            )
        ]

    def result(self) -> ChatResult:
        if self.final is not None:
            final = dict(self.final)
            if not final.get("output"):
                final["output"] = [self.items[i] for i in sorted(self.items)]
            # a finished response is parsed from its final event even when it holds no output (xAI sends
            # streams that are only `response.completed`): its status is the finish reason
            if final.get("output") or not self.pending:
                return self.codec.parse(final, self.request)
        # cut short (or no output at all): rebuild from the finished items and the deltas, in order
        provider = self.request.provider
        parts: list[Part] = []
        for index in sorted({*self.items, *self.pending}):
            if index in self.items:
                parts += output_parts([self.items[index]], provider)[0]
                continue
            slot = self.pending[index]
            texts = ["".join(slot["texts"][k]) for k in sorted(slot["texts"])]
            if slot["type"] == "reasoning":
                parts += [ThinkingPart(text=t, provider=provider, truncated=True) for t in texts]
            elif slot["type"] in ("message", "refusal"):
                parts += [TextPart(text=t, refusal=slot["type"] == "refusal") for t in texts]
        usage = _usage((self.final or {}).get("usage"))
        meta = obj(self.final or self.meta)
        return ChatResult(
            provider=provider,
            model=opt_str(meta.get("model")) or self.request.model,
            parts=parts,
            usage=usage,
            finish_reason=None,
            visibility=_visibility(parts, usage),
            response_id=opt_str(meta.get("id")),
        )


class OpenAI:
    """OpenAI: the Responses API by default; `api="chat"` in options uses Chat Completions."""

    name = "openai"

    def __init__(self) -> None:
        self.responses = OpenAIResponses()
        self.chat = OpenAIChat()

    def pick(self, request: ChatRequest) -> tuple[OpenAIResponses | OpenAIChat, ChatRequest]:
        """The codec for this call, and the request without the `api` switch."""
        if "api" not in request.options:
            return self.responses, request
        options = dict(request.options)
        api = options.pop("api", "responses")
        if api not in ("responses", "chat"):
            raise InvalidParameterError(f"api= takes 'responses' or 'chat' for OpenAI, not {api!r}")
        codec = self.chat if api == "chat" else self.responses
        return codec, request.model_copy(update={"options": options})
