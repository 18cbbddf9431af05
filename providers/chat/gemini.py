"""Google Gemini `generateContent`: one codec for both doors, the Gemini API and Vertex AI.

Wire facts (wire/chat.md section 3, wire/delta-2026-11.md section 3; google-genai 3.6.1
`_api_client.py`, `models.py`, `types.py`):

* `POST {base}/{version}/{resource}/{model}:generateContent`, and `:streamGenerateContent?alt=sse`
  for streams. The resource is `models` on the Gemini API, `projects/{p}/locations/{l}/publishers/
  google/models` on Vertex and `publishers/google/models` in Vertex express mode; the connection
  (see `gemini_connect.py`) puts it in `conn.settings["resource"]`.
* The stream is data-only SSE with no `[DONE]`: it ends when the body ends, and each chunk is a full
  GenerateContentResponse holding a few new parts; the last one has `finishReason`. The decoder
  therefore reads to the end of the body (`reads_to_end`).
* Request JSON is camelCase as in Google's REST docs: `contents` (roles user/model; parts `text`,
  `inlineData`, `fileData`, `thought`, `thoughtSignature`), `systemInstruction`, `generationConfig`
  (`maxOutputTokens`, `thinkingConfig`). The SDK sends the inside of `thinkingConfig` in snake_case
  (delta section 3.2); the API takes both spellings (proto3 JSON mapping), so ours is the same call.
* `thinkingConfig`: `thinkingLevel` (MINIMAL/LOW/MEDIUM/HIGH, per model) on Gemini 3, `thinkingBudget`
  (0 off, -1 dynamic) on 2.5, never both; `includeThoughts: true` whenever the model thinks, so the
  thought summaries come back as parts with `thought: true`.

Thought signatures (the design): Gemini returns `thoughtSignature` on the part it belongs to -- a
thought part, or (Gemini 3) the first answer part after the thoughts, or an empty text part at the end
of a stream -- and wants each one back on the same part. A signature on a thought part stays on its
`ThinkingPart.signature`. A signature on a non-thought part becomes a `ThinkingPart(redacted=True,
encrypted=<signature>)` placed just before that part: it *is* the model's hidden thought state, it is
kept with the other reasoning, and `build` puts it back on the part that follows it. Consecutive
pieces of the same kind are joined, except that a signed piece is never merged into another one
(Google: "don't merge a part with a signature with another part"). Signatures go back only to the
provider that made them (gemini and vertex are separate), never from a part cut short.

Usage: `thoughtsTokenCount` is `reasoning_tokens`. Whether `candidatesTokenCount` already includes the
thoughts is checked on each response (prompt + candidates (+ toolUsePrompt) == total while thoughts > 0
means it does), not assumed; by default it does not, and output_tokens = candidates + thoughts.

A blocked prompt (`promptFeedback.blockReason`, no candidates) is a result, not an exception:
finish_reason "content_filter", raw_finish_reason the block reason, and a note that says why. It is
a successful HTTP answer that may be billed for its prompt, and a comparison table keeps it in its row.

UNCONFIRMED: Google documents no request-id response header; `x-request-id` is read if present and
the body's `responseId` is kept as `response_id`.

Tools and structured output: gemini_tools.py writes the declarations, tool turns (functionCall parts
with their signatures, functionResponse parts in a user content) and responseJsonSchema;
gemini_response.py reads functionCall parts into ToolCallParts.

`for_medical_domain(...)` (the plan's medical helper) is reachable here, on this provider, as
`Gemini.for_medical_domain`: it builds the `medical` domain preset (providers/domains) on a Gemini model
on Vertex AI in the location you pick; the codec itself needs nothing for it.
"""

from __future__ import annotations

import re
from typing import Any, assert_never

import httpx2

from ..domains import for_medical_domain
from ..errors import InvalidParameterError, ProviderError
from ..registry import ModelInfo
from ..thinking import Resolved
from ..types import (
    ChatRequest,
    ChatResult,
    HttpCall,
    ImagePart,
    Message,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
)
from .base import Connection, auth_headers, error_from_body
from .gemini_response import (
    FINISH,
    GeminiStreamDecoder,
    PartFolder,
    assemble,
    error_class,
    google_error_fields,
)
from .gemini_tools import (
    DUMMY_SIGNATURE,
    calls_by_id,
    check_tools,
    function_call,
    function_response,
    merged_tool_config,
    needs_dummy,
    output_fields,
    tool_fields,
)

__all__ = ["FINISH", "Gemini", "GeminiStreamDecoder", "api_version", "for_medical_domain", "thinking_config"]

DEFAULT_RESOURCE = "models"

_GENERATION_FIELDS: dict[str, str] = {
    "temperature": "temperature",
    "top_p": "topP",
    "top_k": "topK",
    "seed": "seed",
    "stop": "stopSequences",
    "stop_sequences": "stopSequences",
    "candidate_count": "candidateCount",
    "presence_penalty": "presencePenalty",
    "frequency_penalty": "frequencyPenalty",
    "response_mime_type": "responseMimeType",
    "response_schema": "responseSchema",
    "response_json_schema": "responseJsonSchema",
    "response_logprobs": "responseLogprobs",
    "logprobs": "logprobs",
}
_CAMEL_GENERATION = frozenset(_GENERATION_FIELDS.values())
_DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+);base64,(?P<data>.*)$", re.S)


