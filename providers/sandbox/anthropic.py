"""Anthropic on the wire: `POST /v1/messages`, JSON and SSE.

Shapes follow anthropic-sdk-python 2.14.0 / API version 2026-10-21 (see /work/shared/wire/chat.md §2
and delta-2026-11.md §1). Tools and structured output: sandbox/anthropic_tools.py reads the request,
sandbox/tools.py decides (call a tool, answer from results, a schema-conforming JSON answer); a turn
that calls tools thinks first (interleaved thinking), unless tool_choice forced the call (adaptive
thinking then skips thinking, wire/tools-batch.md 3.4).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import anthropic_tools as AT
from . import text as T
from .tools import ToolCallPlan, answer_from_results, plan_calls, structured_answer
from .wire import Call, ProviderSpec, Reply, sse_frame

__all__ = ["ANTHROPIC", "check_auth", "error", "fault", "messages"]

NEWEST_VERSION = "2026-10-21"
REMOVED_IN_NEWEST = ("temperature", "top_p", "top_k")
THINKING_TYPES = ("enabled", "disabled", "adaptive", "between_tools")
DISPLAYS = ("summarized", "omitted")
EFFORTS = ("low", "medium", "high", "xhigh", "max")
DEFAULT_EFFORT = "high"
MIN_BUDGET = 1024
# Claude 4.7+ and the 5.x families accept only adaptive thinking.
_ADAPTIVE_ONLY = re.compile(r"^claude-(opus-4-[78]|[a-z]+-5)(?:$|[-.@])")
_TYPE_FOR_STATUS = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
}


def error(
    status: int,
    message: str,
    request_id: str,
    *,
    type_: str | None = None,
    code: str | None = None,
    param: str | None = None,
) -> Reply:
    """An error reply in Anthropic's envelope `{"type": "error", "error": {type, message}, "request_id"}`."""
    etype = (
        type_ or _TYPE_FOR_STATUS.get(status) or ("api_error" if status >= 500 else "invalid_request_error")
    )
    err: dict[str, Any] = {"type": etype, "message": message}
    if code is not None:
        err["details"] = {"error_code": code}
    return Reply(status=status, body={"type": "error", "error": err, "request_id": request_id})


