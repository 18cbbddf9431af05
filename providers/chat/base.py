"""What every chat codec shares: the connection it writes for, the decoder shape, small helpers.

A codec is pure: `build(request, conn, resolved) -> HttpCall`, `parse(payload, request) -> ChatResult`,
`decoder(request)` for streams, `parse_error(...)` for failures. The transport does the I/O.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol

import httpx2

from ..credentials import Secret, redact
from ..errors import ProviderError, ToolsNotSupportedError, error_for_status
from ..registry import ModelInfo
from ..thinking import Resolved
from ..transport import retry_after_seconds
from ..types import ChatRequest, ChatResult, HttpCall, Message, TextDelta, ThinkingDelta, ToolCallPart

__all__ = [
    "ChatCodec",
    "Connection",
    "StreamDecoder",
    "auth_headers",
    "error_from_body",
    "foreign_call_notes",
    "loads",
    "short_call_id",
    "tools_not_yet",
]


@dataclass(frozen=True)
class Connection:
    """Where and as whom to call one provider. `key.get()` is only ever read into a header."""

    provider: str
    base_url: str
    key: Secret | None
    auth: str = "bearer"
    api_version: str | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    """The provider's named settings (project, location, region...), already resolved; secrets as Secret."""
    setting_sources: dict[str, str] = field(default_factory=dict)
    """Where each setting came from: "argument", the env var's name, or "default" (for error messages)."""
    region: str | None = None
    """The catalog region this connection resolved to (providers/regions.py), if any."""
    residency: str | None = None
    """Under a residency policy: why this endpoint satisfies it (shown in the result's notes)."""

    def __repr__(self) -> str:
        return f"Connection({self.provider!r}, {self.base_url!r}, key={'***' if self.key else None})"


def auth_headers(conn: Connection) -> dict[str, str]:
    if conn.key is None:
        return {}
    key = conn.key.get()
    match conn.auth:
        case "bearer":
            return {"authorization": f"Bearer {key}"}
        case "token":
            return {"authorization": f"Token {key}"}
        case other:
            return {other: key}


def loads(data: str | bytes) -> Any:
    return json.loads(data)


_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def short_call_id(call_id: str, length: int = 9) -> str:
    """A call id in the form Mistral requires (exactly 9 of [a-zA-Z0-9], wire/tools-batch.md 7), made from
    another provider's id. Deterministic, so a call and its result map to the same id in every request
    (the stable map the rewrite needs, without state); an id already in that form is kept."""
    if len(call_id) == length and call_id.isascii() and call_id.isalnum():
        return call_id
    digest = int.from_bytes(hashlib.sha256(call_id.encode("utf-8")).digest()[:12], "big")
    out = []
    for _ in range(length):
        digest, index = divmod(digest, len(_ALNUM))
        out.append(_ALNUM[index])
    return "".join(out)


def foreign_call_notes(messages: list[Message], provider: str, *, rewritten_ids: bool = False) -> list[str]:
    """The footer's note on tool calls another provider made: their arguments are sent re-serialized
    (raw_arguments go back only to their maker) and, where the provider needs its own id format, their
    ids rewritten."""
    foreign = sum(isinstance(p, ToolCallPart) and p.provider != provider for m in messages for p in m.parts)
    if not foreign:
        return []
    how = "arguments re-serialized" + (", ids rewritten to this provider's format" if rewritten_ids else "")
    return [f"{foreign} tool call(s) from other providers sent with their {how}"]


def tools_not_yet(provider: str) -> NoReturn:
    """Refuse tool parts on a codec that does not translate them yet (never drop them silently)."""
    raise ToolsNotSupportedError(
        f"tools are not supported on {provider} yet: tool calls and tool results cannot be sent to it "
        "(continue this conversation on an OpenAI, xAI or DeepSeek model, or leave the tool turns out)",
        provider=provider,
    )


class StreamDecoder(Protocol):
    done: bool

    def feed(self, event: str, data: str) -> list[TextDelta | ThinkingDelta]:
        """Consume one SSE event; return the deltas it carries. Raise ProviderError on an error event."""
        ...

    def result(self) -> ChatResult:
        """What has arrived so far, as a result (complete once `done`)."""
        ...


class ChatCodec(Protocol):
    name: str

    def check(self, request: ChatRequest, info: ModelInfo, resolved: Resolved) -> list[str]:
        """Refuse what the provider would reject (raise ConfigurationError); return notes."""
        ...

    def build(
        self, request: ChatRequest, conn: Connection, resolved: Resolved, info: ModelInfo
    ) -> HttpCall: ...

    def parse(self, payload: dict[str, Any], request: ChatRequest) -> ChatResult: ...

    def decoder(self, request: ChatRequest) -> StreamDecoder: ...

    def parse_error(
        self, provider: str, status: int, headers: httpx2.Headers, body: bytes
    ) -> ProviderError: ...


def error_from_body(
    provider: str,
    status: int,
    headers: httpx2.Headers,
    body: bytes,
    *,
    message: str | None,
    code: str | None,
    request_id_header: str,
    request_id: str | None = None,
) -> ProviderError:
    """Build the typed error for an HTTP failure from what the codec dug out of the body."""
    raw = redact(body.decode("utf-8", "replace"))  # providers echo keys back in 401s: keep none
    text = message or raw[:300].strip() or f"HTTP {status}"
    cls = error_for_status(status)
    try:
        parsed: Any = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw[:2000]
    return cls(
        text,
        provider=provider,
        status=status,
        request_id=request_id or headers.get(request_id_header),
        retry_after=retry_after_seconds(headers),
        code=code,
        body=parsed,
    )
