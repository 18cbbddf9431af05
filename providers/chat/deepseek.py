"""DeepSeek: OpenAI Chat Completions plus its thinking toggle, `reasoning_content` and cache-hit counts.

Wire facts (wire/chat.md section 4; api-docs.deepseek.com/guides/thinking_mode, the stored snapshot whose
examples use deepseek-flash; /quick_start/rate_limit):

* `POST https://api.deepseek.com/chat/completions` (a `/v1` prefix is accepted too), Bearer auth, OpenAI body.
* `thinking: {"type": "enabled"|"disabled"}` toggles thinking. It is ON by default, at effort `high`.
  `reasoning_effort` takes `low|high|max` (an earlier version of the guide: `high|max`); the toolkit sends
  the closest of those (thinking.py, style "deepseek"). The OpenAI SDK passes `thinking` in `extra_body`.
* The chain of thought comes back in full: `message.reasoning_content`, `delta.reasoning_content`.
* `reasoning_content` of an assistant turn that made **tool calls** must be sent back in every later request
  (else 400 "The `reasoning_content` in the thinking mode must be passed back to the API"); on turns without
  tool calls it "does not need to participate ... if passed, it will be ignored". So this codec sends it back
  exactly on DeepSeek's own assistant turns that carry tool calls (`reasoning_back`), and never another
  provider's reasoning; the key is present ("" when there was none, or the turn came from elsewhere), as
  the same 400 fires without it (wire/tools-batch.md 5, 10.5).
* Structured output: `response_format: {"type": "json_object"}` only (api-docs.deepseek.com/guides/json_mode),
  so the schema and an example go in the system prompt (the guide asks for "json" and an example there);
  a blank answer (JSON mode blanks non-JSON output) is a typed error, not a validation crash.
* Tools: the Chat shape. `strict` exists only on the beta base URL (`https://api.deepseek.com/beta`), so a
  tool is sent strict only when it asks (strict=True), and the note says where that works.
* usage: `prompt_cache_hit_tokens` + `prompt_cache_miss_tokens` = `prompt_tokens`;
  `completion_tokens_details.reasoning_tokens`.
* Under load the server sends blank lines before a JSON body and `: keep-alive` SSE comments; both are
  tolerated by the transport (json.loads skips whitespace; comments are not events).
* In thinking mode `temperature`, `top_p`, `presence_penalty`, `frequency_penalty` are accepted and ignored:
  the result notes it instead of refusing.

`for_scientific_domain(...)` (the plan's DeepSeek-R1 helper) is reachable here as
`DeepSeek.for_scientific_domain`: the `scientific` domain preset (providers/domains) on DeepSeek's
reasoning mode at high or max effort, following DeepSeek's guidance (no system prompt, a \\boxed{} answer).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..domains import for_scientific_domain
from ..fields import count, obj
from ..registry import ModelInfo
from ..thinking import Resolved
from ..types import ChatRequest, ChatResult, HttpCall, Message, ThinkingPart, ToolCallPart, Usage
from .base import Connection, foreign_call_notes
from .openai_chat import ChatStreamDecoder, OpenAIChat, chat_messages
from .openai_common import check_tools, output_notes

__all__ = ["IGNORED_WHILE_THINKING", "DeepSeek", "deepseek_usage", "for_scientific_domain", "reasoning_back"]

IGNORED_WHILE_THINKING = ("temperature", "top_p", "presence_penalty", "frequency_penalty")


def deepseek_usage(raw: Any) -> Usage:
    """Usage with DeepSeek's own cache-hit count (`prompt_cache_hit_tokens`) as cached_tokens; counts of
    the wrong type are unknown (providers/fields.py)."""
    if not isinstance(raw, dict) or not raw:
        return Usage()
    details = obj(raw.get("completion_tokens_details"))
    cached = count(raw.get("prompt_cache_hit_tokens"))
    if cached is None:
        cached = obj(raw.get("prompt_tokens_details")).get("cached_tokens")
    return Usage(
        input_tokens=raw.get("prompt_tokens"),
        output_tokens=raw.get("completion_tokens"),
        reasoning_tokens=details.get("reasoning_tokens"),
        cached_tokens=cached,
        total_tokens=raw.get("total_tokens"),
    )


def _has_tool_calls(message: Message) -> bool:
    return any(isinstance(part, ToolCallPart) for part in message.parts)


def reasoning_back(message: Message, provider: str) -> str | None:
    """The `reasoning_content` to send back with this turn, or None when DeepSeek does not need it.

    Required (and sent) only on an assistant turn that made tool calls; the text is DeepSeek's own
    thinking from that turn ('' when it showed none -- the field must still be present).
    """
    if message.role != "assistant" or not _has_tool_calls(message):
        return None
    own = [p.text for p in message.parts if isinstance(p, ThinkingPart) and p.provider == provider]
    return "".join(own)


def _messages(request: ChatRequest) -> list[dict[str, Any]]:
    def extra(message: Message) -> dict[str, Any]:
        back = reasoning_back(message, request.provider)
        return {} if back is None else {"reasoning_content": back}

    return chat_messages(request, extra)


def _thinking_parts(messages: Iterable[Message]) -> list[tuple[Message, ThinkingPart]]:
    return [(m, p) for m in messages for p in m.parts if isinstance(p, ThinkingPart)]


class DeepSeek(OpenAIChat):
    """The DeepSeek codec: Chat Completions with the thinking toggle and reasoning_content."""

    name = "deepseek"
    strict_tools = "explicit"  # strict only on the beta base URL
    structured_output = "json_object"  # DeepSeek's JSON mode; the schema goes in the prompt
    for_scientific_domain = staticmethod(for_scientific_domain)  # the scientific preset on this provider

    def check(self, request: ChatRequest, info: ModelInfo, resolved: Resolved) -> list[str]:
        notes: list[str] = check_tools(request, strict=self.strict_tools)
        notes += output_notes(request, info, self.structured_output)
        notes += foreign_call_notes(request.messages, request.provider)
        if any(t.strict for t in request.tools):
            notes.append(
                "strict tools work on DeepSeek's beta endpoint only: base_urls={'deepseek': "
                "'https://api.deepseek.com/beta'}"
            )
        thinking_on = info.thinking.can_think and resolved.mode != "off"
        if info.thinking.can_think:
            if request.thinking is None:
                notes.append("DeepSeek's default applies: thinking on at effort 'high' (nothing sent)")
            elif resolved.mode == "default":
                notes.append("thinking on at DeepSeek's default effort ('high')")
            elif resolved.mode == "off":
                notes.append('thinking off: thinking={"type":"disabled"}')
        if thinking_on:
            for param in IGNORED_WHILE_THINKING:
                if param in request.options:
                    notes.append(
                        f"{param} is ignored by DeepSeek in thinking mode (accepted without an error); "
                        "pass thinking=False for it to take effect"
                    )
        parts = _thinking_parts(request.messages)
        foreign = sum(p.provider != request.provider for _, p in parts)
        if foreign:
            notes.append(
                f"{foreign} thinking part(s) from other providers not sent: reasoning goes back only to its maker"
            )
        kept = sum(
            p.provider == request.provider and reasoning_back(m, request.provider) is None for m, p in parts
        )
        if kept:
            notes.append(
                f"{kept} earlier DeepSeek reasoning part(s) kept but not sent back: DeepSeek needs "
                "reasoning_content only on tool-call turns and ignores it on others"
            )
        return notes

    def deepseek_fields(self, resolved: Resolved, request: ChatRequest, info: ModelInfo) -> dict[str, Any]:
        """The toggle and effort for this call ({} leaves DeepSeek's default: on, effort high)."""
        if not info.thinking.can_think:
            return {}
        if resolved.mode == "off":
            return {"thinking": {"type": "disabled"}}
        if resolved.mode == "effort" and resolved.effort:
            return {"thinking": {"type": "enabled"}, "reasoning_effort": resolved.effort}
        if request.thinking is not None:  # thinking=True: on, at DeepSeek's default effort
            return {"thinking": {"type": "enabled"}}
        return {}

    def build(self, request: ChatRequest, conn: Connection, resolved: Resolved, info: ModelInfo) -> HttpCall:
        request, output = self.output_fields(request, info)
        body: dict[str, Any] = {"model": request.model, "messages": _messages(request)}
        body.update(self.deepseek_fields(resolved, request, info))
        body.update(self.tool_fields(request))
        body.update(output)
        if request.max_tokens is not None:
            body["max_tokens"] = (
                request.max_tokens
            )  # DeepSeek documents max_tokens, not max_completion_tokens
        if request.stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        body.update(request.options)
        return self.http_call(request, conn, body)

    def parse(self, payload: dict[str, Any], request: ChatRequest) -> ChatResult:
        result = super().parse(payload, request)
        return result.model_copy(update={"usage": deepseek_usage(payload.get("usage"))})

    def decoder(self, request: ChatRequest) -> DeepSeekStreamDecoder:
        return DeepSeekStreamDecoder(request)


class DeepSeekStreamDecoder(ChatStreamDecoder):
    """Chat Completions chunks (reasoning_content deltas first), with DeepSeek's usage fields."""

    def result(self) -> ChatResult:
        return super().result().model_copy(update={"usage": deepseek_usage(self.usage)})