def check_auth(headers: Mapping[str, str], request_id: str) -> Reply | None:
    """None when a key (x-api-key or Bearer) and `anthropic-version` are present, else the error reply."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    has_key = bool(headers.get("x-api-key", "").strip()) or (
        scheme.lower() == "bearer" and bool(token.strip())
    )
    if not has_key:
        return error(401, "x-api-key or Authorization: Bearer header is required", request_id)
    if not headers.get("anthropic-version", "").strip():
        return error(400, "anthropic-version: header is required", request_id)
    return None


_FAULTS: dict[int, tuple[str, str]] = {
    429: ("Number of requests has exceeded your rate limit (sandbox fault).", "rate_limit_error"),
    500: ("Internal server error", "api_error"),
    503: ("Service unavailable", "api_error"),
    529: ("Overloaded", "overloaded_error"),
}


def fault(status: int, request_id: str) -> Reply:
    """The error reply for an injected status fault (429, 500, 503, 529)."""
    message, etype = _FAULTS.get(status, _FAULTS[500])
    return error(status, message, request_id, type_=etype)


# --- validation ----------------------------------------------------------------------------------


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_thinking(body: dict[str, Any], rid: str) -> Reply | None:
    thinking = body.get("thinking")
    if thinking is None:
        return None
    kind = thinking.get("type") if isinstance(thinking, dict) else None
    if kind not in THINKING_TYPES:
        tags = ", ".join(f"'{t}'" for t in THINKING_TYPES)
        return error(
            400,
            f"thinking: Input tag '{kind}' found using 'type' does not match any of the expected tags: {tags}",
            rid,
        )
    assert isinstance(thinking, dict)
    display = thinking.get("display")
    if display is not None and display not in DISPLAYS:
        return error(400, f"thinking.{kind}.display: Input should be 'summarized' or 'omitted'", rid)
    if kind != "enabled":
        return None
    if _ADAPTIVE_ONLY.match(body["model"]):
        return error(400, "thinking.type 'enabled' is not supported for this model; use 'adaptive'", rid)
    budget = thinking.get("budget_tokens")
    if budget is None:
        return error(400, "thinking.enabled.budget_tokens: Field required", rid)
    if not _is_int(budget) or budget < MIN_BUDGET:
        return error(
            400, f"thinking.enabled.budget_tokens: Input should be greater than or equal to {MIN_BUDGET}", rid
        )
    return None  # budget vs max_tokens: sandbox/validate/rules_anthropic.py (the interleaving beta lifts it)


def _check_signatures(messages: list[Any], rid: str) -> Reply | None:
    """400 unless every thinking block sent back carries the signature the sandbox gave it."""
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") != "assistant" or not isinstance(m.get("content"), list):
            continue
        for j, block in enumerate(m["content"]):
            if not isinstance(block, dict) or block.get("type") != "thinking":
                continue
            if not T.verify_thinking(block.get("thinking", ""), block.get("signature")):
                return error(400, f"messages.{i}.content.{j}: Invalid signature in thinking block", rid)
    return None


def validate(call: Call) -> Reply | None:
    """The 400 reply for an invalid Messages request, or None when it is acceptable."""
    body, rid = call.body, call.request_id
    if not isinstance(body, dict):
        return error(400, "There was an error parsing the body of your request: expected a JSON object.", rid)
    if call.headers.get("anthropic-version", "").strip() == NEWEST_VERSION:
        for name in REMOVED_IN_NEWEST:
            if name in body:
                return error(400, f"{name}: Extra inputs are not permitted", rid)
    if not isinstance(body.get("model"), str) or not body["model"]:
        return error(400, "model: Field required", rid)
    if "max_tokens" not in body:
        return error(400, "max_tokens: Field required", rid)
    if not _is_int(body["max_tokens"]) or body["max_tokens"] < 1:
        return error(400, "max_tokens: Input should be greater than or equal to 1", rid)
    messages = body.get("messages")
    if messages is None:
        return error(400, "messages: Field required", rid)
    if not isinstance(messages, list) or not messages:
        return error(400, "messages: at least one message is required", rid)
    if (bad := _check_thinking(body, rid)) is not None:
        return bad
    config = body.get("output_config")
    effort = config.get("effort") if isinstance(config, dict) else None
    if effort is not None and effort not in EFFORTS:
        return error(
            400, "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'", rid
        )
    return _check_signatures(messages, rid)


# --- the answer ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """What the sandbox model will say for one request."""

    answer: str
    truncated: bool
    thinks: bool
    thinking: str  # the text shown ('' when display is omitted)
    signature: str
    input_tokens: int
    thinking_tokens: int
    calls: tuple[ToolCallPlan, ...] = ()
    refused: bool = False

    @property
    def output_tokens(self) -> int:
        called = sum(T.count_tokens(c.name + " " + c.arguments) for c in self.calls)
        return T.count_tokens(self.answer) + self.thinking_tokens + called

    @property
    def stop_reason(self) -> str:
        if self.refused:
            return "refusal"
        if self.calls:
            return "tool_use"
        return "max_tokens" if self.truncated else "end_turn"


def _effort(body: dict[str, Any]) -> str:
    config = body.get("output_config")
    effort = config.get("effort") if isinstance(config, dict) else None
    if effort:
        return str(effort)
    budget = body["thinking"].get("budget_tokens") if body["thinking"].get("type") == "enabled" else None
    if isinstance(budget, int):
        return next(
            e
            for floor, e in ((16384, "max"), (4096, "high"), (2048, "medium"), (0, "low"))
            if budget >= floor
        )
    return DEFAULT_EFFORT


def plan(body: dict[str, Any], headers: Mapping[str, str] | None = None) -> _Plan:
    """Decide the answer (or tool calls), thinking and token counts for a validated Messages request."""
    messages = body["messages"]
    view = AT.view(body, headers or {})
    question = view.question
    system = body.get("system")
    prompt = " ".join(
        [T.content_text(system), *(T.content_text(m.get("content")) for m in messages if isinstance(m, dict))]
    )
    calls = tuple(plan_calls(view))
    schema = AT.output_schema(body)
    refused = False
    if calls:
        text = ""
    elif schema is not None:
        text, refused = structured_answer(schema, question, view.results)
    elif view.results:
        text = answer_from_results(question, view.results)
    else:
        text = T.answer_text(question)
    answer, truncated = T.truncate_to_tokens(text, body["max_tokens"])
    thinking = body.get("thinking")
    thinks = isinstance(thinking, dict) and thinking.get("type") in ("adaptive", "enabled")
    if thinks and calls and AT.forced(body):  # forced tool use: the response begins with the call
        thinks = False
    if not thinks:
        tokens = max(1, T.count_tokens(prompt))
        return _Plan(answer, truncated, False, "", "", tokens, 0, calls, refused)
    assert isinstance(thinking, dict)
    reasoning = T.reasoning_text(question, _effort(body))
    omitted = thinking.get("display") == "omitted"
    shown = "" if omitted else reasoning
    signature = T.sign_thinking(reasoning, omitted=omitted)
    return _Plan(
        answer,
        truncated,
        True,
        shown,
        signature,
        max(1, T.count_tokens(prompt)),
        T.count_tokens(reasoning),
        calls,
        refused,
    )


def _usage(p: _Plan) -> dict[str, Any]:
    return {
        "input_tokens": p.input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "cache_creation": None,
        "output_tokens": p.output_tokens,
        "output_tokens_details": {"thinking_tokens": p.thinking_tokens} if p.thinks else None,
        "server_tool_use": None,
        "service_tier": "standard",
        "speed": "standard",
        "inference_geo": "global",
    }


_REFUSAL_DETAILS = {"type": "refusal", "category": None, "explanation": None}


def _message(
    call: Call, content: list[dict[str, Any]], stop_reason: str | None, usage: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": f"msg_{call.serial}",
        "type": "message",
        "role": "assistant",
        "model": call.body["model"],
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "stop_details": _REFUSAL_DETAILS if stop_reason == "refusal" else None,
        "container": None,
        "usage": usage,
    }


def build_message(call: Call, p: _Plan) -> dict[str, Any]:
    """The non-streaming `message` object."""
    content: list[dict[str, Any]] = []
    if p.thinks:
        content.append({"type": "thinking", "thinking": p.thinking, "signature": p.signature})
    if p.calls:
        content += AT.tool_use_blocks(call.serial, list(p.calls))
    else:
        content.append({"type": "text", "text": p.answer})
    return _message(call, content, p.stop_reason, _usage(p))


def stream_frames(call: Call, p: _Plan) -> list[bytes]:
    """The SSE frames of a streamed message, from `message_start` to `message_stop`."""
    frames: list[bytes] = []

    def emit(type_: str, **payload: Any) -> None:
        frames.append(sse_frame({"type": type_, **payload}, type_))

    start_usage = {
        "input_tokens": p.input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
    }
    first = {**_usage(p), "output_tokens": 1, "output_tokens_details": None}
    emit("message_start", message=_message(call, [], None, first))
    index = 0
    if p.thinks:
        emit(
            "content_block_start",
            index=0,
            content_block={"type": "thinking", "thinking": "", "signature": ""},
        )
        emit("ping")
        for piece in T.chunk_words(p.thinking):
            emit("content_block_delta", index=0, delta={"type": "thinking_delta", "thinking": piece})
        emit("content_block_delta", index=0, delta={"type": "signature_delta", "signature": p.signature})
        emit("content_block_stop", index=0)
        index = 1
    if p.calls:
        if not p.thinks:
            emit("ping")
        for event in AT.tool_use_frames(call.serial, list(p.calls), index):
            frames.append(sse_frame(event, event["type"]))
    else:
        emit("content_block_start", index=index, content_block={"type": "text", "text": ""})
        if not p.thinks:
            emit("ping")
        for piece in T.chunk_words(p.answer):
            emit("content_block_delta", index=index, delta={"type": "text_delta", "text": piece})
        emit("content_block_stop", index=index)
    usage: dict[str, Any] = {**start_usage, "output_tokens": p.output_tokens}
    if p.thinks:
        usage["output_tokens_details"] = {"thinking_tokens": p.thinking_tokens}
    details = _REFUSAL_DETAILS if p.refused else None
    delta = {"stop_reason": p.stop_reason, "stop_sequence": None, "stop_details": details}
    emit("message_delta", delta=delta, usage=usage)
    emit("message_stop")
    return frames


def messages(call: Call) -> Reply:
    """Handle `POST /v1/messages`."""
    if (bad := validate(call)) is not None:
        return bad
    p = plan(call.body, call.headers)
    if call.body.get("stream") is True:
        return Reply(events=stream_frames(call, p))
    return Reply(body=build_message(call, p))


ANTHROPIC = ProviderSpec(
    name="anthropic",
    routes={"/v1/messages": messages},
    request_id_header="request-id",
    check_auth=check_auth,
    error=error,
    fault=fault,
)
