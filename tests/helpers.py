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
