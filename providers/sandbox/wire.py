"""Shared plumbing for the sandbox handlers: the call a handler sees, the reply it returns, SSE framing.

Handlers are pure: they turn a `Call` (parsed request) into a `Reply` (a JSON body or a list of
ready-made SSE frames). The app does all the I/O: pacing, faults and the ASGI messages.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

__all__ = [
    "Call",
    "Handler",
    "ProviderSpec",
    "Reply",
    "dumps",
    "form",
    "match_route",
    "sse_comment",
    "sse_frame",
]


def dumps(obj: Any) -> str:
    """Compact JSON with non-ASCII characters kept as they are (as the real APIs send them)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def sse_frame(data: Any, event: str | None = None) -> bytes:
    """One SSE event: an optional `event:` line and a `data:` line (JSON unless data is a str)."""
    payload = data if isinstance(data, str) else dumps(data)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


def sse_comment(text: str) -> bytes:
    """An SSE comment line (clients must ignore it), e.g. a keep-alive."""
    return f": {text}\n\n".encode()


@dataclass(frozen=True)
class Call:
    """One parsed request as a handler sees it."""

    body: Any  # the parsed JSON body; None when it was not valid JSON
    headers: Mapping[str, str]
    request_id: str
    created: int
    serial: str = "0" * 24  # hex from which response and item ids are built
    query: Mapping[str, str] = field(default_factory=dict)  # the URL's query parameters
    params: Mapping[str, str] = field(default_factory=dict)  # values of {name} segments in the route
    state: dict[str, Any] = field(default_factory=dict)  # the app's mutable state (job stores)
    raw: bytes = b""  # the body as sent (audio uploads, multipart forms)
    strict: bool = False  # the app checks bodies against the API's schema and rules (validate/)


@dataclass
class Reply:
    """What a handler answers: a JSON body, SSE frames (`events`), raw bytes (`content`), or a
    chunked binary stream (`chunks`; `lead` delay units before the first one). Binary replies name
    their content-type in `headers`."""

    status: int = 200
    body: Any = None
    events: list[bytes] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    chunks: list[bytes] | None = None
    lead: float = 0.0

    @property
    def streaming(self) -> bool:
        """Whether this reply is an SSE stream."""
        return self.events is not None


Handler = Callable[[Call], Reply]


@functools.cache
def _route_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+?)", re.escape(pattern)))


def match_route(routes: Mapping[str, Handler], path: str) -> tuple[Handler, dict[str, str]] | None:
    """The handler for a path and its `{name}` values: an exact route, else a pattern such as
    `/{version}/models/{model}:{method}` (a segment value never contains '/')."""
    if path in routes:
        return routes[path], {}
    for pattern, handler in routes.items():
        if "{" in pattern and (m := _route_regex(pattern).fullmatch(path)):
            return handler, m.groupdict()
    return None


@dataclass(frozen=True)
class ProviderSpec:
    """How one provider looks on the wire: routes, auth, error envelope and request id header."""

    name: str
    routes: Mapping[str, Handler]
    request_id_header: str
    check_auth: Callable[[Mapping[str, str], str], Reply | None]
    error: Callable[..., Reply]
    fault: Callable[[int, str], Reply]


def form(call: Call) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    """multipart/form-data fields and the uploaded file (name, bytes); ({}, None) for other bodies."""
    content_type = call.headers.get("content-type", "")
    if "multipart/form-data" not in content_type:
        return {}, None
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + call.raw
    )
    fields: dict[str, str] = {}
    upload: tuple[str, bytes] | None = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        payload = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is not None or name == "file":
            upload = (part.get_filename() or "file", payload)
        elif isinstance(name, str):
            fields[name] = payload.decode("utf-8", "replace")
    return fields, upload