def api_version(conn: Connection) -> str:
    """The API version for this connection: GOOGLE_GENAI_API_VERSION's 'beta' means the door's beta."""
    wanted = str(conn.settings.get("api_version") or "").strip()
    default = conn.api_version or "v1"
    if wanted == "beta":  # as google-genai reads GOOGLE_GENAI_API_VERSION=beta
        return "v1beta1" if "publishers/" in _resource(conn) else "v1beta"  # Vertex's beta is v1beta1
    return wanted or default


def _resource(conn: Connection) -> str:
    return str(conn.settings.get("resource") or DEFAULT_RESOURCE)


# --- request --------------------------------------------------------------------------------------


def _image(part: ImagePart) -> dict[str, Any]:
    if part.data:
        return {"inlineData": {"mimeType": part.media_type or "image/png", "data": part.data}}
    url = part.url or ""
    if m := _DATA_URL.match(url):
        return {"inlineData": {"mimeType": m["mime"], "data": m["data"]}}
    if not part.media_type:
        raise InvalidParameterError(
            "Gemini takes an image URL only with its media type: pass ImagePart(url=..., media_type='image/png')"
        )
    return {"fileData": {"mimeType": part.media_type, "fileUri": url}}


def _content(
    message: Message, provider: str, calls: dict[str, ToolCallPart], dummy: bool = False
) -> dict[str, Any]:
    """One turn as a Gemini Content; our signature carriers go back onto the part they rode on.

    `calls` are the conversation's calls by id (a result echoes its call's wire id); with `dummy`, a
    model turn whose first call carries no signature gets the documented dummy one (Gemini 3)."""
    parts: list[dict[str, Any]] = []
    pending: str | None = None  # a signature that belongs on the next non-thought part
    for part in message.parts:
        match part:
            case ThinkingPart():
                if message.role != "assistant" or part.provider != provider or part.truncated:
                    pending = None
                    continue
                if part.redacted:
                    pending = part.encrypted or part.signature
                    continue
                thought: dict[str, Any] = {"text": part.text, "thought": True}
                if part.signature:
                    thought["thoughtSignature"] = part.signature
                parts.append(thought)
            case TextPart():
                if not part.text and pending is None:
                    continue  # the API refuses empty text parts; keep only signed ones
                item: dict[str, Any] = {"text": part.text}
                if pending is not None:
                    item["thoughtSignature"], pending = pending, None
                parts.append(item)
            case ImagePart():
                item = _image(part)
                if pending is not None:
                    item["thoughtSignature"], pending = pending, None
                parts.append(item)
            case ToolCallPart():
                if message.role != "assistant":
                    raise InvalidParameterError("a tool call belongs in an assistant turn, not a user turn")
                if pending is not None:  # (a signature that rode on an empty part before this call)
                    parts.append({"text": "", "thoughtSignature": pending})
                    pending = None
                parts.append(function_call(part, provider))
            case ToolResultPart():
                if message.role != "user":
                    raise InvalidParameterError("tool results belong in a user turn")
                parts.append(function_response(part, calls.get(part.call_id), provider))
            case _:
                assert_never(part)
    if pending is not None:
        parts.append({"text": "", "thoughtSignature": pending})
    first_call = next((p for p in parts if "functionCall" in p), None)
    if dummy and first_call is not None and "thoughtSignature" not in first_call:
        first_call["thoughtSignature"] = DUMMY_SIGNATURE
    return {"role": "model" if message.role == "assistant" else "user", "parts": parts}


def thinking_config(request: ChatRequest, resolved: Resolved, info: ModelInfo) -> dict[str, Any] | None:
    """`generationConfig.thinkingConfig` for this call, or None to send none."""
    caps = info.thinking
    asked = request.thinking is not None
    if caps.style == "gemini_level":
        if resolved.mode == "effort" and resolved.effort:
            return {"thinkingLevel": resolved.effort.upper(), "includeThoughts": True}
        return {"includeThoughts": True} if asked or caps.on_by_default else None
    if caps.style == "gemini_budget":
        if resolved.mode == "off":
            return {"thinkingBudget": 0}
        if resolved.mode == "budget" and resolved.budget_tokens is not None:
            return {"thinkingBudget": resolved.budget_tokens, "includeThoughts": True}
        if asked:  # thinking=True: on, as deep as the model decides
            return {"thinkingBudget": -1, "includeThoughts": True}
        return {"includeThoughts": True} if caps.on_by_default else None
    return None


