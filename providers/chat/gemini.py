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
the body's `responseId` is kept as `response_id`. (Room for later: the domain presets will add a
`for_medical_domain` option on this provider; nothing here needs to change for it.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx2

from ..errors import (
    AuthenticationError,
    InvalidParameterError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    StreamError,
    error_for_status,
)
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
    Usage,
    Visibility,
)
from .base import Connection, auth_headers, error_from_body, loads

__all__ = ["FINISH", "Gemini", "GeminiStreamDecoder", "google_error_fields", "usage_from"]

DEFAULT_RESOURCE = "models"
FILTERED = "content_filter"
FINISH: dict[str, str] = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "CONTINUATION": "length",
    "SAFETY": FILTERED,
    "RECITATION": FILTERED,
    "LANGUAGE": FILTERED,
    "BLOCKLIST": FILTERED,
    "PROHIBITED_CONTENT": FILTERED,
    "SPII": FILTERED,
    "IMAGE_SAFETY": FILTERED,
    "IMAGE_PROHIBITED_CONTENT": FILTERED,
    "IMAGE_RECITATION": FILTERED,
    "MODEL_ARMOR": FILTERED,
    "ESCALATION": FILTERED,
    "PUP_LIMITED_DISABLED": FILTERED,
    "MALFORMED_FUNCTION_CALL": "error",
    "UNEXPECTED_TOOL_CALL": "error",
    "TOO_MANY_TOOL_CALLS": "error",
    "MISSING_THOUGHT_SIGNATURE": "error",
    "MALFORMED_RESPONSE": "error",
    "IMAGE_OTHER": "other",
    "NO_IMAGE": "other",
    "OTHER": "other",
    "FINISH_REASON_UNSPECIFIED": "other",
}
"""google-genai 3.6.1 `types.FinishReason`, normalized; the raw value is kept in raw_finish_reason."""

# generationConfig fields a caller may pass as options (snake_case or camelCase); the rest go top-level
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
_SIGNATURE_KEYS = ("thoughtSignature", "thought_signature")
_DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+);base64,(?P<data>.*)$", re.S)
_RETRY_DELAY = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


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


def _content(message: Message, provider: str) -> dict[str, Any]:
    """One turn as a Gemini Content; our signature carriers go back onto the part they rode on."""
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
    if pending is not None:
        parts.append({"text": "", "thoughtSignature": pending})
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


# --- response -------------------------------------------------------------------------------------


@dataclass
class _Piece:
    kind: Literal["thought", "text"]
    text: str = ""
    signature: str | None = None


@dataclass
class _Parts:
    """Gemini parts folded into ours: same-kind text joins; a signed piece is never merged into another."""

    pieces: list[_Piece] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)

    def add(self, part: dict[str, Any]) -> TextDelta | ThinkingDelta | None:
        signature = next((part[k] for k in _SIGNATURE_KEYS if part.get(k)), None)
        data_keys = [k for k in part if k not in ("thought", *_SIGNATURE_KEYS)]
        if "text" not in part and data_keys:
            self.unsupported.append(data_keys[0])  # functionCall, inlineData, executableCode, ...
            return None
        kind: Literal["thought", "text"] = "thought" if part.get("thought") else "text"
        text = str(part.get("text") or "")
        last = self.pieces[-1] if self.pieces else None
        joinable = last is not None and last.kind == kind and last.signature is None
        if joinable and (signature is None or not text):
            assert last is not None
            last.text += text
            last.signature = signature or last.signature
        else:
            self.pieces.append(_Piece(kind, text, signature))
        if not text:
            return None
        return ThinkingDelta(text=text) if kind == "thought" else TextDelta(text=text)

    def to_parts(self, provider: str, *, cut: bool = False) -> list[Any]:
        """Our parts; with cut=True the last piece was cut short and keeps no signature."""
        out: list[Any] = []
        for i, piece in enumerate(self.pieces):
            last_cut = cut and i == len(self.pieces) - 1
            if piece.kind == "thought":
                out.append(
                    ThinkingPart(
                        text=piece.text,
                        signature=None if last_cut else piece.signature,
                        provider=provider,
                        truncated=last_cut,
                    )
                )
                continue
            if piece.signature and not last_cut:
                out.append(ThinkingPart(encrypted=piece.signature, redacted=True, provider=provider))
            if piece.text or (piece.signature and not last_cut):
                out.append(TextPart(text=piece.text))
        return out


def usage_from(raw: dict[str, Any] | None) -> tuple[Usage, str | None]:
    """Our Usage from `usageMetadata`, and a note when candidatesTokenCount turned out to include thoughts."""
    if not raw:
        return Usage(), None
    prompt = raw.get("promptTokenCount")
    candidates = raw.get("candidatesTokenCount") or 0
    thoughts = raw.get("thoughtsTokenCount") or 0
    tool = raw.get("toolUsePromptTokenCount") or 0
    total = raw.get("totalTokenCount")
    base = (prompt or 0) + candidates
    inclusive = bool(thoughts) and total is not None and total in (base, base + tool)
    output = candidates if inclusive else candidates + thoughts
    note = (
        f"usage: candidatesTokenCount ({candidates}) already includes the {thoughts} thought tokens "
        "(prompt + candidates == total), so output_tokens is candidatesTokenCount"
        if inclusive
        else None
    )
    return (
        Usage(
            input_tokens=None if prompt is None else prompt + tool,
            output_tokens=output,
            reasoning_tokens=thoughts or None,
            cached_tokens=raw.get("cachedContentTokenCount") or None,
            total_tokens=total if total is not None else (None if prompt is None else prompt + tool + output),
        ),
        note,
    )


