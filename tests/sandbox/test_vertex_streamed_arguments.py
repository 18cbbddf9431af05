"""Vertex AI's streamed function-call arguments end to end: asked for with `streamFunctionCallArguments`,
sent by the sandbox as Vertex sends them (name + willContinue, one PartialArg per chunk, an empty
functionCall closing each call: the recorded shapes in tests/fixtures/recorded/vertex/), assembled by
the codec into whole calls that the tool loop runs and sends back signed."""

from __future__ import annotations

import json
from typing import Any

import httpx2

from providers.asgi_transport import StreamingASGITransport
from providers.client import AsyncClient
from providers.sandbox import SandboxApp
from providers.types import Done, ToolCallDelta
from tests.fuzzing import frames_of

VERTEX = "vertex/gemini-3.8-flash"
STREAM_ARGS = {"toolConfig": {"functionCallingConfig": {"streamFunctionCallArguments": True}}}
PROMPT = 'sandbox: call convert {"value": 3.2, "from_unit": "km", "note": "a long way"} sandbox: call clock'


def convert(value: float, from_unit: str, note: str = "") -> float:
    """Convert a length to feet.

    Args:
        value: the number to convert
        from_unit: m or km
        note: a remark
    """
    return round(value * {"m": 1.0, "km": 1000.0}[from_unit] / 0.3048, 2)


def clock() -> str:
    """The time now."""
    return "12:00"


class _Recorder(httpx2.AsyncBaseTransport):
    """The sandbox, with every request body and reply body kept."""

    def __init__(self) -> None:
        self.inner = StreamingASGITransport(SandboxApp())
        self.exchanges: list[tuple[dict[str, Any], bytes]] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        self.exchanges.append((json.loads(request.content), body))
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx2.Response(response.status_code, headers=headers, content=body, request=request)


def _parts(chunk: dict[str, Any]) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = chunk["candidates"][0]["content"].get("parts", [])
    return parts


async def _run(**options: Any) -> tuple[list[Any], list[tuple[dict[str, Any], bytes]]]:
    recorder = _Recorder()
    async with httpx2.AsyncClient(transport=recorder) as http:
        client = AsyncClient(sandbox=True, http_client=http)
        events = [
            e async for e in client.stream(VERTEX, PROMPT, tools=[convert, clock], thinking="high", **options)
        ]
    return events, recorder.exchanges


async def test_vertex_streams_the_arguments_and_the_loop_runs_whole_calls() -> None:
    events, exchanges = await _run(**STREAM_ARGS)
    first_request, first_reply = exchanges[0]
    assert first_request["toolConfig"] == STREAM_ARGS["toolConfig"]
    chunks = [json.loads(data) for _, data in frames_of(first_reply)]
    calls = [p["functionCall"] for c in chunks for p in _parts(c) if "functionCall" in p]
    assert calls[0]["name"] == "convert" and calls[0]["willContinue"] is True
    partial = [a for c in calls for a in c.get("partialArgs", [])]
    assert {a["jsonPath"] for a in partial} == {"$.value", "$.from_unit", "$.note"}
    assert [a["stringValue"] for a in partial if a["jsonPath"] == "$.note"] == ["a lon", "g way", ""]
    assert sum(c == {} for c in calls) == 2 and not any("args" in c for c in calls)
    # the loop: each call assembled whole, run, and sent back whole with the first one signed
    done = events[-1]
    assert isinstance(done, Done)
    assert [(c.name, c.arguments, c.output) for c in done.result.tool_calls] == [
        ("convert", {"value": 3.2, "from_unit": "km", "note": "a long way"}, "10498.69"),
        ("clock", {}, "12:00"),
    ]
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    first_turn = [d for d in deltas if d.index == 0][:2]
    assert (
        first_turn[0].name == "convert" and json.loads(first_turn[1].arguments_delta)["note"] == "a long way"
    )
    model_turn = exchanges[1][0]["contents"][1]
    sent_calls = [p for p in model_turn["parts"] if "functionCall" in p]
    assert [p["functionCall"]["args"] for p in sent_calls] == [
        {"value": 3.2, "from_unit": "km", "note": "a long way"},
        {},
    ]
    assert "thoughtSignature" in sent_calls[0] and "thoughtSignature" not in sent_calls[1]
    assert not any(
        "partialArgs" in p["functionCall"] or "willContinue" in p["functionCall"] for p in sent_calls
    )


async def test_without_the_option_calls_arrive_whole() -> None:
    _, exchanges = await _run()
    chunks = [json.loads(data) for _, data in frames_of(exchanges[0][1])]
    calls = [p["functionCall"] for c in chunks for p in _parts(c) if "functionCall" in p]
    assert [c["name"] for c in calls] == ["convert", "clock"] and all("args" in c for c in calls)
