"""OpenAI Chat Completions: `POST {base}/chat/completions` -- the codec every OpenAI-compatible provider reuses.

Wire facts (wire/chat.md section 1.1; openai 3.57.0): `reasoning_effort` in none|minimal|low|medium|
high|xhigh|max; `max_completion_tokens` (not the deprecated `max_tokens`); reasoning text is never
returned, only `usage.completion_tokens_details.reasoning_tokens`; data-only SSE ending in
`data: [DONE]`, with a final usage chunk (`choices: []`) when `stream_options.include_usage` is set.
Compatible vendors add `message.reasoning_content` (DeepSeek), which the parser keeps.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, assert_never

import httpx2

from ..errors import InvalidParameterError, ProviderError, StreamError
from ..fields import obj, opt_str
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
)
from .base import Connection, auth_headers, error_from_body, foreign_call_notes, loads
from .openai_common import (
    chat_tools,
    check_sampling,
    check_tools,
    format_json_schema,
    openai_error,
    output_mode,
    output_notes,
    with_schema_prompt,
)
from .openai_items import arguments_of

__all__ = ["FINISH", "ChatStreamDecoder", "OpenAIChat", "chat_messages", "parse_tool_calls", "tool_call_json"]

# wire/models.md: on Chat Completions these take function tools only with reasoning_effort "none"
TOOLS_ONLY_WITHOUT_REASONING = ("gpt-5.6-luna", "gpt-6-luna")

FINISH = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
}


def _content(message: Message) -> str | list[dict[str, Any]]:
    if all(isinstance(p, TextPart | ThinkingPart | ToolCallPart | ToolResultPart) for p in message.parts):
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
                pass  # tool_calls on the assistant message, role "tool" messages (chat_messages)
            case _:
                assert_never(part)
    return blocks


def tool_call_json(part: ToolCallPart, provider: str) -> dict[str, Any]:
    """One `tool_calls[]` entry; the arguments text goes back verbatim to the provider that wrote it."""
    own = part.provider == provider and part.raw_arguments is not None
    arguments = part.raw_arguments if own else json.dumps(part.arguments, ensure_ascii=False)
    return {"id": part.id, "type": "function", "function": {"name": part.name, "arguments": arguments}}


def chat_messages(
    request: ChatRequest, extra: Callable[[Message], dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The `messages` array: system first, then each turn (thinking parts are not sent back).

    An assistant turn's calls go in its `tool_calls` (content null when it said nothing); a user turn's
    tool results become one `role: "tool"` message each, before the rest of that turn. `extra(message)`
    gives vendor fields for an assistant entry (DeepSeek's reasoning_content).
    """
    out: list[dict[str, Any]] = []
    if request.system:
        out.append({"role": "system", "content": request.system})
    for message in request.messages:
        calls = [p for p in message.parts if isinstance(p, ToolCallPart)]
        results = [p for p in message.parts if isinstance(p, ToolResultPart)]
        if message.role == "assistant" and calls:
            if any(isinstance(p, ImagePart) for p in message.parts):
                raise InvalidParameterError("an assistant turn cannot carry an image on Chat Completions")
            entry: dict[str, Any] = {"role": "assistant", "content": message.text or None}
            entry["tool_calls"] = [tool_call_json(c, request.provider) for c in calls]
            out.append(entry | (extra(message) if extra else {}))
            continue
        if calls:
            raise InvalidParameterError("a tool call belongs in an assistant turn, not a user turn")
        for result in results:
            out.append({"role": "tool", "tool_call_id": result.call_id, "content": result.content})
        rest = [p for p in message.parts if not isinstance(p, ToolResultPart)]
        if rest or not results:
            kept = message if len(rest) == len(message.parts) else message.model_copy(update={"parts": rest})
            entry = {"role": message.role, "content": _content(kept)}
            out.append(entry | (extra(message) if extra and message.role == "assistant" else {}))
    return out


