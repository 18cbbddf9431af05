"""One AsyncClient across several `asyncio.run(...)` calls (issue 11, defect 7).

The shared httpx2 client used to be bound to the first loop, so every later asyncio.run failed with
"RuntimeError: Event loop is closed" on a pooled connection. A client the AsyncClient made itself is
now one per loop, closed when its loop shuts down; an injected http_client= gets a clear error.
"""

from __future__ import annotations

import asyncio
import gc
import warnings

import httpx2
import pytest

from providers.client import AsyncClient
from providers.errors import ConfigurationError
from providers.registry import provider_spec
from providers.sandbox import SandboxApp
from providers.types import Done
from tests.loopback import serve

CHAT = "anthropic/claude-sonnet-5-5"


@pytest.fixture(autouse=True)
def _real_asyncio_run(monkeypatch: pytest.MonkeyPatch) -> None:
    # nest-asyncio2 (LLMKit(loop="nest"), tested elsewhere in the run) replaces asyncio.run for the
    # whole process with one that reuses the current loop; these tests are about the real one
    monkeypatch.setattr(asyncio, "run", asyncio.runners.run)


STREAM = "openai/gpt-6.1-terra"


async def _chat_and_stream(client: AsyncClient) -> tuple[str, str]:
    answer = await client.chat(CHAT, "Why is the sky blue?")
    streamed = ""
    async for event in client.stream(STREAM, "Why is the sea blue?"):
        if isinstance(event, Done):
            streamed = event.result.text
    return answer.text, streamed


def _without_resource_warnings(run: object) -> None:
    gc.collect()  # (what earlier tests left behind is not this test's to count)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run()  # type: ignore[operator]
        gc.collect()
    leaked = [
        str(w.message)
        for w in caught
        if issubclass(w.category, ResourceWarning) and "event loop" not in str(w.message)
    ]
    assert not leaked, leaked


def test_one_client_over_tcp_across_several_asyncio_runs() -> None:
    with serve(SandboxApp()) as server:
        urls = {p: server.url(p, provider_spec(p).base_url) for p in ("anthropic", "openai")}
        client = AsyncClient(base_urls=urls)

        def three_runs() -> None:
            for _ in range(3):
                answer, streamed = asyncio.run(_chat_and_stream(client))
                assert answer and streamed

        _without_resource_warnings(three_runs)
    assert len(server.clients) == 6
    # each loop's connection is reused within the loop and closed when the loop shuts down
    assert server.connections == 3


def test_sandbox_client_across_several_asyncio_runs_keeps_one_app() -> None:
    client = AsyncClient(sandbox=True)
    app = client.sandbox_app
    for _ in range(3):
        answer, streamed = asyncio.run(_chat_and_stream(client))
        assert answer and streamed
    assert client.sandbox_app is app  # faults injected and requests recorded stay on one app
    assert len(app.requests) == 6


def test_a_loop_closed_without_shutting_down_its_generators_does_not_break_the_next() -> None:
    # loop.close() alone (no shutdown_asyncgens): the next loop still gets a working client
    client = AsyncClient(sandbox=True)
    for _ in range(2):
        loop = asyncio.new_event_loop()
        try:
            assert loop.run_until_complete(_chat_and_stream(client))[0]
        finally:
            loop.close()
    assert asyncio.run(_chat_and_stream(client))[1]


def test_aclose_in_each_run_then_a_new_run_works() -> None:
    client = AsyncClient(sandbox=True)

    async def use_and_close() -> str:
        async with client:
            return (await client.chat(CHAT, "hi")).text

    assert asyncio.run(use_and_close()) and asyncio.run(use_and_close())


def test_an_injected_http_client_on_a_second_loop_is_a_clear_error() -> None:
    with serve(SandboxApp()) as server:
        urls = {p: server.url(p, provider_spec(p).base_url) for p in ("anthropic", "openai")}
        http = httpx2.AsyncClient()
        client = AsyncClient(base_urls=urls, http_client=http)
        assert asyncio.run(_chat_and_stream(client))[0]
        with pytest.raises(ConfigurationError) as err:
            asyncio.run(_chat_and_stream(client))
        message = str(err.value)
        assert "http_client=" in message and "asyncio.run" in message and "leave out http_client=" in message
        assert len(server.clients) == 2  # refused before anything was sent
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)  # its pooled connection died with its loop
            del client, http, err  # (the traceback holds the client too)
            gc.collect()


async def test_an_injected_http_client_is_used_as_given_and_left_open() -> None:
    with serve(SandboxApp()) as server:
        http = httpx2.AsyncClient()
        async with AsyncClient(base_urls={"anthropic": server.url("anthropic", "")}, http_client=http) as c:
            assert c.transport.client is http
            assert (await c.chat(CHAT, "hi")).text
        assert not http.is_closed
        await http.aclose()
