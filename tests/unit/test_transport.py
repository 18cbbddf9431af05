"""Transport: the official SDKs' retry rules, Retry-After, typed errors, stream retries before first byte."""

from __future__ import annotations

import httpx2
import pytest

from providers.chat.openai_chat import OpenAIChat
from providers.errors import APIConnectionError, AuthenticationError, RateLimitError, ServerError
from providers.transport import RetryPolicy, Transport, retry_after_seconds
from providers.types import HttpCall

CALL = HttpCall(
    url="https://api.openai.com/v1/chat/completions",
    headers={"authorization": "Bearer k"},
    json_body={"model": "m"},
)
PARSE = lambda status, headers, body: OpenAIChat().parse_error("openai", status, headers, body)  # noqa: E731


def make(
    responses: list[httpx2.Response | Exception], **policy: float
) -> tuple[Transport, list[float], list[httpx2.Request]]:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        item = responses.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    transport = Transport(
        httpx2.AsyncClient(transport=httpx2.MockTransport(handler)), policy=RetryPolicy(**policy)
    )  # type: ignore[arg-type]
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    transport.sleep = fake_sleep
    return transport, waits, seen


def err(status: int, **headers: str) -> httpx2.Response:
    return httpx2.Response(
        status, json={"error": {"message": f"failed {status}", "type": "x", "code": None}}, headers=headers
    )


async def test_retries_429_then_succeeds_honouring_retry_after() -> None:
    transport, waits, seen = make(
        [err(429, **{"retry-after": "3"}), err(500), httpx2.Response(200, json={"ok": 1})]
    )
    reply = await transport.send(CALL, provider="openai", parse_error=PARSE)
    assert reply.json() == {"ok": 1}
    assert waits[0] == 3.0 and 0.5 <= waits[1] <= 1.0  # second retry: backoff 1 s with jitter 0.75-1.0
    assert [r.reason for r in reply.retries] == ["429", "500"]
    assert seen[1].headers["x-stainless-retry-count"] == "1"


async def test_backoff_doubles_and_caps() -> None:
    policy = RetryPolicy()
    for attempt, top in [(1, 0.5), (2, 1.0), (3, 2.0), (5, 8.0), (9, 8.0)]:
        assert 0.75 * top <= policy.backoff(attempt) <= top


async def test_gives_up_after_two_retries_with_typed_error() -> None:
    transport, waits, seen = make([err(503), err(503), err(503, **{"x-request-id": "req_3"})])
    with pytest.raises(ServerError) as info:
        await transport.send(CALL, provider="openai", parse_error=PARSE)
    assert len(seen) == 3 and len(waits) == 2
    assert info.value.status == 503 and info.value.request_id == "req_3" and info.value.provider == "openai"


async def test_client_errors_are_not_retried() -> None:
    transport, waits, _ = make([err(401)])
    with pytest.raises(AuthenticationError):
        await transport.send(CALL, provider="openai", parse_error=PARSE)
    assert waits == []


async def test_retry_after_above_cap_is_not_waited_out() -> None:
    transport, waits, _ = make([err(429, **{"retry-after": "120"})])
    with pytest.raises(RateLimitError) as info:
        await transport.send(CALL, provider="openai", parse_error=PARSE)
    assert waits == [] and info.value.retry_after == 120.0


async def test_x_should_retry_false_wins() -> None:
    transport, waits, _ = make([err(500, **{"x-should-retry": "false"})])
    with pytest.raises(ServerError):
        await transport.send(CALL, provider="openai", parse_error=PARSE)
    assert waits == []


async def test_connection_errors_retry_then_raise_typed() -> None:
    boom = httpx2.ConnectError("refused")
    transport, waits, _ = make([boom, boom, boom])
    with pytest.raises(APIConnectionError, match="could not reach openai"):
        await transport.send(CALL, provider="openai", parse_error=PARSE)
    assert len(waits) == 2


async def test_stream_retries_before_first_byte() -> None:
    sse = httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=b"data: [DONE]\n\n")
    transport, waits, _ = make([err(529), sse])
    assert waits == [] or len(waits) == 1
    call = CALL.model_copy(update={"stream": True})
    async with transport.stream(call, provider="openai", parse_error=PARSE) as stream:
        events = [e.data async for e in stream.events()]
    assert events == ["[DONE]"] and [r.reason for r in stream.retries] == ["529"]


def test_retry_after_forms() -> None:
    assert retry_after_seconds(httpx2.Headers({"retry-after-ms": "1500"})) == 1.5
    assert retry_after_seconds(httpx2.Headers({"retry-after": "2"})) == 2.0
    date = retry_after_seconds(httpx2.Headers({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}))
    assert date == 0.0
    assert retry_after_seconds(httpx2.Headers({})) is None