def _split_options(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(generationConfig fields, top-level fields) from the caller's extra options."""
    generation: dict[str, Any] = {}
    top: dict[str, Any] = {}
    for key, value in options.items():
        if key in ("generation_config", "generationConfig") and isinstance(value, dict):
            generation.update(value)
        elif key in _GENERATION_FIELDS:
            generation[_GENERATION_FIELDS[key]] = value
        elif key in _CAMEL_GENERATION:
            generation[key] = value
        else:
            top[key] = value
    return generation, top


class Gemini:
    """The generateContent codec, for the `gemini` and `vertex` providers alike."""

    name = "gemini"
    request_id_header = "x-request-id"
    tools = True
    structured_output = "json_schema"  # responseMimeType + responseJsonSchema
    for_medical_domain = staticmethod(for_medical_domain)  # the medical preset on this provider

    def check(self, request: ChatRequest, info: ModelInfo, resolved: Resolved) -> list[str]:
        """Refuse what Gemini would reject; note the thinking parts that cannot go back."""
        if "/" in request.model.removeprefix("models/"):
            raise InvalidParameterError(
                f"{request.provider} model ids have no '/': got {request.model!r}, e.g. 'gemini-3.8-flash'"
            )
        for key in ("thinking_config", "thinkingConfig"):
            if key in request.options or key in (request.options.get("generation_config") or {}):
                raise InvalidParameterError(
                    f"pass thinking= instead of {key}: llmkit writes thinkingConfig itself (see docs/thinking.md)"
                )
        dropped = sum(
            isinstance(p, ThinkingPart) and (p.provider != request.provider or p.truncated)
            for m in request.messages
            for p in m.parts
        )
        notes = check_tools(request, info)
        if dropped:
            notes.insert(
                0,
                f"{dropped} thinking part(s) not sent back: made by another provider or cut short "
                "(a signature goes back only to the provider that made it)",
            )
        return notes

    def build(self, request: ChatRequest, conn: Connection, resolved: Resolved, info: ModelInfo) -> HttpCall:
        """The generateContent (or streamGenerateContent?alt=sse) call."""
        calls = calls_by_id(request.messages)
        dummy = needs_dummy(info)
        contents = [_content(m, request.provider, calls, dummy) for m in request.messages]
        contents = [c for c in contents if c["parts"]]
        body: dict[str, Any] = {"contents": contents}
        if request.system:
            body["systemInstruction"] = {"parts": [{"text": request.system}]}
        generation, top = _split_options(dict(request.options))
        generation.update(output_fields(request))
        if request.max_tokens is not None:
            generation["maxOutputTokens"] = request.max_tokens
        thinking = thinking_config(request, resolved, info)
        if thinking is not None:
            generation["thinkingConfig"] = thinking
        if generation:
            body["generationConfig"] = generation
        tools = tool_fields(request)
        body.update(tools)
        body.update(top)
        if "toolConfig" in tools:  # tool_choice= and the caller's own toolConfig option, joined
            body.pop("tool_config", None)
            body["toolConfig"] = merged_tool_config(tools["toolConfig"], top)
        model = request.model.removeprefix("models/")
        method = "streamGenerateContent" if request.stream else "generateContent"
        url = f"{conn.base_url}/{api_version(conn)}/{_resource(conn)}/{model}:{method}"
        headers = {"content-type": "application/json", **auth_headers(conn), **conn.extra_headers}
        sent = {k: v for k, v in body.items() if k != "contents"}
        sent["contents"] = f"<{len(contents)} contents>"
        if body.get("tools"):
            sent["tools"] = [d["name"] for t in body["tools"] for d in t.get("functionDeclarations", [])]
        return HttpCall(
            url=url,
            headers=headers,
            json_body=body,
            params={"alt": "sse"} if request.stream else {},
            stream=request.stream,
            sent=sent,
        )

    def parse(self, payload: dict[str, Any], request: ChatRequest) -> ChatResult:
        """A GenerateContentResponse as our result (first candidate)."""
        candidates = payload.get("candidates") or []
        candidate = candidates[0] if candidates else {}
        pieces = PartFolder()
        for part in (candidate.get("content") or {}).get("parts") or []:
            if isinstance(part, dict):
                pieces.add(part)
        return assemble(
            request,
            pieces,
            candidate=candidate,
            n_candidates=len(candidates),
            usage_raw=payload.get("usageMetadata"),
            feedback=payload.get("promptFeedback"),
            model=payload.get("modelVersion"),
            response_id=payload.get("responseId"),
            raw=payload,
        )

    def decoder(self, request: ChatRequest) -> GeminiStreamDecoder:
        """A decoder for the `alt=sse` stream."""
        return GeminiStreamDecoder(request)

    def parse_error(self, provider: str, status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
        """A typed error from Google's RPC status JSON (429 RESOURCE_EXHAUSTED -> RateLimitError)."""
        message, status_name, reason, delay = google_error_fields(body)
        error = error_from_body(
            provider,
            status,
            headers,
            body,
            message=message,
            code=reason or status_name,
            request_id_header=self.request_id_header,
        )
        cls = error_class(provider, status, message, status_name, reason)
        retry_after = error.retry_after if error.retry_after is not None else delay
        if type(error) is cls and retry_after == error.retry_after:
            return error
        return cls(
            error.message,
            provider=provider,
            status=status,
            request_id=error.request_id,
            retry_after=retry_after,
            code=error.code,
            body=error.body,
        )
