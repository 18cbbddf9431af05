"""Mistral on the wire: `POST /v1/chat/completions`, JSON and SSE, thinking chunks inside `content`.

Chat Completions shapes from sandbox/openai.py (through a dialect) with Mistral's differences (wire/chat.md
section 5, wire/delta-2026-11.md section 4; mistralai 3.7.0 models):

* Served for api.mistral.ai, api.eu.mistral.ai and api.us.mistral.ai alike (regions are one API).
* Unknown body fields get Mistral's 422 `{"detail": [{"type": "extra_forbidden", ...}]}` (e.g. OpenAI's
  `max_completion_tokens` or `stream_options`); the allowed set is mistralai 3.7.0's ChatCompletionRequest.
* `reasoning_effort` on the adjustable models (none|high in the sandbox, as the catalog says); `high` puts a
  `{"type":"thinking","thinking":[{"type":"text",...}]}` chunk before the answer, `none` leaves a plain
  string. Magistral always thinks; `prompt_mode: "reasoning"` is accepted.
* Streams: the thinking arrives as list-form `delta.content`, the answer as strings, and usage rides on
  the finishing chunk (no `stream_options`).
* Assistant turns may carry thinking chunks (replayed reasoning); they must be well formed.
* Errors: `{"object":"error","message":...,"type":...,"param":null,"code":...}`.
* Tools (sandbox/tools.py decides): calls in `message.tool_calls` with nine-alphanumeric ids, each
  call whole in one stream delta (wire/tools-batch.md 7); a thinking model thinks before its calls.
  Structured output: `response_format` json_schema answered with JSON that fits; Mistral has no
  refusal field, so `sandbox: refuse` answers in prose (not JSON).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import openai as O
from . import openai_tools as OT
from . import text as T
from .wire import Call, ProviderSpec, Reply

__all__ = ["ALLOWED_FIELDS", "MISTRAL", "chat_completions", "error"]

ALLOWED_FIELDS = frozenset(
    {
        "frequency_penalty", "guardrails", "logprobs", "max_tokens", "messages", "metadata", "min_tokens",
        "model", "n", "parallel_tool_calls", "prediction", "presence_penalty", "prompt_cache_key",
        "prompt_logprobs", "prompt_mode", "random_seed", "reasoning_effort", "repetition_penalty",
        "response_format", "safe_prompt", "service_tier", "stop", "stream", "temperature", "tool_choice",
        "tools", "top_k", "top_logprobs", "top_p", "top_prompt_logprobs",
    }
)  # fmt: skip
SDK_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
ADJUSTABLE = {
    name: ("none", "high")
    for name in (
        "mistral-medium-3-5", "mistral-medium-2604", "mistral-medium-latest", "mistral-medium-3.5",
        "mistral-small-2603", "mistral-small-latest", "mistral-small-4", "mistral-large-4-0",
        "mistral-large-4", "devstral-latest", "devstral-medium-latest", "devstral-small-latest",
    )
}  # fmt: skip
NATIVE = frozenset(
    {"magistral-medium-latest", "magistral-small-latest", "magistral-medium-2509", "magistral-small-2509"}
)
PLAIN = frozenset(
    {
        "mistral-large-2512", "mistral-large-3", "mistral-large-latest", "ministral-14b-2512",
        "ministral-14b-latest", "ministral-8b-2512", "ministral-8b-latest", "ministral-3b-2512",
        "ministral-3b-latest",
    }
)  # fmt: skip


def error(
    status: int, message: str, request_id: str, *, type_: str | None = None, code: str | None = None, **_: Any
) -> Reply:
    """An error reply in Mistral's envelope."""
    etype = type_ or ("internal_error" if status >= 500 else "invalid_request_error")
    body = {"object": "error", "message": message, "type": etype, "param": None, "code": code}
    return Reply(status=status, body=body)


