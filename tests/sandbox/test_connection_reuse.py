"""Streams give their connection back to the pool: back-to-back calls over real TCP share one connection.

Defect 6 of issue 11: the client stopped at a stream's final event and closed the response without
reading its end, so httpx2 dropped the connection and every stream opened a new one (over TLS, a
handshake per call). The official SDKs and raw httpx2 reuse it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2
import pytest

from providers.asgi_transport import StreamingASGITransport
from providers.chat.openai_chat import OpenAIChat
from providers.client import AsyncClient
from providers.registry import provider_spec
from providers.sandbox import SandboxApp
from providers.transport import Transport
from providers.types import Done, HttpCall
from tests.loopback import serve

MODELS = [
    "openai/gpt-6.1-terra",  # Responses API
    "anthropic/claude-sonnet-5-5",
    "gemini/gemini-3-pro",  # its stream ends with the body: always read to the end
    "mistral/mistral-large-latest",
    "deepseek/deepseek-flash",  # OpenAI-style chat completions, ends with data: [DONE]
    "xai/grok-4.3",
]


async def _stream_to_done(client: AsyncClient, model: str) -> Done:
    done = None
    async for event in client.stream(model, "Why is the sky blue?"):
        if isinstance(event, Done):
            done = event
    assert done is not None
    return done


@pytest.mark.parametrize("model", MODELS)
async def test_back_to_back_streams_use_one_connection(model: str) -> None:
    provider = model.split("/")[0]
    with serve(SandboxApp()) as server:
        url = server.url(provider, provider_spec(provider).base_url)
        async with AsyncClient(base_urls={provider: url}) as client:
            first = await _stream_to_done(client, model)
            second = await _stream_to_done(client, model)
            await client.chat(model, "and now in one piece")
    assert first.result.text and second.result.text
    assert len(server.clients) == 3
    assert server.connections == 1, f"{model}: 3 calls opened {server.connections} connections"


async def test_a_stream_cut_short_by_the_caller_does_not_poison_the_pool() -> None:
    # leaving a stream before its end must close that connection (not return a half-read one)
    with serve(SandboxApp(delay=0.01)) as server:
        url = server.url("anthropic", provider_spec("anthropic").base_url)
        async with AsyncClient(base_urls={"anthropic": url}) as client:
            async for _ in client.stream("anthropic/claude-sonnet-5-5", "Why is the sky blue?"):
                break
            done = await _stream_to_done(client, "anthropic/claude-sonnet-5-5")
    assert done.result.text and not done.result.incomplete
    assert server.connections == 2


async def test_drain_gives_up_on_a_body_that_does_not_end() -> None:
    # a server that keeps sending after the final event is not waited on past the bound
    async def endless(scope: Any, receive: Any, send: Any) -> None:
        head = [(b"content-type", b"text/event-stream")]
        await send({"type": "http.response.start", "status": 200, "headers": head})
        await send({"type": "http.response.body", "body": b"data: [DONE]\n\n", "more_body": True})
        while True:
            await asyncio.sleep(0.01)
            ping = b": keep-alive\n\nevent: ping\ndata: {}\n\n"
            await send({"type": "http.response.body", "body": ping, "more_body": True})

    transport = Transport(httpx2.AsyncClient(transport=StreamingASGITransport(endless)))
    call = HttpCall(url="https://api.openai.com/v1/chat/completions", json_body={}, stream=True)
    parse = lambda s, h, b: OpenAIChat().parse_error("openai", s, h, b)  # noqa: E731
    for bound in ({"timeout_s": 0.2}, {"timeout_s": 30.0, "max_bytes": 1000}):
        async with transport.stream(call, provider="openai", parse_error=parse) as sse:
            async for event in sse.events():
                assert event.data == "[DONE]"
                break
            assert await sse.drain(**bound) is False  # type: ignore[arg-type]
    await transport.client.aclose()
