"""Gemini responses: parts folded into ours (signatures kept), usage, finish reasons, errors, streams.

The reading side of `gemini.py` (see its docstring for the signature design). google-genai 3.6.1
`types.py` is the reference for every field: `Part.thought`/`thoughtSignature`, `FunctionCall`,
`UsageMetadata`, `FinishReason`, `BlockedReason`; `errors.py` for the RPC status JSON.

A `functionCall` part becomes a ToolCallPart keeping its signature (`thoughtSignature` beside it) and
its wire id (`item_id`; Gemini often sends none, and then our id is a digest of the response id, the
call's place and its name, so it is stable and unique). On the Gemini API calls arrive whole, in a
stream too; Vertex can stream a call's arguments (`willContinue` + `partialArgs`, gemini_partial.py),
which are assembled here into one call, and a call still open when a stream is cut is not kept (as for
the other providers). A turn that calls tools ends with finishReason STOP; ours says "tool_calls". A
signature that arrives alone, on an empty part right after an unsigned call (a stream may send it in a
later chunk: tools-batch.md 4.2, UNCONFIRMED), is merged onto that call, where Gemini wants it back.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    StreamError,
    error_for_status,
)
from ..fields import count, obj, opt_str, seq
from ..types import (
    ChatRequest,
    ChatResult,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    Usage,
    Visibility,
)
from .base import loads
from .gemini_partial import apply_partial_args
from .tool_ids import digest_id

__all__ = [
    "FILTERED",
    "FINISH",
    "GeminiStreamDecoder",
    "PartFolder",
    "assemble",
    "error_class",
    "google_error_fields",
    "usage_from",
]

_SIGNATURE_KEYS = ("thoughtSignature", "thought_signature")
_RETRY_DELAY = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")

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


@dataclass
class _Piece:
    kind: Literal["thought", "text", "call"]
    text: str = ""
    signature: str | None = None
    call: dict[str, Any] | None = None  # a functionCall: {"id"?, "name", "args"}
    open: bool = False  # a Vertex call whose arguments are still streaming (willContinue)
    continuing: set[str] = field(default_factory=set)  # its jsonPaths whose string goes on
    misplaced: list[str] = field(default_factory=list)  # its partialArgs that could not be placed


@dataclass
class PartFolder:
    """Gemini parts folded into ours: same-kind text joins; a signed piece is never merged into another."""

    pieces: list[_Piece] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    calls: int = 0

    def add(self, part: dict[str, Any]) -> list[TextDelta | ThinkingDelta | ToolCallDelta]:
        signature = next((part[k] for k in _SIGNATURE_KEYS if part.get(k)), None)
        call = part.get("functionCall", part.get("function_call"))
        if isinstance(call, dict):
            return self._call(call, signature)
        delta = self._other(part, signature)
        return [] if delta is None else [delta]

    def _open_call(self) -> _Piece | None:
        """The latest call if its arguments are still streaming."""
        last = next((p for p in reversed(self.pieces) if p.kind == "call"), None)
        return last if last is not None and last.open else None

    def _call(
        self, call: dict[str, Any], signature: str | None
    ) -> list[TextDelta | ThinkingDelta | ToolCallDelta]:
        """A functionCall part: a whole call, the start of a streamed one, or the next piece of one."""
        deltas: list[TextDelta | ThinkingDelta | ToolCallDelta] = []
        streaming = self._open_call()
        name = call.get("name")
        if streaming is not None and not name:  # Vertex: more of the call whose arguments are streaming
            assert streaming.call is not None
            streaming.signature = streaming.signature or signature
            streaming.misplaced += apply_partial_args(
                streaming.call["args"],
                call.get("partialArgs", call.get("partial_args")),
                streaming.continuing,
            )
            if not call.get("willContinue", call.get("will_continue")):
                deltas.append(self._close(streaming))
            return deltas
        if streaming is not None:  # a new call began before the streaming one said it had ended
            deltas.append(self._close(streaming))
        args = call.get("args")
        wire: dict[str, Any] = {"name": str(name or ""), "args": args}
        if call.get("id"):
            wire["id"] = str(call["id"])
        piece = _Piece("call", signature=signature, call=wire)
        self.pieces.append(piece)
        self.calls += 1
        partial = call.get("partialArgs", call.get("partial_args"))
        if call.get("willContinue", call.get("will_continue")) or partial is not None:
            wire["args"] = dict(args) if isinstance(args, dict) else {}
            piece.misplaced += apply_partial_args(wire["args"], partial, piece.continuing)
            piece.open = bool(call.get("willContinue", call.get("will_continue")))
            deltas.append(ToolCallDelta(index=self.calls - 1, id=wire.get("id"), name=wire["name"]))
            if not piece.open:
                deltas.append(self._close(piece))
            return deltas
        deltas.append(
            ToolCallDelta(
                index=self.calls - 1,
                id=wire.get("id"),
                name=wire["name"],
                arguments_delta=json.dumps(args if args is not None else {}, ensure_ascii=False),
            )
        )
        return deltas

    def _close(self, piece: _Piece) -> ToolCallDelta:
        """A streamed call is complete: its assembled arguments, as one fragment."""
        assert piece.call is not None
        piece.open = False
        number = sum(p.kind == "call" for p in self.pieces[: self.pieces.index(piece) + 1]) - 1
        return ToolCallDelta(index=number, arguments_delta=json.dumps(piece.call["args"], ensure_ascii=False))

    def _other(self, part: dict[str, Any], signature: str | None) -> TextDelta | ThinkingDelta | None:
        last = self.pieces[-1] if self.pieces else None
        if (
            signature
            and not part.get("text")
            and not part.get("thought")
            and last is not None
            and last.kind == "call"
            and last.signature is None
        ):  # a signature arriving alone after an unsigned call belongs to it (tools-batch.md 4.2: merge)
            last.signature = signature
            return None
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

    def to_parts(self, provider: str, *, cut: bool = False, response_id: str | None = None) -> list[Any]:
        """Our parts; with cut=True the last piece was cut short and keeps no signature."""
        out: list[Any] = []
        n = 0
        for i, piece in enumerate(self.pieces):
            last_cut = cut and i == len(self.pieces) - 1
            if piece.kind == "call" and piece.call is not None:
                if cut and piece.open:  # its arguments never finished: not a call to run
                    continue
                out.append(_call_part(piece, provider, response_id, n))
                n += 1
                continue
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


def _call_part(piece: _Piece, provider: str, response_id: str | None, n: int) -> ToolCallPart:
    assert piece.call is not None
    call = piece.call
    args = call.get("args")
    wire_id = call.get("id")
    made_up = digest_id(f"{response_id}/{n}/{call['name']}/{piece.signature}", 16, "gcall_")
    return ToolCallPart(
        id=wire_id or made_up,
        name=call["name"],
        arguments=args if isinstance(args, dict) else {},
        item_id=wire_id,
        signature=piece.signature,
        provider=provider,
        invalid_json=(args is not None and not isinstance(args, dict)) or bool(piece.misplaced),
    )


def usage_from(raw: Any) -> tuple[Usage, str | None]:
    """Our Usage from `usageMetadata`, and a note when candidatesTokenCount turned out to include thoughts.

    Counts of the wrong type are unknown (providers/fields.py): they never cost the answer."""
    if not isinstance(raw, dict) or not raw:
        return Usage(), None
    prompt = count(raw.get("promptTokenCount"))
    candidates = count(raw.get("candidatesTokenCount")) or 0
    thoughts = count(raw.get("thoughtsTokenCount")) or 0
    tool = count(raw.get("toolUsePromptTokenCount")) or 0
    total = count(raw.get("totalTokenCount"))
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
            cached_tokens=count(raw.get("cachedContentTokenCount")) or None,
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
        ratings = [r for r in seq(candidate.get("safetyRatings")) if isinstance(r, dict)]
        blocked = [str(r.get("category", "?")) for r in ratings if r.get("blocked")]
        why = f" ({', '.join(blocked)})" if blocked else ""
        notes.append(f"{provider} stopped the answer: finishReason {raw_finish}{why}")
    if raw_finish == "CONTINUATION":
        notes.append(
            f"{provider} stopped at its per-request limit and returned a continuationToken; "
            "llmkit does not follow continuation tokens yet (google-genai does, by default)"
        )
    if message := opt_str(candidate.get("finishMessage")):
        notes.append(f"{provider}: {message}")
    return notes


def assemble(
    request: ChatRequest,
    pieces: PartFolder,
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
    parts = pieces.to_parts(provider, cut=cut, response_id=response_id)
    usage, usage_note = usage_from(usage_raw)
    notes = [usage_note] if usage_note else []
    reported = candidate.get("finishReason")
    raw_finish = opt_str(reported)
    finish = FINISH.get(raw_finish, raw_finish.lower()) if raw_finish else None
    if finish is None and reported is not None:  # reported, in a form no finish reason has
        finish = "other"
    if finish == "stop" and any(isinstance(p, ToolCallPart) for p in parts):
        finish = "tool_calls"
    block = obj(feedback).get("blockReason")
    if block and not n_candidates:
        finish, raw_finish = FILTERED, str(block)
        message = obj(feedback).get("blockReasonMessage")
        notes.append(
            f"{provider} blocked the prompt (promptFeedback.blockReason {block}"
            + (f": {message}" if message else "")
            + "); no answer was generated -- rephrase the prompt"
        )
    notes += _finish_notes(candidate, raw_finish, provider)
    if n_candidates > 1:
        notes.append(f"{provider} returned {n_candidates} candidates; only the first is kept")
    misplaced = [path for piece in pieces.pieces for path in piece.misplaced]
    if misplaced:
        notes.append(
            f"{provider} streamed function-call arguments llmkit could not place ({', '.join(misplaced[:3])}); "
            "the call is marked invalid_json"
        )
    if pieces.unsupported:
        kinds = ", ".join(sorted(set(pieces.unsupported)))
        notes.append(f"{provider} returned {kinds} part(s), which llmkit does not handle yet (see .raw)")
    return ChatResult(
        provider=provider,
        model=opt_str(model) or request.model,
        parts=parts,
        usage=usage,
        finish_reason=finish,
        raw_finish_reason=raw_finish,
        visibility=_visibility(parts),
        notes=notes,
        raw=raw,
        response_id=opt_str(response_id),
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


def error_class(
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


class GeminiStreamDecoder:
    """Folds `alt=sse` chunks into deltas and a result; the stream is over when the body ends."""

    reads_to_end = True  # no [DONE]: a chunk may still follow the one with finishReason

    def __init__(self, request: ChatRequest) -> None:
        self.request = request
        self.done = False
        self.pieces = PartFolder()
        self.candidate: dict[str, Any] = {}
        self.n_candidates = 0
        self.usage: dict[str, Any] | None = None
        self.feedback: dict[str, Any] | None = None
        self.model: str | None = None
        self.response_id: str | None = None

    def feed(self, event: str, data: str) -> list[TextDelta | ThinkingDelta | ToolCallDelta]:
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
            cls = error_class(self.request.provider, status, message, status_name, reason)
            raise cls(
                message or "error in stream",
                provider=self.request.provider,
                status=status,
                code=reason or status_name,
                body=chunk,
            )
        self.model = opt_str(chunk.get("modelVersion")) or self.model
        self.response_id = opt_str(chunk.get("responseId")) or self.response_id
        if obj(chunk.get("usageMetadata")):
            self.usage = chunk["usageMetadata"]
        feedback = chunk.get("promptFeedback")
        if isinstance(feedback, dict):
            self.feedback = feedback
            if feedback.get("blockReason"):
                self.done = True
        deltas: list[TextDelta | ThinkingDelta | ToolCallDelta] = []
        candidates = chunk.get("candidates") or []
        if candidates:
            self.n_candidates = max(self.n_candidates, len(candidates))
            candidate = candidates[0]
            for part in (candidate.get("content") or {}).get("parts") or []:
                if isinstance(part, dict):
                    deltas += self.pieces.add(part)
            self.candidate.update({k: v for k, v in candidate.items() if k != "content"})
            if candidate.get("finishReason") is not None:  # (even in a form no finish reason has)
                self.done = True
        return deltas

    def result(self) -> ChatResult:
        """What has arrived; before the final chunk the last part counts as cut short."""
        return assemble(
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
