"""Gemini API and Vertex AI on the wire: `:generateContent` and `:streamGenerateContent?alt=sse`.

Shapes follow google-genai 3.6.1 and Google's REST docs (wire/chat.md section 3, delta section 3):
camelCase JSON, thought parts (`thought: true`) with `thoughtSignature`, `usageMetadata` with
`thoughtsTokenCount` kept out of `candidatesTokenCount`, data-only SSE chunks separated by CRLF pairs
with no `[DONE]`, Google RPC error JSON. Hosts: generativelanguage.googleapis.com (x-goog-api-key) and
the Vertex hosts -- `aiplatform.googleapis.com` (global, express), `{region}-aiplatform.googleapis.com`,
`aiplatform.{eu|us}.rep.googleapis.com` -- each of which must match the location in the path.

Sandbox choices, where Google's behaviour is not pinned down:
* Gemini 3 models put the signature on the first answer part (in a stream: an empty text part in the
  last chunk); 2.5 models put it on the thought part. Every signature signs the text of its part, and a
  signature sent back must match it (a missing one is accepted, as Gemini does outside function calling).
* `thinkingLevel` must be an upper-case level the model accepts; MINIMAL still thinks a little.
* A prompt containing `sandbox:block-prompt` is blocked (promptFeedback.blockReason SAFETY); one
  containing `sandbox:safety-stop` is answered with finishReason SAFETY and no content.
* An API key equal to `sandbox-invalid-key` gets Gemini's 400 API_KEY_INVALID. Google never answers
  529: a 529 fault comes back as 503 UNAVAILABLE.
* Tools and structured output: sandbox/gemini_tools.py (calls whole, the first signed on Gemini 3;
  a signature on a call must be the sandbox's own for that call or a documented dummy).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import gemini_tools as GT
from . import text as T
from .gemini_models import _check_thinking, _Model, _model
from .tools import ToolCallPlan, answer_from_results, plan_calls, structured_answer
from .wire import Call, ProviderSpec, Reply, dumps

__all__ = ["GEMINI", "VERTEX", "check_gemini_auth", "check_vertex_auth", "error", "fault", "generate"]

METHODS = ("generateContent", "streamGenerateContent")
VERSIONS = {"gemini": ("v1", "v1beta", "v1alpha"), "vertex": ("v1", "v1beta1")}
BLOCK_MARK = "sandbox:block-prompt"
SAFETY_MARK = "sandbox:safety-stop"
INVALID_KEY = "sandbox-invalid-key"  # (not a common word: every key is registered for redaction)
_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_DATA_KEYS = (
    "text",
    "inlineData",
    "inline_data",
    "fileData",
    "file_data",
    "functionCall",
    "function_call",
    "functionResponse",
    "function_response",
    "executableCode",
    "codeExecutionResult",
)
_TOP_LEVEL = {
    "contents",
    "systemInstruction",
    "system_instruction",
    "generationConfig",
    "generation_config",
    "safetySettings",
    "safety_settings",
    "tools",
    "toolConfig",
    "tool_config",
    "cachedContent",
    "cached_content",
    "labels",
}
# retired names this door answers with 404 (wire/models.md "Already shut down"; Vertex dates per door)
_GONE = {
    "gemini": re.compile(r"^gemini-(1\.|2\.0-|3-pro-preview|3\.1-flash-lite-preview)"),
    "vertex": re.compile(r"^gemini-(1\.|2\.0-|2\.5-|3-pro-preview|3\.1-flash-lite-preview|3\.6-flash$)"),
}


def error(
    status: int,
    message: str,
    request_id: str,
    *,
    status_name: str | None = None,
    reason: str | None = None,
    retry_delay: str | None = None,
    **_: Any,
) -> Reply:
    """An error reply in Google's RPC status envelope `{"error": {code, message, status, details}}`."""
    err: dict[str, Any] = {
        "code": status,
        "message": message,
        "status": status_name or _STATUS.get(status, "INTERNAL" if status >= 500 else "INVALID_ARGUMENT"),
    }
    details: list[dict[str, Any]] = []
    if reason:
        details.append(
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
            }
        )
    if retry_delay:
        details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay})
    if details:
        err["details"] = details
    return Reply(status=status, body={"error": err})


