"""providers/sse.py reads what httpx2.EventSource reads, whatever the line endings and wherever the chunks are cut."""

from __future__ import annotations

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.sse import MAX_EVENT_CHARS, SSEParser, check_content_type

FIELD_TEXT = st.text(
    alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=12
)
LINES = st.one_of(
    st.builds(lambda v: f"data:{v}", FIELD_TEXT),
    st.builds(lambda v: f"data: {v}", FIELD_TEXT),
    st.just("data"),
    st.builds(lambda v: f"event: {v}", FIELD_TEXT),
    st.builds(lambda v: f"id: {v}", FIELD_TEXT),
    st.builds(lambda v: f"retry: {v}", st.one_of(st.integers(0, 9999).map(str), FIELD_TEXT)),
    st.builds(lambda v: f":{v}", FIELD_TEXT),
    st.builds(lambda v: f"{v}", FIELD_TEXT),
    st.just(""),
)


def reference(body: bytes) -> list[tuple[str, str, str, int | None]]:
    request = httpx2.Request("GET", "https://sse.invalid/")
    response = httpx2.Response(
        200, headers={"content-type": "text/event-stream"}, content=body, request=request
    )
    return [(e.event, e.data, e.id, e.retry) for e in httpx2.EventSource(response)]


def ours(chunks: list[bytes]) -> list[tuple[str, str, str, int | None]]:
    parser = SSEParser()
    events = [e for chunk in chunks for e in parser.feed(chunk)] + parser.flush()
    return [(e.event, e.data, e.id, e.retry) for e in events]


def cut(body: bytes, points: list[int]) -> list[bytes]:
    marks = sorted({p % (len(body) + 1) for p in points})
    pieces, start = [], 0
    for mark in marks:
        pieces.append(body[start:mark])
        start = mark
    pieces.append(body[start:])
    return pieces


@settings(max_examples=400, deadline=None)
@given(
    lines=st.lists(LINES, max_size=30),
    endings=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=30),
    points=st.lists(st.integers(0, 10_000), max_size=12),
)
def test_same_events_as_httpx2(lines: list[str], endings: list[str], points: list[int]) -> None:
    text = "".join(line + endings[i % len(endings)] for i, line in enumerate(lines))
    body = text.encode("utf-8")
    assert ours(cut(body, points)) == reference(body)


def test_typical_streams() -> None:
    body = (
        b'event: response.output_text.delta\ndata: {"delta":"caf\xc3\xa9"}\n\n'
        b": keep-alive\n\n"
        b"data: line one\ndata: line two\r\n\r\n"
        b"data: [DONE]\n\n"
        b"data: no blank line at the end"
    )
    expected = [
        ("response.output_text.delta", '{"delta":"café"}', "", None),
        ("message", "line one\nline two", "", None),
        ("message", "[DONE]", "", None),
    ]
    assert ours([body]) == expected == reference(body)
    assert ours([bytes([b]) for b in body]) == expected  # one byte at a time: é and CRLF cut in two


def test_an_endless_event_is_an_error() -> None:
    parser = SSEParser()
    with pytest.raises(httpx2.SSEError, match="exceeded"):
        for _ in range(MAX_EVENT_CHARS // 1000 + 2):
            parser.feed(b"data: " + b"x" * 1000 + b"\n")
    with pytest.raises(httpx2.SSEError, match="exceeded"):
        SSEParser().feed(b"data: " + b"y" * (MAX_EVENT_CHARS + 10))  # one unterminated line


def test_content_type_is_checked() -> None:
    request = httpx2.Request("GET", "https://sse.invalid/")
    html = httpx2.Response(200, headers={"content-type": "text/html"}, content=b"<html>", request=request)
    with pytest.raises(httpx2.SSEError, match="text/html"):
        check_content_type(html)
    sse = httpx2.Response(200, headers={"content-type": "text/event-stream; charset=utf-8"}, request=request)
    check_content_type(sse)
