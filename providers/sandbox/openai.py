"""OpenAI on the wire: `POST /v1/chat/completions` and `POST /v1/responses`, JSON and SSE.

Shapes follow openai-python 3.57.0 (see /work/shared/wire/chat.md §1 and delta-2026-11.md §2).
OpenAI-compatible vendors reuse these builders through a dialect (`ChatDialect`, `ResponsesDialect`):
what differs is where the reasoning goes, the usage fields, the stream framing and the error envelope;
each vendor's module keeps its own request checks (sandbox/deepseek.py, xai.py, mistral.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import openai_tools as OT
from . import text as T
from .tools import ToolCallPlan, ToolView, answer_from_results, plan_calls, structured_answer
from .wire import Call, ProviderSpec, Reply, sse_comment, sse_frame

__all__ = [
    "OPENAI",
    "ChatDialect",
    "Plan",
    "ResponsesDialect",
    "chat_completions",
    "chat_reply",
    "check_auth",
    "check_responses_request",
    "error",
    "fault",
    "plan",
    "respond",
    "responses",
]

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


ErrorFn = Callable[..., Reply]


def _check_common(call: Call, err: ErrorFn = error) -> Reply | None:
    body, rid = call.body, call.request_id
    if not isinstance(body, dict):
        return err(400, _BAD_JSON, rid)
    if not isinstance(body.get("model"), str) or not body["model"]:
        return err(400, "you must provide a model parameter", rid)
    return None


def _missing(name: str, rid: str, err: ErrorFn = error) -> Reply:
    message = f"Missing required parameter: '{name}'."
    return err(400, message, rid, param=name, code="missing_required_parameter")


def _empty(name: str, rid: str, err: ErrorFn = error) -> Reply:
    message = f"Invalid '{name}': empty array. Expected an array with minimum length 1, but got an empty array instead."
    return err(400, message, rid, param=name, code="empty_array")


def _bad_value(value: Any, allowed: tuple[str, ...], param: str, rid: str, err: ErrorFn = error) -> Reply:
    options = ", ".join(f"'{a}'" for a in allowed)
    message = f"Invalid value: '{value}'. Supported values are: {options}."
    return err(400, message, rid, param=param, code="invalid_value")


def _bad_limit(value: Any, param: str, rid: str, err: ErrorFn = error) -> Reply | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return None
    msg = f"Invalid '{param}': integer below minimum value. Expected a value >= 1, but got {value} instead."
    return err(400, msg, rid, param=param, code="integer_below_min_value")


@dataclass(frozen=True)
class Plan:
    """What the sandbox model will say for one request."""

    answer: str
    reasoning: str
    truncated: bool
    input_tokens: int
    reasoning_tokens: int
    calls: tuple[ToolCallPlan, ...] = ()  # tool calls instead of an answer
    refused: bool = False  # the answer is a refusal

    @property
    def output_tokens(self) -> int:
        called = sum(T.count_tokens(c.name + " " + c.arguments) for c in self.calls)
        return T.count_tokens(self.answer) + self.reasoning_tokens + called

    @property
    def finish(self) -> str:
        """The Chat Completions finish_reason."""
        return "tool_calls" if self.calls else "length" if self.truncated else "stop"


def plan(
    question: str,
    prompt: str,
    effort: str | None,
    limit: int | None,
    view: ToolView | None = None,
    schema: dict[str, Any] | None = None,
) -> Plan:
    """What the sandbox model says: the answer (cut to `limit` tokens) and, unless effort is None/none, reasoning.

    With tools offered (`view`) it may call them instead (sandbox/tools.py); with an output `schema` the
    answer is JSON that fits it."""
    calls = tuple(plan_calls(view)) if view is not None else ()
    refused = False
    if calls:
        answer = ""
    elif schema is not None:  # a structured answer, its numbers taken from the tool results if any
        answer, refused = structured_answer(schema, question, view.results if view is not None else [])
    elif view is not None and view.results:
        answer = answer_from_results(view.question or question, view.results)
    else:
        answer = T.answer_text(question)
    truncated = False
    if limit is not None:
        answer, truncated = T.truncate_to_tokens(answer, limit)
    thinks = effort is not None and effort != "none"
    reasoning = T.reasoning_text(question, effort) if thinks else ""
    tokens = max(1, T.count_tokens(prompt))
    return Plan(answer, reasoning, truncated, tokens, T.count_tokens(reasoning), calls, refused)


# --- Chat Completions ----------------------------------------------------------------------------


def _chat_usage(plan: Plan) -> dict[str, Any]:
    return {
        "prompt_tokens": plan.input_tokens,
        "completion_tokens": plan.output_tokens,
        "total_tokens": plan.input_tokens + plan.output_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": plan.reasoning_tokens}
        | dict.fromkeys(("audio_tokens", "accepted_prediction_tokens", "rejected_prediction_tokens"), 0),
    }


def _openai_message(plan: Plan) -> dict[str, Any]:
    if plan.refused:
        return {"content": None, "refusal": plan.answer, "annotations": []}
    return {"content": plan.answer if not plan.calls else None, "refusal": None, "annotations": []}


def _openai_deltas(plan: Plan) -> list[dict[str, Any]]:
    key = "refusal" if plan.refused else "content"
    return [{key: piece} for piece in T.chunk_words(plan.answer)]


@dataclass(frozen=True)
class ChatDialect:
    """How a vendor's Chat Completions replies differ from OpenAI's (shapes only; checks stay per vendor).

    `message` gives the assistant message fields beyond `role`, `deltas` the stream deltas after the role
    chunk, `usage` the usage object; `extra` adds top-level fields to every object; `role_delta` is the
    first delta; `usage_always` puts usage on the finishing chunk without `stream_options` (Mistral);
    `preamble` is sent before the first chunk and `keep_alive` after it (SSE comments, DeepSeek).
    """

    message: Callable[[Plan], dict[str, Any]] = _openai_message
    deltas: Callable[[Plan], list[dict[str, Any]]] = _openai_deltas
    usage: Callable[[Plan], dict[str, Any]] = _chat_usage
    extra: dict[str, Any] = field(
        default_factory=lambda: {"service_tier": "default", "system_fingerprint": None}
    )
    role_delta: dict[str, Any] = field(
        default_factory=lambda: {"role": "assistant", "content": "", "refusal": None}
    )
    choice_extra: dict[str, Any] = field(default_factory=lambda: {"logprobs": None})
    usage_always: bool = False
    preamble: tuple[bytes, ...] = ()
    keep_alive: bool = True
    whole_tool_calls: bool = False  # each streamed call complete in one delta (Mistral)
    call_id: Callable[[str, int], str] = OT.chat_call_id  # the vendor's call id form


OPENAI_CHAT = ChatDialect()


def build_chat_completion(call: Call, plan: Plan, dialect: ChatDialect = OPENAI_CHAT) -> dict[str, Any]:
    """The non-streaming `chat.completion` object."""
    message: dict[str, Any] = {"role": "assistant", **dialect.message(plan)}
    if plan.calls:
        message["tool_calls"] = OT.chat_tool_calls(call.serial, list(plan.calls), dialect.call_id)
    choice = {"index": 0, "message": message, **dialect.choice_extra, "finish_reason": plan.finish}
    return {
        "id": f"chatcmpl-{call.serial}",
        "object": "chat.completion",
        "created": call.created,
        "model": call.body["model"],
        "choices": [choice],
        "usage": dialect.usage(plan),
        **dialect.extra,
    }


def chat_stream_frames(call: Call, plan: Plan, dialect: ChatDialect = OPENAI_CHAT) -> list[bytes]:
    """The SSE frames of a streamed chat completion, ending in `data: [DONE]`."""
    opts = call.body.get("stream_options")
    include_usage = isinstance(opts, dict) and opts.get("include_usage") is True

    def chunk(choices: list[dict[str, Any]], usage: Any = None) -> bytes:
        data: dict[str, Any] = {"id": f"chatcmpl-{call.serial}", "object": "chat.completion.chunk"}
        data |= {"created": call.created, "model": call.body["model"], **dialect.extra, "choices": choices}
        if include_usage or usage is not None:
            data["usage"] = usage
        return sse_frame(data)

    def choice(delta: dict[str, Any], finish: str | None = None) -> list[dict[str, Any]]:
        return [{"index": 0, "delta": delta, **dialect.choice_extra, "finish_reason": finish}]

    frames = [*dialect.preamble, chunk(choice(dict(dialect.role_delta)))]
    if dialect.keep_alive:
        frames.append(sse_comment("keep-alive"))
    frames += [chunk(choice(delta)) for delta in dialect.deltas(plan)]
    tool_deltas = OT.chat_tool_deltas(
        call.serial, list(plan.calls), whole=dialect.whole_tool_calls, call_id=dialect.call_id
    )
    frames += [chunk(choice(delta)) for delta in tool_deltas]
    last_delta = {"content": ""} if dialect.usage_always else {}
    usage = dialect.usage(plan) if dialect.usage_always else None
    frames.append(chunk(choice(last_delta, plan.finish), usage))
    if include_usage and not dialect.usage_always:
        frames.append(chunk([], dialect.usage(plan)))
    frames.append(sse_frame("[DONE]"))
    return frames


def chat_reply(call: Call, plan: Plan, dialect: ChatDialect = OPENAI_CHAT) -> Reply:
    """A streamed or whole chat completion for `plan`, as the request asked (`stream: true`)."""
    if call.body.get("stream") is True:
        return Reply(events=chat_stream_frames(call, plan, dialect))
    return Reply(body=build_chat_completion(call, plan, dialect))


def chat_prompt(messages: list[Any]) -> tuple[str, str]:
    """The last user text and all text of a `messages` array (for the answer and the token count)."""
    prompt = " ".join(T.content_text(m.get("content")) for m in messages if isinstance(m, dict))
    return T.message_text(messages), prompt


def check_chat_request(call: Call, efforts: tuple[str, ...], err: ErrorFn = error) -> Reply | None:
    """The checks every Chat Completions dialect shares: JSON, model, messages, effort value, token limit."""
    if (bad := _check_common(call, err)) is not None:
        return bad
    body, rid = call.body, call.request_id
    messages = body.get("messages")
    if messages is None:
        return _missing("messages", rid, err)
    if not isinstance(messages, list) or not messages:
        return _empty("messages", rid, err)
    effort = body.get("reasoning_effort")
    if effort is not None and effort not in efforts:
        return _bad_value(effort, efforts, "reasoning_effort", rid, err)
    limit_name = "max_completion_tokens" if "max_completion_tokens" in body else "max_tokens"
    return _bad_limit(body.get(limit_name), limit_name, rid, err)


def chat_completions(call: Call) -> Reply:
    """Handle `POST /v1/chat/completions`."""
    if (bad := check_chat_request(call, EFFORTS)) is not None:
        return bad
    body = call.body
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    question, prompt = chat_prompt(body["messages"])
    view = OT.chat_view(body, call.headers)
    plan_ = plan(question, prompt, body.get("reasoning_effort"), limit, view, OT.chat_format(body))
    return chat_reply(call, plan_)


# --- Responses -----------------------------------------------------------------------------------


def _responses_input(inp: Any) -> tuple[str, str]:
    """The last user text and all input text of a Responses `input` (a string or a list of items)."""
    if isinstance(inp, str):
        return inp, inp
    items = [i for i in inp if isinstance(i, dict)]
    return T.message_text(items), " ".join(T.content_text(i.get("content")) for i in items)


def _check_reasoning_items(inp: Any, rid: str, err: ErrorFn = error) -> Reply | None:
    """400 when an input reasoning item carries `encrypted_content` the sandbox did not make."""
    for item in inp if isinstance(inp, list) else []:
        if isinstance(item, dict) and item.get("type") == "reasoning" and "encrypted_content" in item:
            blob = item["encrypted_content"]
            if blob is not None and T.decrypt_reasoning(blob) is None:
                message = f"The encrypted content for item {item.get('id')} could not be verified."
                return err(400, message, rid, code="invalid_encrypted_content")
    return None


def _responses_usage(plan: Plan) -> dict[str, Any]:
    return {
        "input_tokens": plan.input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": plan.output_tokens,
        "output_tokens_details": {"reasoning_tokens": plan.reasoning_tokens},
        "total_tokens": plan.input_tokens + plan.output_tokens,
    }


def _format(body: dict[str, Any]) -> Any:
    text = body.get("text")
    fmt = text.get("format") if isinstance(text, dict) else None
    return fmt if isinstance(fmt, dict) else {"type": "text"}


def build_response(call: Call, plan: Plan | None, output: list[Any], status: str) -> dict[str, Any]:
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
        "text": {"format": _format(body), "verbosity": "medium"},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools", []),
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": _responses_usage(plan) if plan is not None else None,
        "user": None,
        "metadata": body.get("metadata") or {},
    }


def _reasoning_item(call: Call, plan: Plan, summary: list[str]) -> dict[str, Any]:
    item: dict[str, Any] = {"id": f"rs_{call.serial}", "type": "reasoning", "summary": []}
    item["summary"] = [{"type": "summary_text", "text": text} for text in summary]
    include = call.body.get("include")
    if isinstance(include, list) and ENCRYPTED_INCLUDE in include:
        item["encrypted_content"] = T.encrypt_reasoning(plan.reasoning)
    return item


def _message_item(call: Call, text: str, status: str, refused: bool = False) -> dict[str, Any]:
    part: dict[str, Any] = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
    if refused:
        part = {"type": "refusal", "refusal": text}
    return {
        "id": f"msg_{call.serial}",
        "type": "message",
        "status": status,
        "role": "assistant",
        "phase": "final_answer",
        "content": [part] if status != "in_progress" else [],
    }


@dataclass(frozen=True)
class ResponsesDialect:
    """How a vendor's Responses API differs from OpenAI's: summaries honoured or not, its error envelope."""

    summaries: bool = True  # False: reasoning comes back encrypted only, whatever reasoning.summary says
    whole_calls: bool = False  # True: a call's arguments arrive in one delta (xAI)
    error: ErrorFn = error


OPENAI_RESPONSES = ResponsesDialect()


def _summary(call: Call, plan: Plan, dialect: ResponsesDialect) -> list[str]:
    """The summary parts: one, or for 'detailed' two when the reasoning has several sentences (as OpenAI
    splits longer summaries into parts, each sent back as its own summary_text)."""
    reasoning = call.body.get("reasoning")
    style = reasoning.get("summary") if isinstance(reasoning, dict) else None
    if not dialect.summaries or style not in SUMMARIES or not plan.reasoning:
        return []
    text = T.summary_text(plan.reasoning, style)
    first, _, rest = text.partition(". ")
    if style == "detailed" and rest:
        return [first + ".", rest]
    return [text]


def response_stream_frames(
    call: Call, plan: Plan, dialect: ResponsesDialect = OPENAI_RESPONSES
) -> list[bytes]:
    """The SSE frames of a streamed response, from `response.created` to `response.completed`."""
    frames: list[bytes] = []

    def emit(type_: str, **payload: Any) -> None:
        frames.append(sse_frame({"type": type_, "sequence_number": len(frames), **payload}, type_))

    emit("response.created", response=build_response(call, None, [], "in_progress"))
    emit("response.in_progress", response=build_response(call, None, [], "in_progress"))
    output: list[dict[str, Any]] = []
    if plan.reasoning:
        item = _reasoning_item(call, plan, _summary(call, plan, dialect))
        rs = {"item_id": item["id"], "output_index": 0}
        added = {"id": item["id"], "type": "reasoning", "summary": []}
        emit("response.output_item.added", output_index=0, item=added)
        for n, entry in enumerate(item["summary"]):
            summary = entry["text"]
            rs["summary_index"] = n
            emit("response.reasoning_summary_part.added", **rs, part={"type": "summary_text", "text": ""})
            for piece in T.chunk_words(summary):
                emit("response.reasoning_summary_text.delta", **rs, delta=piece)
            emit("response.reasoning_summary_text.done", **rs, text=summary)
            emit("response.reasoning_summary_part.done", **rs, part={"type": "summary_text", "text": summary})
        emit("response.output_item.done", output_index=0, item=item)
        output.append(item)
    status = "incomplete" if plan.truncated else "completed"
    for i, planned in enumerate(plan.calls):
        index = len(output)
        item = OT.function_call_item(call.serial, i, planned)
        at = {"item_id": item["id"], "output_index": index}
        emit(
            "response.output_item.added",
            output_index=index,
            item={**item, "arguments": "", "status": "in_progress"},
        )
        for piece in [planned.arguments] if dialect.whole_calls else OT.split_arguments(planned.arguments):
            emit("response.function_call_arguments.delta", **at, delta=piece)
        emit("response.function_call_arguments.done", **at, arguments=planned.arguments)
        emit("response.output_item.done", output_index=index, item=item)
        output.append(item)
    if not plan.calls:
        output.append(_stream_message(call, plan, len(output), status, emit))
    emit(f"response.{status}", response=build_response(call, plan, output, status))
    return frames


def _stream_message(
    call: Call, plan: Plan, index: int, status: str, emit: Callable[..., None]
) -> dict[str, Any]:
    """The frames of the answer's message item (output_text, or a refusal); returns the finished item."""
    msg = _message_item(call, plan.answer, status, plan.refused)
    at = {"item_id": msg["id"], "output_index": index, "content_index": 0}
    emit("response.output_item.added", output_index=index, item=_message_item(call, "", "in_progress"))
    if plan.refused:
        part: dict[str, Any] = {"type": "refusal", "refusal": ""}
        emit("response.content_part.added", **at, part=part)
        for piece in T.chunk_words(plan.answer):
            emit("response.refusal.delta", **at, delta=piece)
        emit("response.refusal.done", **at, refusal=plan.answer)
        emit("response.content_part.done", **at, part={**part, "refusal": plan.answer})
    else:
        part = {"type": "output_text", "text": "", "annotations": []}
        emit("response.content_part.added", **at, part=part)
        for piece in T.chunk_words(plan.answer):
            emit("response.output_text.delta", **at, delta=piece, logprobs=[])
        emit("response.output_text.done", **at, text=plan.answer, logprobs=[])
        emit("response.content_part.done", **at, part={**part, "text": plan.answer})
    emit("response.output_item.done", output_index=index, item=msg)
    return msg