def fault(status: int, request_id: str) -> Reply:
    """The error reply for an injected status fault (Google has no 529: it becomes 503)."""
    if status == 429:
        return error(
            429,
            "Resource has been exhausted (e.g. check quota). (sandbox fault)",
            request_id,
            retry_delay="1s",
        )
    if status in (503, 529):
        return error(503, "The model is overloaded. Please try again later. (sandbox fault)", request_id)
    return error(500, "An internal error has occurred. Please retry. (sandbox fault)", request_id)


def check_gemini_auth(headers: Mapping[str, str], request_id: str) -> Reply | None:
    """None when an API key (or a Bearer token) is present; Gemini's own errors otherwise."""
    key = headers.get("x-goog-api-key", "").strip()
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if key == INVALID_KEY:
        return error(
            400, "API key not valid. Please pass a valid API key.", request_id, reason="API_KEY_INVALID"
        )
    if key or (scheme.lower() == "bearer" and token.strip()):
        return None
    return error(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). "
        "Please use API Key or other form of API consumer identity to call this API.",
        request_id,
    )


def check_vertex_auth(headers: Mapping[str, str], request_id: str) -> Reply | None:
    """None when a Bearer token or an express-mode API key is present, else Vertex's 401."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if (scheme.lower() == "bearer" and token.strip()) or headers.get("x-goog-api-key", "").strip():
        return None
    return error(
        401,
        "Request is missing required authentication credential. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential.",
        request_id,
    )


# --- validation -----------------------------------------------------------------------------------


def _get(obj: Mapping[str, Any], camel: str, snake: str) -> Any:
    return obj.get(camel, obj.get(snake))


def _check_parts(contents: list[Any], rid: str) -> Reply | None:
    for i, content in enumerate(contents):
        if not isinstance(content, dict):
            return error(400, f"Invalid value at 'contents[{i}]': expected an object", rid)
        role = content.get("role")
        if role not in (None, "user", "model", "function"):
            return error(400, f"Please use a valid role: user, model. (got {role!r} in contents[{i}])", rid)
        parts = content.get("parts")
        if not isinstance(parts, list) or not parts:
            return error(
                400, f"* GenerateContentRequest.contents[{i}].parts: contents.parts must not be empty.", rid
            )
        for j, part in enumerate(parts):
            data = [k for k in _DATA_KEYS if isinstance(part, dict) and k in part]
            signature = (
                _get(part, "thoughtSignature", "thought_signature") if isinstance(part, dict) else None
            )
            if len(data) != 1:
                return error(
                    400,
                    f"contents[{i}].parts[{j}] must have exactly one data field (text, inlineData, ...)",
                    rid,
                )
            if data[0] in ("functionCall", "function_call") and role != "model":
                return error(400, f"contents[{i}].parts[{j}]: a function call belongs in a model turn", rid)
            if signature is None:
                continue
            if isinstance(signature, str) and signature not in GT.DUMMY_SIGNATURES:
                # bytes in proto3 JSON: standard or URL-safe base64 (google-genai sends URL-safe)
                signature = signature.replace("-", "+").replace("_", "/")
            if role != "model":
                return error(400, f"contents[{i}].parts[{j}]: thought signatures belong on model turns", rid)
            if data[0] in ("functionCall", "function_call"):
                if GT.call_signature_ok(part[data[0]], signature):
                    continue
                return error(
                    400,
                    f"Thought signature is not valid (contents[{i}].parts[{j}]); send it back unchanged.",
                    rid,
                )
            if data[0] != "text" or not _signature_ok(str(part.get("text", "")), signature):
                return error(
                    400,
                    f"Thought signature is not valid (contents[{i}].parts[{j}]); send it back unchanged.",
                    rid,
                )
    return None


def _signature_ok(text: str, signature: Any) -> bool:
    """A signature must sign its part's text; on an empty part (a stream's last chunk, sent back as it
    came) it must at least be one the sandbox made."""
    if text:
        return T.verify_thinking(text, signature)
    try:
        raw = base64.b64decode(str(signature), validate=True)
    except (binascii.Error, ValueError):
        return False
    return raw.startswith(b"sbx1") and len(raw) == 37


def _vertex_host_ok(host: str, location: str | None) -> bool:
    if not host.endswith(".googleapis.com"):
        return True  # served on 127.0.0.1 under /vertex: no host to check
    if location is None or location == "global":
        return host == "aiplatform.googleapis.com"
    if location in ("eu", "us"):
        return host == f"aiplatform.{location}.rep.googleapis.com"
    return host == f"{location}-aiplatform.googleapis.com"


def validate(door: str, call: Call) -> tuple[Reply | None, _Model | None]:
    """(the 400/404 reply for a bad request, None) or (None, the model's capabilities)."""
    body, rid, params = call.body, call.request_id, call.params
    model = params.get("model", "")
    if params.get("version") not in VERSIONS[door] or params.get("method") not in METHODS:
        return error(
            404,
            f"The requested URL /{params.get('version')}/...:{params.get('method')} was not found on this server.",
            rid,
        ), None
    host = call.headers.get("host", "").rsplit(":", 1)[0].lower()
    if door == "vertex" and not _vertex_host_ok(host, params.get("location")):
        where = params.get("location") or "express mode (global)"
        return error(400, f"Host {host} does not serve location {where} (sandbox check).", rid), None
    spec = _model(model)
    if spec is None or _GONE[door].match(model):
        scope = f"projects/{params['project']}/locations/{params['location']}/" if "project" in params else ""
        what = (
            f"Publisher Model `{scope}publishers/google/models/{model}` was not found "
            "or your project does not have access to it."
            if door == "vertex"
            else f"models/{model} is not found for API version {params.get('version')}, "
            "or is not supported for generateContent."
        )
        return error(404, what, rid), None
    if not isinstance(body, dict):
        return error(400, "Invalid JSON payload received.", rid), None
    unknown = sorted(set(body) - _TOP_LEVEL)
    if unknown:
        return error(
            400, f'Invalid JSON payload received. Unknown name "{unknown[0]}": Cannot find field.', rid
        ), None
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        return error(400, "* GenerateContentRequest.contents: contents is not specified", rid), None
    if (bad := _check_parts(contents, rid)) is not None:
        return bad, None
    if (problem := GT.response_problem(contents)) is not None:
        return error(400, problem, rid), None
    config = _get(body, "generationConfig", "generation_config") or {}
    if not isinstance(config, dict):
        return error(400, "Invalid value at 'generation_config'", rid), None
    json_schema = _get(config, "responseJsonSchema", "response_json_schema")
    if json_schema is not None and _get(config, "responseSchema", "response_schema") is not None:
        return error(
            400, "response_schema and response_json_schema cannot both be set (sandbox wording).", rid
        ), None
    if (
        json_schema is not None
        and _get(config, "responseMimeType", "response_mime_type") != "application/json"
    ):
        return error(
            400,
            "response_mime_type must be application/json when a response schema is set (sandbox wording).",
            rid,
        ), None
    max_out = _get(config, "maxOutputTokens", "max_output_tokens")
    if max_out is not None and (not isinstance(max_out, int) or isinstance(max_out, bool) or max_out < 1):
        return error(400, "Invalid value at 'generation_config.max_output_tokens'", rid), None
    thinking = _get(config, "thinkingConfig", "thinking_config")
    return _check_thinking(model, spec, thinking, rid), spec


# --- the answer -----------------------------------------------------------------------------------


def _texts(content: Any) -> list[str]:
    parts = content.get("parts") if isinstance(content, dict) else None
    return [
        p["text"]
        for p in parts or []
        if isinstance(p, dict) and isinstance(p.get("text"), str) and not p.get("thought")
    ]


@dataclass(frozen=True)
class _Plan:
    model: str
    answer: str
    finish: str
    reasoning: str  # '' when the model did not think
    show_thoughts: bool
    signature_on_answer: bool  # Gemini 3; 2.5 signs its thought part
    prompt_tokens: int
    blocked: bool = False
    calls: tuple[ToolCallPlan, ...] = ()
    call_ids: bool = False  # Vertex gives calls an id (a sandbox choice, see gemini_tools.py)

    @property
    def thought_tokens(self) -> int:
        return T.count_tokens(self.reasoning) if self.reasoning else 0

    @property
    def answer_tokens(self) -> int:
        called = sum(T.count_tokens(c.name + " " + c.arguments) for c in self.calls)
        return T.count_tokens(self.answer) + called


def _effort_for_budget(budget: int) -> str:
    return next(
        e
        for floor, e in ((16384, "high"), (4096, "medium"), (1024, "low"), (0, "minimal"))
        if budget >= floor
    )


def plan(call: Call, spec: _Model, door: str = "gemini") -> _Plan:
    """Decide the answer (or calls), thoughts and token counts for a validated request."""
    body = call.body
    contents = body["contents"]
    view = GT.view(body, call.headers)
    question = view.question
    system = _get(body, "systemInstruction", "system_instruction")
    prompt = " ".join([*_texts(system), *(t for c in contents for t in _texts(c))])
    config = _get(body, "generationConfig", "generation_config") or {}
    thinking = _get(config, "thinkingConfig", "thinking_config") or {}
    level = _get(thinking, "thinkingLevel", "thinking_level")
    budget = _get(thinking, "thinkingBudget", "thinking_budget")
    effort: str | None
    if spec.levels:
        if level:
            effort = str(level).lower()
        elif budget is not None:  # Gemini 3 still takes a budget, read as a level
            effort = "medium" if budget < 0 else _effort_for_budget(budget)
        else:
            effort = (spec.default_level or "MEDIUM").lower()
    elif budget is None:
        effort = "medium" if spec.thinks_by_default else None
    else:
        effort = None if budget == 0 else ("medium" if budget < 0 else _effort_for_budget(budget))
    reasoning = T.reasoning_text(question, effort) if effort else ""
    calls = tuple(plan_calls(view))
    schema = GT.output_schema(config)
    finish = "STOP"
    if calls:
        answer = ""
    elif schema is not None:
        answer, refused = structured_answer(schema, question, view.results)
        if refused:  # Gemini has no refusal field: a refusal is a SAFETY stop without content
            answer, finish = "", "SAFETY"
    elif view.results:
        answer = answer_from_results(question, view.results)
    else:
        answer = T.answer_text(question)
    if SAFETY_MARK in question:
        answer, finish = "", "SAFETY"
    max_out = _get(config, "maxOutputTokens", "max_output_tokens")
    if isinstance(max_out, int) and answer:
        room = max(0, max_out - (T.count_tokens(reasoning) if reasoning else 0))  # thoughts count too
        answer, cut = T.truncate_to_tokens(answer, room) if room else ("", True)
        finish = "MAX_TOKENS" if cut else finish
    return _Plan(
        model=call.params.get("model", ""),
        answer=answer,
        finish=finish,
        reasoning=reasoning,
        show_thoughts=bool(_get(thinking, "includeThoughts", "include_thoughts")),
        signature_on_answer=bool(spec.levels),
        prompt_tokens=max(1, T.count_tokens(prompt)),
        blocked=BLOCK_MARK in question,
        calls=calls,
        call_ids=door == "vertex",
    )


def _usage(p: _Plan, door: str, *, final: bool = True) -> dict[str, Any]:
    candidates = p.answer_tokens if final else 0
    usage: dict[str, Any] = {
        "promptTokenCount": p.prompt_tokens,
        "candidatesTokenCount": candidates,
        "totalTokenCount": p.prompt_tokens + candidates + (p.thought_tokens if final else 0),
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": p.prompt_tokens}],
    }
    if p.reasoning and final:
        usage["thoughtsTokenCount"] = p.thought_tokens
    if p.blocked:
        usage = {"promptTokenCount": p.prompt_tokens, "totalTokenCount": p.prompt_tokens}
    if door == "vertex":
        usage["trafficType"] = "ON_DEMAND"
    return usage


def _envelope(call: Call, p: _Plan, door: str, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {**fields, "modelVersion": p.model}
    if door == "vertex":
        out["createTime"] = dt.datetime.fromtimestamp(call.created, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    out["responseId"] = "sbx" + call.serial[:20]
    return out


def _blocked(call: Call, p: _Plan, door: str) -> dict[str, Any]:
    feedback = {
        "blockReason": "SAFETY",
        "safetyRatings": [
            {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True}
        ],
    }
    return _envelope(call, p, door, promptFeedback=feedback, usageMetadata=_usage(p, door))


def _candidate(p: _Plan, parts: list[dict[str, Any]], finish: str | None) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", **({"parts": parts} if parts else {})}}
    if finish:
        candidate["finishReason"] = finish
        if finish == "SAFETY":
            candidate["safetyRatings"] = [
                {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": True}
            ]
    candidate["index"] = 0
    return candidate


def build_response(call: Call, p: _Plan, door: str) -> dict[str, Any]:
    """The non-streaming GenerateContentResponse."""
    if p.blocked:
        return _blocked(call, p, door)
    parts: list[dict[str, Any]] = []
    if p.reasoning and p.show_thoughts:
        thought: dict[str, Any] = {"text": p.reasoning, "thought": True}
        if not p.signature_on_answer:
            thought["thoughtSignature"] = T.sign_thinking(p.reasoning)
        parts.append(thought)
    if p.calls:
        parts += GT.call_parts(
            call.serial,
            list(p.calls),
            signed=bool(p.reasoning and p.signature_on_answer),
            with_ids=p.call_ids,
        )
    elif p.answer:
        part: dict[str, Any] = {"text": p.answer}
        if p.reasoning and p.signature_on_answer:
            part["thoughtSignature"] = T.sign_thinking(p.answer)
        parts.append(part)
    candidate = _candidate(p, parts, p.finish)
    return _envelope(call, p, door, candidates=[candidate], usageMetadata=_usage(p, door))


def _frame(chunk: dict[str, Any]) -> bytes:
    return f"data: {dumps(chunk)}\r\n\r\n".encode()


def _groups(text: str, size: int = 4) -> list[str]:
    words = T.chunk_words(text)
    return ["".join(words[i : i + size]) for i in range(0, len(words), size)]


def stream_frames(call: Call, p: _Plan, door: str) -> list[bytes]:
    """The SSE chunks: thoughts, then the answer; the last chunk has finishReason and full usage."""
    if p.blocked:
        return [_frame(_blocked(call, p, door))]
    chunks: list[list[dict[str, Any]]] = []
    if p.reasoning and p.show_thoughts:
        chunks += [[{"text": piece, "thought": True}] for piece in _groups(p.reasoning)]
        if not p.signature_on_answer:
            chunks.append([{"text": "", "thought": True, "thoughtSignature": T.sign_thinking(p.reasoning)}])
    if p.calls:  # each call whole, in a chunk of its own (Vertex: its arguments streamed, if asked)
        signed = bool(p.reasoning and p.signature_on_answer)
        calls = GT.call_parts(call.serial, list(p.calls), signed=signed, with_ids=p.call_ids)
        if GT.streams_arguments(call.body, door):
            chunks += GT.streamed_call_chunks(calls)
        else:
            chunks += [[part] for part in calls]
    else:
        chunks += [[{"text": piece}] for piece in _groups(p.answer)]
        if p.reasoning and p.signature_on_answer and p.answer:
            chunks.append([{"text": "", "thoughtSignature": T.sign_thinking(p.answer)}])
    if not chunks:
        chunks.append([])
    frames: list[bytes] = []
    for i, parts in enumerate(chunks):
        last = i == len(chunks) - 1
        candidate = _candidate(p, parts, p.finish if last else None)
        frames.append(
            _frame(
                _envelope(call, p, door, candidates=[candidate], usageMetadata=_usage(p, door, final=last))
            )
        )
    return frames


def generate(door: str) -> Any:
    """The handler for one door's generateContent / streamGenerateContent routes."""

    def handler(call: Call) -> Reply:
        bad, spec = validate(door, call)
        if bad is not None or spec is None:
            return bad or error(500, "sandbox: no model", call.request_id)
        p = plan(call, spec, door)
        if call.params.get("method") == "streamGenerateContent":
            if call.query.get("alt") != "sse":
                return error(400, "sandbox: only ?alt=sse streaming is emulated", call.request_id)
            return Reply(events=stream_frames(call, p, door))
        return Reply(body=build_response(call, p, door))

    return handler


def _routes(door: str, prefixes: tuple[str, ...]) -> dict[str, Any]:
    handler = generate(door)
    return {f"/{{version}}/{prefix}/{{model}}:{{method}}": handler for prefix in prefixes}


GEMINI = ProviderSpec(
    name="gemini",
    routes=_routes("gemini", ("models",)),
    request_id_header="x-request-id",
    check_auth=check_gemini_auth,
    error=error,
    fault=fault,
)

VERTEX = ProviderSpec(
    name="vertex",
    routes=_routes(
        "vertex",
        ("projects/{project}/locations/{location}/publishers/google/models", "publishers/google/models"),
    ),
    request_id_header="x-request-id",
    check_auth=check_vertex_auth,
    error=error,
    fault=fault,
)
