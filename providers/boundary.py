"""The codec boundary: where what a provider sent meets the code that reads it.

Codecs are pure wire mappings written for the documented shapes. A provider, a proxy or a broken
network can send anything, so every call site that hands a reply to a codec (AsyncClient.chat and
its streams, the speech, live-transcription, realtime and job calls) does it inside
`reading(...)`. There, and only there, a foreign exception -- AttributeError, KeyError, TypeError,
ValueError, pydantic's ValidationError, RecursionError from deeply nested JSON -- becomes a
`ResponseFormatError` (chained with `from`) naming the provider, the status, the request id and a
short redacted excerpt of what arrived. The toolkit's own errors pass through unchanged, and so do
KeyboardInterrupt and cancellation (they are not `Exception`s).

Error bodies go through `guarded_error_parser`: when a codec's `parse_error` cannot read a strange
body, the caller still gets the typed error for the HTTP status, with the excerpt as its message.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, NoReturn

import httpx2

from .credentials import redact
from .errors import LLMKitError, ProviderError, ResponseFormatError, error_for_status

__all__ = ["EXCERPT_CHARS", "excerpt", "guarded_error_parser", "reading"]

EXCERPT_CHARS = 160
_REDACT_WINDOW = 4096  # redact this much before cutting, so no key is cut in half and half shown

ErrorParser = Callable[[int, httpx2.Headers, bytes], ProviderError]
_JSON_KINDS = {
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


def excerpt(data: Any, limit: int = EXCERPT_CHARS) -> str:
    """A short, redacted start of what arrived (bytes, text or parsed JSON), fit for a message."""
    if isinstance(data, bytes | bytearray | memoryview):
        text = bytes(data[:_REDACT_WINDOW]).decode("utf-8", "replace")
    elif isinstance(data, str):
        text = data[:_REDACT_WINDOW]
    else:
        import reprlib

        shown = reprlib.Repr()
        shown.maxlevel, shown.maxstring, shown.maxother = 4, limit, limit
        text = shown.repr(data)
    text = redact(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(exc: BaseException) -> str:
    """One short line for a foreign exception (pydantic's multi-line report shortened to its first error)."""
    errors = getattr(exc, "errors", None)
    if type(exc).__name__ == "ValidationError" and callable(errors):
        try:
            first = errors()[0]
            where = ".".join(str(x) for x in first.get("loc", ()))
            detail = f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
        except Exception:
            detail = str(exc).splitlines()[0] if str(exc) else ""
    else:
        detail = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {detail[:120]}" if detail else type(exc).__name__


class reading:
    """Hand a reply to a codec; turn any foreign exception into a ResponseFormatError.

    with reading("openai", "the reply body", reply.body, status=200, request_id=rid):
        result = codec.parse(reply.json(), request)
    """

    __slots__ = ("data", "provider", "request_id", "status", "where")

    def __init__(
        self,
        provider: str,
        where: str,
        data: Any,
        *,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        self.provider = provider
        self.where = where
        self.data = data
        self.status = status
        self.request_id = request_id

    def error(self, why: str) -> ResponseFormatError:
        """The ResponseFormatError for what arrived, saying why it cannot be read."""
        shown = excerpt(self.data)
        return ResponseFormatError(
            f"{self.provider} sent {self.where} that does not match its API ({why}): {shown!r}. "
            f"If a base URL sends {self.provider} calls through a proxy, check that it speaks this API; "
            "otherwise retry, and report the request id if it persists",
            where=self.where,
            excerpt=shown,
            provider=self.provider,
            status=self.status,
            request_id=self.request_id,
        )

    def refuse(self, why: str) -> NoReturn:
        """Raise the ResponseFormatError for a reply the call site itself finds unusable."""
        raise self.error(why)

    def json_object(self, value: Any) -> dict[str, Any]:
        """`value` if it is a JSON object (what every codec's parser takes), else refused naming what it is."""
        if not isinstance(value, dict):
            self.refuse(f"JSON {_JSON_KINDS.get(type(value), type(value).__name__)}, not an object")
        return value

    def __enter__(self) -> reading:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is None or not isinstance(exc, Exception) or isinstance(exc, LLMKitError | MemoryError):
            return  # ours, or Ctrl-C / cancellation / exit: not a format problem (left to propagate)
        raise self.error(_describe(exc)) from exc


def _fallback_error(
    provider: str, status: int, headers: httpx2.Headers, body: bytes, header: str
) -> ProviderError:
    from .transport import retry_after_seconds

    shown = excerpt(body)
    return error_for_status(status)(
        f"HTTP {status}; the error body is not in {provider}'s documented shape: {shown!r}"
        if shown.strip()
        else f"HTTP {status}",
        provider=provider,
        status=status,
        request_id=headers.get(header),
        retry_after=retry_after_seconds(headers),
        body=shown,
    )


def guarded_error_parser(
    parse: ErrorParser, provider: str, *, request_id_header: str = "x-request-id"
) -> ErrorParser:
    """`parse` (a codec's error parser), or, when it cannot read the body, the status's typed error."""

    def guarded(status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
        try:
            error = parse(status, headers, body)
        except LLMKitError:
            raise
        except Exception as exc:  # a body no parser expected: still a typed error for the status
            error = _fallback_error(provider, status, headers, body, request_id_header)
            error.__cause__ = exc
            return error
        if not isinstance(error, ProviderError):
            return _fallback_error(provider, status, headers, body, request_id_header)
        return error

    return guarded