def check_responses_request(
    call: Call, efforts: tuple[str, ...], dialect: ResponsesDialect = OPENAI_RESPONSES
) -> Reply | None:
    """The checks every Responses dialect shares: JSON, model, input, effort/summary values, limit, signatures."""
    err = dialect.error
    if (bad := _check_common(call, err)) is not None:
        return bad
    body, rid = call.body, call.request_id
    inp = body.get("input")
    if inp is None:
        return _missing("input", rid, err)
    if not isinstance(inp, str | list) or not inp:
        return _empty("input", rid, err)
    reasoning = body.get("reasoning")
    reasoning = reasoning if isinstance(reasoning, dict) else {}
    effort, summary = reasoning.get("effort"), reasoning.get("summary")
    if effort is not None and effort not in efforts:
        return _bad_value(effort, efforts, "reasoning.effort", rid, err)
    if summary is not None and summary not in SUMMARIES:
        return _bad_value(summary, SUMMARIES, "reasoning.summary", rid, err)
    if (bad := _bad_limit(body.get("max_output_tokens"), "max_output_tokens", rid, err)) is not None:
        return bad
    return _check_reasoning_items(inp, rid, err)


def respond(call: Call, effort: str | None, dialect: ResponsesDialect = OPENAI_RESPONSES) -> Reply:
    """A streamed or whole response for a checked request, the model reasoning at `effort`."""
    body = call.body
    question, prompt = _responses_input(body["input"])
    instructions = body.get("instructions")
    prompt = f"{instructions} {prompt}" if isinstance(instructions, str) else prompt
    view = OT.responses_view(body, call.headers)
    plan_ = plan(question, prompt, effort, body.get("max_output_tokens"), view, OT.responses_format(body))
    if body.get("stream") is True:
        return Reply(events=response_stream_frames(call, plan_, dialect))
    status = "incomplete" if plan_.truncated else "completed"
    output = [_reasoning_item(call, plan_, _summary(call, plan_, dialect))] if plan_.reasoning else []
    output += [OT.function_call_item(call.serial, i, c) for i, c in enumerate(plan_.calls)]
    if not plan_.calls:
        output.append(_message_item(call, plan_.answer, status, plan_.refused))
    return Reply(body=build_response(call, plan_, output, status))


def responses(call: Call) -> Reply:
    """Handle `POST /v1/responses`."""
    if (bad := check_responses_request(call, EFFORTS)) is not None:
        return bad
    reasoning = call.body.get("reasoning")
    return respond(call, reasoning.get("effort") if isinstance(reasoning, dict) else None)


OPENAI = ProviderSpec(
    name="openai",
    routes={"/v1/chat/completions": chat_completions, "/v1/responses": responses},
    request_id_header="x-request-id",
    check_auth=check_auth,
    error=error,
    fault=fault,
)
