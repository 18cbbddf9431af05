"""DeepSeek on the wire: `POST /chat/completions` (and `/v1/chat/completions`), JSON and SSE.

OpenAI's Chat Completions shapes (sandbox/openai.py, through a dialect) plus DeepSeek's differences
(wire/chat.md section 4; api-docs.deepseek.com/guides/thinking_mode, stored snapshot with deepseek-flash):

* `thinking: {"type": "enabled"|"disabled"}`, on by default; `reasoning_effort` mapped the way the guide
  says (minimal/low -> low, medium/high/xhigh -> high, max/ultra -> max).
* `reasoning_content` beside `content` in the message, and in deltas before the answer.
* usage with `prompt_cache_hit_tokens` / `prompt_cache_miss_tokens` (the sandbox counts the turns before
  the last user message as cached, as a real prefix cache would after the previous call) and
  `completion_tokens_details.reasoning_tokens`.
* Streams open with a blank line and `: keep-alive` comments, as DeepSeek does under load.
* In thinking mode an assistant turn with `tool_calls` and no `reasoning_content` is refused with
  DeepSeek's 400; the retired deepseek-chat / deepseek-reasoner (2026-07-24) get "Model Not Exist".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import openai as O
from . import openai_tools as OT
from . import text as T
from .wire import Call, ProviderSpec, Reply, sse_comment

__all__ = ["DEEPSEEK", "EFFORT_MAP", "MODELS", "chat_completions"]

# What the server does with each requested effort (the guide's table).
EFFORT_MAP = {
    "minimal": "low",
    "low": "low",
    "medium": "high",
    "high": "high",
    "xhigh": "high",
    "max": "max",
    "ultra": "max",
}
MODELS = frozenset({"deepseek-flash", "deepseek-v4-pro", "deepseek-v4-flash", "deepseek-v4-flash-vision-exp"})
PASS_BACK = "The `reasoning_content` in the thinking mode must be passed back to the API."


def check_auth(headers: Mapping[str, str], request_id: str) -> Reply | None:
    """None for a non-empty Bearer token, else DeepSeek's 401 (the key is never echoed)."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return None
    message = "Authentication Fails, no api key provided (sandbox)"
    return O.error(401, message, request_id, type_="authentication_error", code="invalid_request_error")


def _usage(plan: O.Plan, cached: int) -> dict[str, Any]:
    cached = min(cached, plan.input_tokens)
    return {
        "prompt_tokens": plan.input_tokens,
        "completion_tokens": plan.output_tokens,
        "total_tokens": plan.input_tokens + plan.output_tokens,
        "prompt_tokens_details": {"cached_tokens": cached},
        "prompt_cache_hit_tokens": cached,
        "prompt_cache_miss_tokens": plan.input_tokens - cached,
        "completion_tokens_details": {"reasoning_tokens": plan.reasoning_tokens},
    }


def _dialect(thinking: bool, cached: int) -> O.ChatDialect:
    def message(plan: O.Plan) -> dict[str, Any]:
        fields: dict[str, Any] = {"content": plan.answer}
        if thinking:
            fields["reasoning_content"] = plan.reasoning
        return fields

    def deltas(plan: O.Plan) -> list[dict[str, Any]]:
        out = [{"content": None, "reasoning_content": piece} for piece in T.chunk_words(plan.reasoning)]
        return out + [{"content": piece, "reasoning_content": None} for piece in T.chunk_words(plan.answer)]

    return O.ChatDialect(
        message=message,
        deltas=deltas,
        usage=lambda plan: _usage(plan, cached),
        extra={"system_fingerprint": "fp_sandbox"},
        role_delta={"role": "assistant", "content": None, "reasoning_content": None},
        preamble=(b"\n", sse_comment("keep-alive")),
    )


def _thinking(body: dict[str, Any], rid: str) -> tuple[bool, Reply | None]:
    toggle = body.get("thinking")
    if toggle is None:
        return True, None  # on by default
    if isinstance(toggle, dict) and toggle.get("type") in ("enabled", "disabled"):
        return toggle["type"] == "enabled", None
    message = 'Invalid thinking: expected {"type": "enabled"} or {"type": "disabled"}'
    return False, O.error(400, message, rid, param="thinking", code="invalid_request_error")


def _cached_tokens(messages: list[Any]) -> int:
    last_user = max(
        (i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == "user"), default=0
    )
    return T.count_tokens(
        " ".join(T.content_text(m.get("content")) for m in messages[:last_user] if isinstance(m, dict))
    )


def chat_completions(call: Call) -> Reply:
    """Handle `POST /chat/completions` the way DeepSeek does (thinking toggle, reasoning_content)."""
    if (bad := O.check_chat_request(call, tuple(EFFORT_MAP))) is not None:
        return bad
    body, rid = call.body, call.request_id
    if body["model"] not in MODELS:
        return O.error(400, "Model Not Exist", rid, code="invalid_request_error")
    thinking, bad = _thinking(body, rid)
    if bad is not None:
        return bad
    messages = body["messages"]
    if thinking:
        for message in messages:
            if (
                isinstance(message, dict)
                and message.get("role") == "assistant"
                and message.get("tool_calls")
                and "reasoning_content" not in message
            ):
                return O.error(400, PASS_BACK, rid, code="invalid_request_error")
    effort = EFFORT_MAP[body.get("reasoning_effort") or "high"] if thinking else None
    question, prompt = O.chat_prompt(messages)
    view, schema = OT.chat_view(body, call.headers), OT.chat_format(body)
    plan = O.plan(question, prompt, effort, body.get("max_tokens"), view, schema)
    return O.chat_reply(call, plan, _dialect(thinking, _cached_tokens(messages)))


DEEPSEEK = ProviderSpec(
    name="deepseek",
    routes={"/chat/completions": chat_completions, "/v1/chat/completions": chat_completions},
    request_id_header="x-request-id",
    check_auth=check_auth,
    error=O.error,
    fault=O.fault,
)
