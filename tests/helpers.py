"""Small helpers shared by tests: fixture loading and SSE splitting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def sse_events(name: str) -> list[tuple[str, str]]:
    """(event, data) pairs of an SSE fixture, parsed the way the transport parses them."""
    import httpx2

    body = (FIXTURES / name).read_bytes()
    request = httpx2.Request("GET", "https://fixture.invalid/")
    response = httpx2.Response(
        200, headers={"content-type": "text/event-stream"}, content=body, request=request
    )
    return [(e.event, e.data) for e in httpx2.EventSource(response)]


def codec_call(
    codec: Any,
    conn: Any,
    provider: str,
    model: str,
    thinking: object = None,
    *,
    messages: list[Any] | None = None,
    **fields: Any,
) -> tuple[Any, list[str]]:
    """What the client's prepare() does for one codec, without a client: (HttpCall, notes).

    `fields` go onto the ChatRequest (stream, max_tokens, options, ...). A codec with `pick`
    (OpenAI's two APIs) chooses its sub-codec first, as the client does.
    """
    from providers.registry import lookup_model
    from providers.thinking import coerce, resolve
    from providers.types import ChatRequest, Message

    info = lookup_model(provider, model)
    request = ChatRequest(
        provider=provider,
        model=model,
        messages=messages or [Message.user("hi")],
        thinking=coerce(thinking),
        **fields,
    )
    if hasattr(codec, "pick"):
        codec, request = codec.pick(request)
    resolved = resolve(request.thinking, info.thinking, model=f"{provider}/{model}")
    notes = list(resolved.notes) + codec.check(request, info, resolved)
    return codec.build(request, conn, resolved, info), notes