def _visibility(parts: list[Any]) -> Visibility:
    thinking = [p for p in parts if isinstance(p, ThinkingPart)]
    if any(p.text for p in thinking):
        return "summary"  # Gemini returns thought summaries, never the raw thoughts
    return "omitted" if thinking else "none"


def _finish_notes(candidate: dict[str, Any], raw_finish: str | None, provider: str) -> list[str]:
    notes: list[str] = []
    if raw_finish and FINISH.get(raw_finish) == FILTERED:
        blocked = [r.get("category", "?") for r in candidate.get("safetyRatings") or [] if r.get("blocked")]
        why = f" ({', '.join(blocked)})" if blocked else ""
        notes.append(f"{provider} stopped the answer: finishReason {raw_finish}{why}")
    if raw_finish == "CONTINUATION":
        notes.append(
            f"{provider} stopped at its per-request limit and returned a continuationToken; "
            "llmkit does not follow continuation tokens yet (google-genai does, by default)"
        )
    if candidate.get("finishMessage"):
        notes.append(f"{provider}: {candidate['finishMessage']}")
    return notes


def _assemble(
    request: ChatRequest,
    pieces: _Parts,
    *,
    candidate: dict[str, Any],
    n_candidates: int,
    usage_raw: dict[str, Any] | None,
    feedback: dict[str, Any] | None,
    model: str | None,
    response_id: str | None,
    raw: dict[str, Any] | None = None,
    cut: bool = False,
) -> ChatResult:
    provider = request.provider
    parts = pieces.to_parts(provider, cut=cut)
    usage, usage_note = usage_from(usage_raw)
    notes = [usage_note] if usage_note else []
    raw_finish: str | None = candidate.get("finishReason")
    finish = FINISH.get(raw_finish, raw_finish.lower()) if raw_finish else None
    block = (feedback or {}).get("blockReason")
    if block and not n_candidates:
        finish, raw_finish = FILTERED, str(block)
        message = (feedback or {}).get("blockReasonMessage")
        notes.append(
            f"{provider} blocked the prompt (promptFeedback.blockReason {block}"
            + (f": {message}" if message else "")
            + "); no answer was generated -- rephrase the prompt"
        )
    notes += _finish_notes(candidate, raw_finish, provider)
    if n_candidates > 1:
        notes.append(f"{provider} returned {n_candidates} candidates; only the first is kept")
    if pieces.unsupported:
        kinds = ", ".join(sorted(set(pieces.unsupported)))
        notes.append(f"{provider} returned {kinds} part(s), which llmkit does not handle yet (see .raw)")
    return ChatResult(
        provider=provider,
        model=model or request.model,
        parts=parts,
        usage=usage,
        finish_reason=finish,
        raw_finish_reason=raw_finish,
        visibility=_visibility(parts),
        notes=notes,
        raw=raw,
        response_id=response_id,
    )


# --- errors ---------------------------------------------------------------------------------------


def google_error_fields(body: Any) -> tuple[str | None, str | None, str | None, float | None]:
    """(message, status, reason, retry delay s) from Google's `{"error": {code, message, status, details}}`."""
    try:
        data = (
            loads(bytes(body) if isinstance(body, bytearray) else body)
            if isinstance(body, bytes | bytearray | str)
            else body
        )
    except ValueError:
        return None, None, None, None
    if isinstance(data, list) and data:  # some Google endpoints wrap the error in an array
        data = data[0]
    err = data.get("error") if isinstance(data, dict) else None
    if not isinstance(err, dict):
        return None, None, None, None
    reason: str | None = None
    delay: float | None = None
    for detail in err.get("details") or []:
        if not isinstance(detail, dict):
            continue
        kind = str(detail.get("@type", ""))
        if kind.endswith("google.rpc.ErrorInfo") and detail.get("reason"):
            reason = str(detail["reason"])
        elif kind.endswith("google.rpc.RetryInfo") and (
            m := _RETRY_DELAY.match(str(detail.get("retryDelay")))
        ):
            delay = float(m[1])
    message = err.get("message")
    return (None if message is None else str(message)), err.get("status"), reason, delay


_CLASS_FOR_STATUS: dict[str, type[ProviderError]] = {
    "UNAUTHENTICATED": AuthenticationError,
    "PERMISSION_DENIED": PermissionDeniedError,
    "NOT_FOUND": NotFoundError,
    "RESOURCE_EXHAUSTED": RateLimitError,
}