def parse_tool_calls(raw: Any, provider: str) -> list[ToolCallPart]:
    """`message.tool_calls` as parts (arguments a JSON string, or an object from some vendors)."""
    parts: list[ToolCallPart] = []
    for i, call in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(call, dict):
            continue
        function: dict[str, Any] = call["function"] if isinstance(call.get("function"), dict) else {}
        args = function.get("arguments")
        arguments, invalid = arguments_of(args)
        parts.append(
            ToolCallPart(
                id=str(call.get("id") or f"call_{i}"),
                name=str(function.get("name") or ""),
                arguments=arguments,
                raw_arguments=args if isinstance(args, str) else None,
                provider=provider,
                invalid_json=invalid,
            )
        )
    return parts


def _usage(raw: Any) -> Usage:
    """Our Usage from Chat Completions' (DeepSeek's cache-hit count as the fallback); wrong types unknown."""
    if not isinstance(raw, dict) or not raw:
        return Usage()
    details = obj(raw.get("completion_tokens_details"))
    prompt_details = obj(raw.get("prompt_tokens_details"))
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
    tools = True
    structured_output = "json_schema"  # response_format json_schema; "json_object": schema in the prompt
    strict_tools = "auto"  # strict when the schema can be adapted; "explicit": only when a tool asks

    def check(self, request: ChatRequest, info: ModelInfo, resolved: Resolved) -> list[str]:
        notes = check_sampling(request, info, resolved) + check_tools(request, strict=self.strict_tools)
        notes += output_notes(request, info, self.output_style(request))
        notes += foreign_call_notes(request.messages, request.provider)
        if request.tools and info.id in TOOLS_ONLY_WITHOUT_REASONING and resolved.effort != "none":
            raise InvalidParameterError(
                f"{info.provider}/{info.id} takes tools on Chat Completions only with reasoning effort 'none': "
                "pass thinking=False, or use the Responses API (drop api='chat')"
            )
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

    def output_style(self, request: ChatRequest) -> str:
        """How this codec asks for structured output for this request (vendors override)."""
        return self.structured_output

    def output_fields(self, request: ChatRequest, info: ModelInfo) -> tuple[ChatRequest, dict[str, Any]]:
        """The request (with the schema in its system text for JSON mode or no mode) and `response_format`."""
        mode = output_mode(request, info, self.output_style(request))
        if mode is None or request.output is None:
            return request, {}
        if mode == "json_schema":  # Chat nests {name, schema, strict} under json_schema, without "type"
            nested = {k: v for k, v in format_json_schema(request.output).items() if k != "type"}
            return request, {"response_format": {"type": "json_schema", "json_schema": nested}}
        fields = {"response_format": {"type": "json_object"}} if mode == "json_object" else {}
        return with_schema_prompt(request), fields

    def build(self, request: ChatRequest, conn: Connection, resolved: Resolved, info: ModelInfo) -> HttpCall:
        request, output = self.output_fields(request, info)
        body: dict[str, Any] = {"model": request.model, "messages": chat_messages(request)}
        body.update(self.thinking_fields(resolved))
        body.update(self.tool_fields(request))
        body.update(output)
        if request.max_tokens is not None:
            body["max_completion_tokens"] = request.max_tokens
        if request.stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        body.update(request.options)
        return self.http_call(request, conn, body)

    def tool_fields(self, request: ChatRequest) -> dict[str, Any]:
        """`tools`, `tool_choice`, `parallel_tool_calls` for this call."""
        return chat_tools(request, strict=self.strict_tools)

    def http_call(self, request: ChatRequest, conn: Connection, body: dict[str, Any]) -> HttpCall:
        """POST `body` to `{base}{path}` with auth; `sent` shows every field but the messages."""
        sent = {k: v for k, v in body.items() if k != "messages"}
        sent["messages"] = f"<{len(body['messages'])} messages>"
        if isinstance(body.get("tools"), list):
            sent["tools"] = [t.get("function", t).get("name") for t in body["tools"] if isinstance(t, dict)]
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
        if isinstance(text, str) and text:
            parts.append(TextPart(text=text))
        if isinstance(message.get("refusal"), str) and message["refusal"]:
            parts.append(TextPart(text=message["refusal"], refusal=True))
        parts += parse_tool_calls(message.get("tool_calls"), request.provider)
        raw_finish = opt_str(choice.get("finish_reason"))
        finish = "refusal" if message.get("refusal") else FINISH.get(raw_finish or "", raw_finish)
        usage = _usage(payload.get("usage"))
        return ChatResult(
            provider=request.provider,
            model=opt_str(payload.get("model")) or request.model,
            parts=parts,
            usage=usage,
            finish_reason=finish,
            raw_finish_reason=raw_finish,
            visibility="full" if reasoning else "none",
            raw=payload,
            response_id=opt_str(payload.get("id")),
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
        self.refusal: list[str] = []
        self.calls: dict[int, dict[str, Any]] = {}  # by tool_calls[].index: id, name, argument pieces

    def feed(self, event: str, data: str) -> list[TextDelta | ThinkingDelta | ToolCallDelta]:
        stripped = data.strip()
        if stripped == "[DONE]":
            self.done = True
            return []
        if not stripped:
            return []
        try:
            chunk = loads(data)
        except ValueError as exc:
            raise StreamError(
                f"malformed stream frame: {data[:80]!r}", provider=self.request.provider
            ) from exc
        if not isinstance(chunk, dict):
            raise StreamError(f"malformed stream frame: {data[:80]!r}", provider=self.request.provider)
        self.model = opt_str(chunk.get("model")) or self.model
        self.id = opt_str(chunk.get("id")) or self.id
        if obj(chunk.get("usage")):
            self.usage = chunk["usage"]
        out: list[TextDelta | ThinkingDelta | ToolCallDelta] = []
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            out += self.delta(delta)
            if "tool_calls" in delta:
                out += self.tool_deltas(delta["tool_calls"])
            self.finish = opt_str(choice.get("finish_reason")) or self.finish
        if "error" in chunk:  # (after reading it: OpenRouter's last chunk carries `error` and `usage` both)
            message, code = openai_error(chunk)
            raise StreamError(
                message or "error in stream", provider=self.request.provider, code=code, body=chunk
            )
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
        if isinstance(delta.get("refusal"), str) and delta["refusal"]:
            self.refusal.append(delta["refusal"])
            out.append(TextDelta(text=delta["refusal"]))
        return out

    def tool_deltas(self, fragments: Any) -> list[ToolCallDelta]:
        """Tool-call fragments keyed by `index`: id and name come first, then argument pieces."""
        out: list[ToolCallDelta] = []
        for fragment in fragments if isinstance(fragments, list) else []:
            if not isinstance(fragment, dict):
                continue
            index = fragment.get("index")
            index = index if isinstance(index, int) else len(self.calls)
            function: dict[str, Any] = (
                fragment["function"] if isinstance(fragment.get("function"), dict) else {}
            )
            call = self.calls.setdefault(index, {"id": None, "name": None, "args": []})
            call["id"] = opt_str(fragment.get("id")) or call["id"]
            call["name"] = opt_str(function.get("name")) or call["name"]
            args = function.get("arguments")
            if isinstance(args, dict):  # (a vendor sending the object whole)
                args = json.dumps(args)
            if isinstance(args, str):
                call["args"].append(args)
            out.append(
                ToolCallDelta(
                    index=index,
                    id=opt_str(fragment.get("id")),
                    name=opt_str(function.get("name")),
                    arguments_delta=args if isinstance(args, str) else "",
                )
            )
        return out

    def call_parts(self) -> list[ToolCallPart]:
        raw = [
            {"id": c["id"], "function": {"name": c["name"], "arguments": "".join(c["args"])}}
            for _, c in sorted(self.calls.items())
        ]
        return parse_tool_calls(raw, self.request.provider)

    def result(self) -> ChatResult:
        parts: list[Any] = []
        if self.reasoning:
            parts.append(ThinkingPart(text="".join(self.reasoning), provider=self.request.provider))
        if self.text:
            parts.append(TextPart(text="".join(self.text)))
        if self.refusal:
            parts.append(TextPart(text="".join(self.refusal), refusal=True))
        parts += self.call_parts()
        return ChatResult(
            provider=self.request.provider,
            model=self.model or self.request.model,
            parts=parts,
            usage=_usage(self.usage),
            finish_reason="refusal" if self.refusal else FINISH.get(self.finish or "", self.finish),
            raw_finish_reason=self.finish,
            visibility="full" if self.reasoning else "none",
            response_id=self.id,
        )
