"""A server-sent events parser for the streaming hot path.

It reads what httpx2's `EventSource` reads (the WHATWG rules: lines end in CRLF, LF or CR; `:`
starts a comment; `data` lines join with newlines; a blank line ends an event; `event`, `id` and
`retry` fields; one leading space after the colon dropped; an event only counts once its blank line
has arrived) and gives the same events, but works a chunk at a time instead of a line at a time,
and makes small tuples rather than dataclasses: a long stream has one event per token, so the
per-event cost is most of the toolkit's own cost of streaming (benchmarks/overhead.py).
`tests/unit/test_sse.py` checks it against `httpx2.EventSource` on generated streams cut anywhere.
"""

from __future__ import annotations

import codecs
from typing import NamedTuple

import httpx2

__all__ = ["MAX_EVENT_CHARS", "SSEParser", "ServerEvent", "check_content_type"]

MAX_EVENT_CHARS = 1 << 20  # as httpx2's default max event size: a runaway event is an error, not a leak


class ServerEvent(NamedTuple):
    """One event: its type ("message" unless named), its data, and its id and retry when given."""

    event: str
    data: str
    id: str = ""
    retry: int | None = None


def check_content_type(response: httpx2.Response) -> None:
    """An SSE stream says so; anything else (an HTML error page from a proxy, JSON) is an SSEError."""
    content_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    if content_type != "text/event-stream":
        raise httpx2.SSEError(
            f"Expected response with content type 'text/event-stream', got {content_type!r}."
        )


class SSEParser:
    """Feed it the body's bytes as they come; each `feed` returns the events completed so far."""

    __slots__ = ("_data", "_decode", "_event", "_id", "_pending", "_rest", "_retry", "_size")

    def __init__(self) -> None:
        self._decode = codecs.getincrementaldecoder("utf-8")("replace").decode
        self._rest = ""  # an unfinished line (and a lone CR that may be half of a CRLF)
        self._event = ""
        self._data: list[str] = []
        self._id = ""
        self._retry: int | None = None
        self._pending = False
        self._size = 0

    def feed(self, chunk: bytes) -> list[ServerEvent]:
        """The events this chunk completes."""
        text = self._rest + self._decode(chunk)
        held = ""
        if "\r" in text:
            if text.endswith("\r"):  # (its LF may be in the next chunk)
                held, text = "\r", text[:-1]
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        self._rest = lines.pop() + held
        return self._process(lines)

    def flush(self) -> list[ServerEvent]:
        """At the end of the body: the last lines (an event still needs its blank line; as in httpx2, a
        CR that ends the body ends its line, and the split after it counts as that blank line)."""
        text = self._rest + self._decode(b"", True)
        self._rest = ""
        if not text:
            return []
        return self._process(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))

    def _process(self, lines: list[str]) -> list[ServerEvent]:
        out: list[ServerEvent] = []
        for line in lines:
            if not line:
                if self._pending:
                    out.append(
                        ServerEvent(self._event or "message", "\n".join(self._data), self._id, self._retry)
                    )
                    self._event, self._data, self._retry, self._pending = "", [], None, False
                self._size = 0
                continue
            if line[0] == ":":
                continue
            self._size += len(line)
            if self._size > MAX_EVENT_CHARS:
                raise httpx2.SSEError(f"Server-sent event exceeded the {MAX_EVENT_CHARS} byte limit.")
            if line.startswith("data:"):
                value = line[5:]
                self._data.append(value[1:] if value[:1] == " " else value)
                self._pending = True
                continue
            name, _, value = line.partition(":")
            if value[:1] == " ":
                value = value[1:]
            if name == "event":
                self._event = value
                self._pending = True
            elif name == "data":  # ("data" with no colon: an empty data line)
                self._data.append(value)
                self._pending = True
            elif name == "id":
                if "\0" not in value:
                    self._id = value
                    self._pending = True
            elif name == "retry":
                try:
                    self._retry = int(value)
                    self._pending = True
                except ValueError:
                    pass
        if self._size + len(self._rest) > MAX_EVENT_CHARS:
            raise httpx2.SSEError(f"Server-sent event exceeded the {MAX_EVENT_CHARS} byte limit.")
        return out
