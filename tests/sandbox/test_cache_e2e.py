"""The response cache end to end: hits at $0 with no request, stream replay, bypass, refresh, no secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmkit_nb import LLMKit
from providers.client import AsyncClient
from providers.errors import ConfigurationError, IncompleteStreamError, InvalidParameterError, RateLimitError
from providers.types import Done, TextDelta, ThinkingDelta
from tests.conftest import CANARY

GPT = "openai/gpt-6.1-terra"
CLAUDE = "anthropic/claude-sonnet-5-5"


def stored_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


async def test_a_repeated_call_is_answered_from_disk_at_no_cost(tmp_path: Path) -> None:
    async with AsyncClient(sandbox=True, cache=tmp_path / "c.sqlite3") as client:
        first = await client.chat(GPT, "Why is the sky blue?", thinking="low")
        sent = len(client.sandbox_app.requests)
        again = await client.chat(GPT, "Why is the sky blue?", thinking="low")
        assert len(client.sandbox_app.requests) == sent  # nothing sent
        assert again.cached and not first.cached
        assert again.cost_usd == 0.0 and first.cost_usd and first.cost_usd > 0
        assert again.text == first.text and again.reasoning == first.reasoning
        assert again.request_id == first.request_id and again.usage == first.usage
        other = await client.chat(GPT, "Why is the sky blue?", thinking="high")  # a different body
        assert not other.cached and len(client.sandbox_app.requests) == sent + 1


async def test_streams_replay_as_events(tmp_path: Path) -> None:
    async with AsyncClient(sandbox=True, cache=tmp_path / "c.sqlite3") as client:
        runs = []
        for _ in range(2):
            events = [e async for e in client.stream(CLAUDE, "Count to three.", thinking="low")]
            runs.append(events)
        live, replayed = runs
        assert len(client.sandbox_app.requests) == 1
        kinds = [type(e) for e in replayed]
        assert TextDelta in kinds and ThinkingDelta in kinds and kinds == [type(e) for e in live]
        assert [e.text for e in replayed[:-1]] == [e.text for e in live[:-1]]  # type: ignore[union-attr]
        done = replayed[-1]
        assert isinstance(done, Done) and done.result.cached and done.result.cost_usd == 0.0
        # a streamed and a whole call are different requests (the body says stream: true)
        whole = await client.chat(CLAUDE, "Count to three.", thinking="low")
        assert not whole.cached


async def test_a_stream_cut_short_is_not_kept(tmp_path: Path) -> None:
    async with AsyncClient(sandbox=True, cache=tmp_path / "c.sqlite3", max_retries=0) as client:
        client.sandbox_app.inject("drop")
        with pytest.raises(IncompleteStreamError):
            async for _ in client.stream(GPT, "Tell me a story."):
                pass
        assert client.cache is not None and len(client.cache) == 0
        events = [e async for e in client.stream(GPT, "Tell me a story.")]
        assert isinstance(events[-1], Done) and not events[-1].result.cached
        assert len(client.cache) == 1


async def test_failures_are_not_kept(tmp_path: Path) -> None:
    async with AsyncClient(sandbox=True, cache=tmp_path / "c.sqlite3", max_retries=0) as client:
        client.sandbox_app.inject("429")
        with pytest.raises(RateLimitError):
            await client.chat(GPT, "hello")
        assert client.cache is not None and len(client.cache) == 0
        assert not (await client.chat(GPT, "hello")).cached


async def test_bypass_and_refresh(tmp_path: Path) -> None:
    async with AsyncClient(sandbox=True, cache=tmp_path / "c.sqlite3") as client:
        await client.chat(GPT, "hello")
        bypass = await client.chat(GPT, "hello", cache=False)
        assert not bypass.cached and len(client.sandbox_app.requests) == 2
        refreshed = await client.chat(GPT, "hello", cache="refresh")
        assert not refreshed.cached and len(client.sandbox_app.requests) == 3
        assert (await client.chat(GPT, "hello")).request_id == refreshed.request_id  # overwritten
        with pytest.raises(InvalidParameterError, match="cache="):
            await client.chat(GPT, "hello", cache="sometimes")
    async with AsyncClient(sandbox=True) as plain:
        assert plain.cache is None
        assert not (await plain.chat(GPT, "hello", cache=True)).cached  # no cache: cache=True is a no-op
        with pytest.raises(ConfigurationError, match="needs a cache"):
            await plain.chat(GPT, "hello", cache="refresh")


async def test_sandbox_answers_are_never_served_for_live_calls(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    async with AsyncClient(sandbox=True, cache=path) as sandbox:
        await sandbox.chat(GPT, "hello")
    async with AsyncClient(cache=path) as live:
        prep = live.prepare(GPT, "hello")
        from providers.cache import ResponseCache

        assert live.cache is not None
        assert live.cache.get(ResponseCache.key("openai", prep.call, "live") or "") is None
        assert live.cache.get(ResponseCache.key("openai", prep.call, "sandbox") or "") is not None


async def test_keys_are_never_stored(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    async with AsyncClient(sandbox=True, cache=path) as client:
        for model in (GPT, CLAUDE, "gemini/gemini-3.8-flash", "mistral/mistral-medium-3-5"):
            await client.chat(model, "hello there")
            async for _ in client.stream(model, "stream it"):
                pass
        recorded = client.sandbox_app.requests[0].headers
        assert "authorization" in recorded  # the canary key was sent (redacted in the record)
        assert client.cache is not None and len(client.cache) == 8
    data = stored_bytes(path)
    assert data and CANARY.encode() not in data
    assert b"sk-canary" not in data


def test_kit_cache_footer_ledger_and_clear(tmp_path: Path) -> None:
    with LLMKit(sandbox=True, cache=tmp_path / "c.sqlite3") as kit:
        first = kit.chat(GPT, "Name a prime.")
        again = kit.chat(GPT, "Name a prime.")
        html = again._repr_mimebundle_()["text/html"]
        assert "cached ($0)" in html and "cached" not in first._repr_mimebundle_()["text/html"]
        assert "cached ($0)" in again._repr_mimebundle_()["text/plain"]
        streamed = kit.chat(GPT, "Name a prime.", stream=True)
        replayed = kit.chat(GPT, "Name a prime.", stream=True)
        assert not streamed.cached and replayed.cached and replayed.text == streamed.text
        entries = list(kit.usage())
        assert [e.cached for e in entries] == [False, True, False, True]
        assert entries[1].cost_usd == 0.0 and entries[3].cost_usd == 0.0
        assert not kit.chat(GPT, "Name a prime.", cache=False).cached
        assert kit.cache.clear() == 2 and not kit.chat(GPT, "Name a prime.").cached
