"""OpenAI on the wire: `POST /v1/chat/completions` and `POST /v1/responses`, JSON and SSE.

Shapes follow openai-python 3.57.0 (see /work/shared/wire/chat.md §1 and delta-2026-11.md §2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import text as T
from .wire import Call, ProviderSpec, Reply, sse_comment, sse_frame

__all__ = ["OPENAI", "chat_completions", "check_auth", "error", "fault", "responses"]

EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
SUMMARIES = ("auto", "concise", "detailed")
ENCRYPTED_INCLUDE = "reasoning.encrypted_content"
_BAD_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your "
    "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
)
_TYPE_FOR_STATUS = {429: "requests"}


def error(
    status: int,
    message: str,
    request_id: str,
    *,
    type_: str | None = None,
    code: str | None = None,
    param: str | None = None,
) -> Reply:
    """An error reply in OpenAI's envelope `{"error": {message, type, param, code}}`."""
    etype = type_ or _TYPE_FOR_STATUS.get(
        status, "server_error" if status >= 500 else "invalid_request_error"
    )
    body = {"error": {"message": message, "type": etype, "param": param, "code": code}}
    return Reply(status=status, body=body)


def check_auth(headers: Mapping[str, str], request_id: str) -> Reply | None:
    """None when a non-empty Bearer token is present, else OpenAI's 401 (the key is never echoed)."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return None
    message = (
        "You didn't provide an API key. You need to provide your API key in an Authorization header "
        "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
    )
    return error(401, message, request_id, code="invalid_api_key")


_FAULTS: dict[int, tuple[str, str, str | None]] = {
    429: ("Rate limit reached for requests (sandbox fault).", "requests", "rate_limit_exceeded"),
    500: ("The server had an error while processing your request. Sorry about that!", "server_error", None),
    503: ("The server is overloaded or not ready yet.", "server_error", None),
    529: ("The engine is currently overloaded, please try again later.", "server_error", "overloaded"),
}


def fault(status: int, request_id: str) -> Reply:
    """The error reply for an injected status fault (429, 500, 503, 529)."""
    message, etype, code = _FAULTS.get(status, _FAULTS[500])
    return error(status, message, request_id, type_=etype, code=code)


# --- shared checks ------------------------------------------------------------------------------


def _check_common(call: Call) -> Reply | None:
    body, rid = call.body, call.request_id
    if not isinstance(body, dict):
        return error(400, _BAD_JSON, rid)
    if not isinstance(body.get("model"), str) or not body["model"]:
        return error(400, "you must provide a model parameter", rid)
    return None


def _missing(name: str, rid: str) -> Reply:
    message = f"Missing required parameter: '{name}'."
    return error(400, message, rid, param=name, code="missing_required_parameter")


def _empty(name: str, rid: str) -> Reply:
    message = f"Invalid '{name}': empty array. Expected an array with minimum length 1, but got an empty array instead."
    return error(400, message, rid, param=name, code="empty_array")


def _bad_value(value: Any, allowed: tuple[str, ...], param: str, rid: str) -> Reply:
    options = ", ".join(f"'{a}'" for a in allowed)
    message = f"Invalid value: '{value}'. Supported values are: {options}."
    return error(400, message, rid, param=param, code="invalid_value")


def _bad_limit(value: Any, param: str, rid: str) -> Reply | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return None
    msg = f"Invalid '{param}': integer below minimum value. Expected a value >= 1, but got {value} instead."
    return error(400, msg, rid, param=param, code="integer_below_min_value")


@dataclass(frozen=True)
class _Plan:
    """What the sandbox model will say for one request."""

    answer: str
    reasoning: str
    truncated: bool
    input_tokens: int
    reasoning_tokens: int

    @property
    def output_tokens(self) -> int:
        return T.count_tokens(self.answer) + self.reasoning_tokens


def _plan(question: str, prompt: str, effort: str | None, limit: int | None) -> _Plan:
    answer, truncated = T.answer_text(question), False
    if limit is not None:
        answer, truncated = T.truncate_to_tokens(answer, limit)
    thinks = effort is not None and effort != "none"
    reasoning = T.reasoning_text(question, effort) if thinks else ""
    return _Plan(answer, reasoning, truncated, max(1, T.count_tokens(prompt)), T.count_tokens(reasoning))


# --- Chat Completions ----------------------------------------------------------------------------


def _chat_usage(plan: _Plan) -> dict[str, Any]:
    return {
        "prompt_tokens": plan.input_tokens,
        "completion_tokens": plan.output_tokens,
        "total_tokens": plan.input_tokens + plan.output_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": plan.reasoning_tokens}
        | dict.fromkeys(("audio_tokens", "accepted_prediction_tokens", "rejected_prediction_tokens"), 0),
    }


def build_chat_completion(call: Call, plan: _Plan) -> dict[str, Any]:
    """The non-streaming `chat.completion` object."""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": plan.answer,
        "refusal": None,
        "annotations": [],
    }
    finish = "length" if plan.truncated else "stop"
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
    return {
        "id": f"chatcmpl-{call.serial}",
        "object": "chat.completion",
        "created": call.created,
        "model": call.body["model"],
        "choices": [choice],
        "usage": _chat_usage(plan),
        "service_tier": "default",
        "system_fingerprint": None,
    }


def chat_stream_frames(call: Call, plan: _Plan) -> list[bytes]:
    """The SSE frames of a streamed chat completion, ending in `data: [DONE]`."""
    opts = call.body.get("stream_options")
    include_usage = isinstance(opts, dict) and opts.get("include_usage") is True

    def chunk(choices: list[dict[str, Any]], usage: Any = None) -> bytes:
        data: dict[str, Any] = {"id": f"chatcmpl-{call.serial}", "object": "chat.completion.chunk"}
        data |= {"created": call.created, "model": call.body["model"], "service_tier": "default"}
        data |= {"system_fingerprint": None, "choices": choices}
        if include_usage:
            data["usage"] = usage
        return sse_frame(data)

    def choice(delta: dict[str, Any], finish: str | None = None) -> list[dict[str, Any]]:
        return [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]

    frames = [chunk(choice({"role": "assistant", "content": "", "refusal": None})), sse_comment("keep-alive")]
    frames += [chunk(choice({"content": piece})) for piece in T.chunk_words(plan.answer)]
    frames.append(chunk(choice({}, "length" if plan.truncated else "stop")))
    if include_usage:
        frames.append(chunk([], _chat_usage(plan)))
    frames.append(sse_frame("[DONE]"))
    return frames


def chat_completions(call: Call) -> Reply:
    """Handle `POST /v1/chat/completions`."""
    if (bad := _check_common(call)) is not None:
        return bad
    body, rid = call.body, call.request_id
    messages = body.get("messages")
    if messages is None:
        return _missing("messages", rid)
    if not isinstance(messages, list) or not messages:
        return _empty("messages", rid)
    effort = body.get("reasoning_effort")
    if effort is not None and effort not in EFFORTS:
        return _bad_value(effort, EFFORTS, "reasoning_effort", rid)
    limit_name = "max_completion_tokens" if "max_completion_tokens" in body else "max_tokens"
    if (bad := _bad_limit(body.get(limit_name), limit_name, rid)) is not None:
        return bad
    prompt = " ".join(T.content_text(m.get("content")) for m in messages if isinstance(m, dict))
    plan = _plan(T.message_text(messages), prompt, effort, body.get(limit_name))
    if body.get("stream") is True:
        return Reply(events=chat_stream_frames(call, plan))
    return Reply(body=build_chat_completion(call, plan))


# --- Responses -----------------------------------------------------------------------------------


def _responses_input(inp: Any) -> tuple[str, str]:
    """The last user text and all input text of a Responses `input` (a string or a list of items)."""
    if isinstance(inp, str):
        return inp, inp
    items = [i for i in inp if isinstance(i, dict)]
    return T.message_text(items), " ".join(T.content_text(i.get("content")) for i in items)


def _check_reasoning_items(inp: Any, rid: str) -> Reply | None:
    """400 when an input reasoning item carries `encrypted_content` the sandbox did not make."""
    for item in inp if isinstance(inp, list) else []:
        if isinstance(item, dict) and item.get("type") == "reasoning" and "encrypted_content" in item:
            blob = item["encrypted_content"]
            if blob is not None and T.decrypt_reasoning(blob) is None:
                message = f"The encrypted content for item {item.get('id')} could not be verified."
                return error(400, message, rid, code="invalid_encrypted_content")
    return None


def _responses_usage(plan: _Plan) -> dict[str, Any]:
    return {
        "input_tokens": plan.input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": plan.output_tokens,
        "output_tokens_details": {"reasoning_tokens": plan.reasoning_tokens},
        "total_tokens": plan.input_tokens + plan.output_tokens,
    }


def build_response(call: Call, plan: _Plan | None, output: list[Any], status: str) -> dict[str, Any]:
    """A `response` object; `plan=None` gives the in-progress form (no usage yet)."""
    body = call.body
    reasoning = body.get("reasoning") if isinstance(body.get("reasoning"), dict) else {}
    incomplete = {"reason": "max_output_tokens"} if status == "incomplete" else None
    return {
        "id": f"resp_{call.serial}",
        "object": "response",
        "created_at": call.created,
        "status": status,
        "background": False,
        "error": None,
        "incomplete_details": incomplete,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "model": body["model"],
        "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": body.get("previous_response_id"),
        "reasoning": {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")},
        "service_tier": "default",
        "store": body.get("store", True),
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools", []),
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": _responses_usage(plan) if plan is not None else None,
        "user": None,
        "metadata": body.get("metadata") or {},
    }


def _reasoning_item(call: Call, plan: _Plan, summary: str) -> dict[str, Any]:
    item: dict[str, Any] = {"id": f"rs_{call.serial}", "type": "reasoning", "summary": []}
    if summary:
        item["summary"] = [{"type": "summary_text", "text": summary}]
    include = call.body.get("include")
    if isinstance(include, list) and ENCRYPTED_INCLUDE in include:
        item["encrypted_content"] = T.encrypt_reasoning(plan.reasoning)
    return item


def _message_item(call: Call, text: str, status: str) -> dict[str, Any]:
    part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
    return {
        "id": f"msg_{call.serial}",
        "type": "message",
        "status": status,
        "role": "assistant",
        "phase": "final_answer",
        "content": [part] if status != "in_progress" else [],
    }


def _summary(call: Call, plan: _Plan) -> str:
    reasoning = call.body.get("reasoning")
    style = reasoning.get("summary") if isinstance(reasoning, dict) else None
    return T.summary_text(plan.reasoning, style) if style in SUMMARIES and plan.reasoning else ""


def response_stream_frames(call: Call, plan: _Plan) -> list[bytes]:
    """The SSE frames of a streamed response, from `response.created` to `response.completed`."""
    frames: list[bytes] = []

    def emit(type_: str, **payload: Any) -> None:
        frames.append(sse_frame({"type": type_, "sequence_number": len(frames), **payload}, type_))

    emit("response.created", response=build_response(call, None, [], "in_progress"))
    emit("response.in_progress", response=build_response(call, None, [], "in_progress"))
    output: list[dict[str, Any]] = []
    if plan.reasoning:
        item = _reasoning_item(call, plan, _summary(call, plan))
        rs = {"item_id": item["id"], "output_index": 0}
        added = {"id": item["id"], "type": "reasoning", "summary": []}
        emit("response.output_item.added", output_index=0, item=added)
        if item["summary"]:
            summary = item["summary"][0]["text"]
            rs["summary_index"] = 0
            emit("response.reasoning_summary_part.added", **rs, part={"type": "summary_text", "text": ""})
            for piece in T.chunk_words(summary):
                emit("response.reasoning_summary_text.delta", **rs, delta=piece)
            emit("response.reasoning_summary_text.done", **rs, text=summary)
            emit("response.reasoning_summary_part.done", **rs, part={"type": "summary_text", "text": summary})
        emit("response.output_item.done", output_index=0, item=item)
        output.append(item)
    index, status = len(output), "incomplete" if plan.truncated else "completed"
    msg = _message_item(call, plan.answer, status)
    at = {"item_id": msg["id"], "output_index": index, "content_index": 0}
    emit("response.output_item.added", output_index=index, item=_message_item(call, "", "in_progress"))
    part = {"type": "output_text", "text": "", "annotations": []}
    emit("response.content_part.added", **at, part=part)
    for piece in T.chunk_words(plan.answer):
        emit("response.output_text.delta", **at, delta=piece, logprobs=[])
    emit("response.output_text.done", **at, text=plan.answer, logprobs=[])
    emit("response.content_part.done", **at, part={**part, "text": plan.answer})
    emit("response.output_item.done", output_index=index, item=msg)
    output.append(msg)
    emit(f"response.{status}", response=build_response(call, plan, output, status))
    return frames


def responses(call: Call) -> Reply:
    """Handle `POST /v1/responses`."""
    if (bad := _check_common(call)) is not None:
        return bad
    body, rid = call.body, call.request_id
    inp = body.get("input")
    if inp is None:
        return _missing("input", rid)
    if not isinstance(inp, str | list) or not inp:
        return _empty("input", rid)
    reasoning = body.get("reasoning")
    reasoning = reasoning if isinstance(reasoning, dict) else {}
    effort, summary = reasoning.get("effort"), reasoning.get("summary")
    if effort is not None and effort not in EFFORTS:
        return _bad_value(effort, EFFORTS, "reasoning.effort", rid)
    if summary is not None and summary not in SUMMARIES:
        return _bad_value(summary, SUMMARIES, "reasoning.summary", rid)
    if (bad := _bad_limit(body.get("max_output_tokens"), "max_output_tokens", rid)) is not None:
        return bad
    if (bad := _check_reasoning_items(inp, rid)) is not None:
        return bad
    question, prompt = _responses_input(inp)
    instructions = body.get("instructions")
    prompt = f"{instructions} {prompt}" if isinstance(instructions, str) else prompt
    plan = _plan(question, prompt, effort, body.get("max_output_tokens"))
    if body.get("stream") is True:
        return Reply(events=response_stream_frames(call, plan))
    status = "incomplete" if plan.truncated else "completed"
    output = [_reasoning_item(call, plan, _summary(call, plan))] if plan.reasoning else []
    output.append(_message_item(call, plan.answer, status))
    return Reply(body=build_response(call, plan, output, status))


OPENAI = ProviderSpec(
    name="openai",
    routes={"/v1/chat/completions": chat_completions, "/v1/responses": responses},
    request_id_header="x-request-id",
    check_auth=check_auth,
    error=error,
    fault=fault,
)