def _typed(
    provider: str, status: int, message: str | None, status_name: str | None, reason: str | None
) -> type[ProviderError]:
    # the Gemini API answers a bad key with 400 INVALID_ARGUMENT + reason API_KEY_INVALID
    if reason in ("API_KEY_INVALID", "API_KEY_SERVICE_BLOCKED") or (
        status == 400 and message and "API key not valid" in message
    ):
        return AuthenticationError
    if status_name in _CLASS_FOR_STATUS and status < 500:
        return _CLASS_FOR_STATUS[status_name]
    return error_for_status(status)


class Gemini:
    """The generateContent codec, for the `gemini` and `vertex` providers alike."""

    name = "gemini"
    request_id_header = "x-request-id"

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
        if dropped:
            return [
                f"{dropped} thinking part(s) not sent back: made by another provider or cut short "
                "(a signature goes back only to the provider that made it)"
            ]
        return []

    def build(self, request: ChatRequest, conn: Connection, resolved: Resolved, info: ModelInfo) -> HttpCall:
        """The generateContent (or streamGenerateContent?alt=sse) call."""
        contents = [_content(m, request.provider) for m in request.messages]
        contents = [c for c in contents if c["parts"]]
        body: dict[str, Any] = {"contents": contents}
        if request.system:
            body["systemInstruction"] = {"parts": [{"text": request.system}]}
        generation, top = _split_options(dict(request.options))
        if request.max_tokens is not None:
            generation["maxOutputTokens"] = request.max_tokens
        thinking = thinking_config(request, resolved, info)
        if thinking is not None:
            generation["thinkingConfig"] = thinking
        if generation:
            body["generationConfig"] = generation
        body.update(top)
        model = request.model.removeprefix("models/")
        method = "streamGenerateContent" if request.stream else "generateContent"
        url = f"{conn.base_url}/{api_version(conn)}/{_resource(conn)}/{model}:{method}"
        headers = {"content-type": "application/json", **auth_headers(conn), **conn.extra_headers}
        sent = {k: v for k, v in body.items() if k != "contents"}
        sent["contents"] = f"<{len(contents)} contents>"
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
        pieces = _Parts()
        for part in (candidate.get("content") or {}).get("parts") or []:
            if isinstance(part, dict):
                pieces.add(part)
        return _assemble(
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
        cls = _typed(provider, status, message, status_name, reason)
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


class GeminiStreamDecoder:
    """Folds `alt=sse` chunks into deltas and a result; the stream is over when the body ends."""

    reads_to_end = True  # no [DONE]: a chunk may still follow the one with finishReason

    def __init__(self, request: ChatRequest) -> None:
        self.request = request
        self.done = False
        self.pieces = _Parts()
        self.candidate: dict[str, Any] = {}
        self.n_candidates = 0
        self.usage: dict[str, Any] | None = None
        self.feedback: dict[str, Any] | None = None
        self.model: str | None = None
        self.response_id: str | None = None

    def feed(self, event: str, data: str) -> list[TextDelta | ThinkingDelta]:
        """Consume one chunk; raise a typed error for an error chunk."""
        if not data.strip():
            return []
        try:
            chunk = loads(data)
        except ValueError as exc:
            raise StreamError(
                f"malformed stream frame: {data[:80]!r}", provider=self.request.provider
            ) from exc
        if not isinstance(chunk, dict):
            raise StreamError(f"unexpected stream frame: {data[:80]!r}", provider=self.request.provider)
        if "error" in chunk:
            message, status_name, reason, _delay = google_error_fields(chunk)
            code = (chunk.get("error") or {}).get("code")
            status = code if isinstance(code, int) else 500
            cls = _typed(self.request.provider, status, message, status_name, reason)
            raise cls(
                message or "error in stream",
                provider=self.request.provider,
                status=status,
                code=reason or status_name,
                body=chunk,
            )
        self.model = chunk.get("modelVersion") or self.model
        self.response_id = chunk.get("responseId") or self.response_id
        if chunk.get("usageMetadata"):
            self.usage = chunk["usageMetadata"]
        feedback = chunk.get("promptFeedback")
        if isinstance(feedback, dict):
            self.feedback = feedback
            if feedback.get("blockReason"):
                self.done = True
        deltas: list[TextDelta | ThinkingDelta] = []
        candidates = chunk.get("candidates") or []
        if candidates:
            self.n_candidates = max(self.n_candidates, len(candidates))
            candidate = candidates[0]
            for part in (candidate.get("content") or {}).get("parts") or []:
                if isinstance(part, dict) and (delta := self.pieces.add(part)) is not None:
                    deltas.append(delta)
            self.candidate.update({k: v for k, v in candidate.items() if k != "content"})
            if candidate.get("finishReason"):
                self.done = True
        return deltas

    def result(self) -> ChatResult:
        """What has arrived; before the final chunk the last part counts as cut short."""
        return _assemble(
            self.request,
            self.pieces,
            candidate=self.candidate,
            n_candidates=self.n_candidates,
            usage_raw=self.usage,
            feedback=self.feedback,
            model=self.model,
            response_id=self.response_id,
            cut=not self.done,
        )