def check_auth(headers: Mapping[str, str], request_id: str) -> Reply | None:
    """None for a non-empty Bearer token, else Mistral's 401 (the key is never echoed)."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return None
    return Reply(status=401, body={"message": "Unauthorized", "request_id": request_id})


def fault(status: int, request_id: str) -> Reply:
    """The error reply for an injected status fault (429, 500, 503, 529)."""
    if status == 429:
        return error(429, "Requests rate limit exceeded (sandbox fault)", request_id, type_="rate_limited")
    return error(status, "Service unavailable (sandbox fault)", request_id, type_="service_unavailable")


def _extra_forbidden(body: dict[str, Any]) -> Reply | None:
    extra = sorted(k for k in body if k not in ALLOWED_FIELDS)
    if not extra:
        return None
    detail = [
        {
            "type": "extra_forbidden",
            "loc": ["body", k],
            "msg": "Extra inputs are not permitted",
            "input": body[k],
        }
        for k in extra
    ]
    return Reply(status=422, body={"detail": detail})


def _bad_thinking_chunks(messages: list[Any]) -> str | None:
    for i, m in enumerate(messages):
        if not (isinstance(m, dict) and m.get("role") == "assistant" and isinstance(m.get("content"), list)):
            continue
        for chunk in m["content"]:
            if isinstance(chunk, dict) and chunk.get("type") == "thinking":
                inner = chunk.get("thinking")
                if not isinstance(inner, list) or not all(
                    isinstance(c, dict) and c.get("type") == "text" and isinstance(c.get("text"), str)
                    for c in inner
                ):
                    return f"messages.{i}.content: a thinking chunk holds a list of text chunks"
    return None


def _thinking_chunk(text: str) -> dict[str, Any]:
    return {"type": "thinking", "thinking": [{"type": "text", "text": text}]}


def _message(plan: O.Plan) -> dict[str, Any]:
    if not plan.reasoning:
        return {"content": plan.answer, "tool_calls": None}
    answer = [] if plan.calls else [{"type": "text", "text": plan.answer}]
    return {"content": [_thinking_chunk(plan.reasoning), *answer], "tool_calls": None}


def _call_id(serial: str, index: int) -> str:
    """Mistral's call ids: nine of a-z, A-Z, 0-9."""
    return (serial[:8] + "ABCDEFGHIJ"[index % 10])[:9]


def _deltas(plan: O.Plan) -> list[dict[str, Any]]:
    thinking = [{"content": [_thinking_chunk(piece)]} for piece in T.chunk_words(plan.reasoning)]
    return thinking + [{"content": piece} for piece in T.chunk_words(plan.answer)]  # ("" for calls: none)


def _usage(plan: O.Plan) -> dict[str, Any]:
    total = plan.input_tokens + plan.output_tokens
    return {
        "prompt_tokens": plan.input_tokens,
        "completion_tokens": plan.output_tokens,
        "total_tokens": total,
    }


DIALECT = O.ChatDialect(
    message=_message,
    deltas=_deltas,
    usage=_usage,
    extra={},
    role_delta={"role": "assistant", "content": ""},
    choice_extra={},
    usage_always=True,
    keep_alive=False,
    whole_tool_calls=True,
    call_id=_call_id,
)


def chat_completions(call: Call) -> Reply:
    """Handle `POST /v1/chat/completions` the way Mistral does."""
    if isinstance(call.body, dict) and (bad := _extra_forbidden(call.body)) is not None:
        return bad
    if (bad := O.check_chat_request(call, SDK_EFFORTS, error)) is not None:
        return bad
    body, rid = call.body, call.request_id
    model, effort = body["model"], body.get("reasoning_effort")
    if model not in ADJUSTABLE and model not in NATIVE and model not in PLAIN:
        return error(400, f"Invalid model: {model}", rid, type_="invalid_model", code="1500")
    if effort is not None and model not in ADJUSTABLE:
        return error(400, f"reasoning_effort is not supported by {model}", rid)
    if effort is not None and effort not in ADJUSTABLE[model]:
        supported = ", ".join(ADJUSTABLE[model])
        return error(
            400, f"reasoning_effort '{effort}' is not supported by {model} (supported: {supported})", rid
        )
    if body.get("prompt_mode") not in (None, "reasoning"):
        return error(400, f"Invalid prompt_mode: {body['prompt_mode']!r}", rid)
    if (problem := _bad_thinking_chunks(body["messages"])) is not None:
        return error(400, problem, rid)
    thinks = model in NATIVE or effort == "high"
    question, prompt = O.chat_prompt(body["messages"])
    view = OT.chat_view(body, call.headers)
    limit = body.get("max_tokens")
    plan = O.plan(question, prompt, "high" if thinks else None, limit, view, OT.chat_format(body))
    return O.chat_reply(call, plan, DIALECT)


MISTRAL = ProviderSpec(
    name="mistral",
    routes={"/v1/chat/completions": chat_completions},
    request_id_header="x-request-id",
    check_auth=check_auth,
    error=error,
    fault=fault,
)
