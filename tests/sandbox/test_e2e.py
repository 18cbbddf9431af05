"""End to end through the sandbox: LLMKit and AsyncClient over the real request path, offline."""

from __future__ import annotations

import asyncio
import os
import signal
import threading

import pytest

from llmkit_nb import LLMKit
from llmkit_nb.display.objects import chat_mimebundle, error_mimebundle
from providers.asgi_transport import StreamingASGITransport
from providers.client import AsyncClient
from providers.errors import BadRequestError, IncompleteStreamError, OverloadedError, RateLimitError
from providers.sandbox import SandboxApp
from providers.transport import default_http_client
from providers.types import Done, TextDelta, ThinkingDelta, ThinkingPart
from tests.conftest import CANARY

MODELS = ["anthropic/claude-sonnet-5-5", "openai/gpt-6.1-terra"]


@pytest.fixture
def kit():  # type: ignore[no-untyped-def]
    k = LLMKit(sandbox=True)
    yield k
    k.close()


@pytest.mark.parametrize("model", MODELS)
def test_chat_with_thinking_shows_reasoning(kit: LLMKit, model: str) -> None:
    r = kit.chat(model, "Why is the sky blue?", thinking="high")
    assert "Why is the sky blue?" in r.text
    assert r.reasoning and r.usage.reasoning_tokens and r.usage.reasoning_tokens > 0
    assert r.sandbox and r.endpoint.startswith("https://api.") and r.latency_s is not None
    html = chat_mimebundle(r)["text/html"]
    assert "<details" in html and "SANDBOX" in html
    assert ("effort" in str(r.sent)) and r.request_id


@pytest.mark.parametrize("model", MODELS)
def test_thinking_appears_only_when_asked(kit: LLMKit, model: str) -> None:
    r = (
        kit.chat(model, "hello", thinking=False)
        if model.startswith("openai")
        else kit.chat("anthropic/claude-opus-4-8", "hello")
    )
    assert r.reasoning == "" and not r.usage.reasoning_tokens


@pytest.mark.parametrize("model", MODELS)
def test_stream_matches_the_non_streamed_answer(kit: LLMKit, model: str) -> None:
    whole = kit.chat(model, "Olá, coração 🌍 — ça va?", thinking="low")
    streamed = kit.chat(model, "Olá, coração 🌍 — ça va?", thinking="low", stream=True)
    assert streamed.text == whole.text and streamed.reasoning == whole.reasoning
    assert streamed.usage.reasoning_tokens == whole.usage.reasoning_tokens


async def test_stream_events_arrive_before_the_server_finishes() -> None:
    """Deltas reach the caller while the app is still producing the body (no buffering)."""
    app = SandboxApp(delay=0.01)
    produced: list[int] = []

    async def counting_app(scope, receive, send):  # type: ignore[no-untyped-def]
        async def counting_send(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.body":
                produced.append(len(message.get("body", b"")))
            await send(message)

        await app(scope, receive, counting_send)

    client = AsyncClient(sandbox=True, http_client=default_http_client(StreamingASGITransport(counting_app)))
    seen_at_first_delta = None
    kinds = []
    async for event in client.stream(
        "anthropic/claude-sonnet-5-5", "a question with several words in it", thinking="high"
    ):
        if seen_at_first_delta is None and isinstance(event, ThinkingDelta | TextDelta):
            seen_at_first_delta = len(produced)
        kinds.append(type(event).__name__)
    assert kinds[0] == "ThinkingDelta" and kinds[-1] == "Done" and "TextDelta" in kinds
    assert seen_at_first_delta is not None and seen_at_first_delta < len(produced) / 2
    await client.aclose()


def test_multi_turn_sends_thinking_back_intact(kit: LLMKit) -> None:
    first = kit.chat("anthropic/claude-sonnet-5-5", "What is 17 * 23?", thinking="medium")
    assert first.thinking_parts[0].signature
    follow = kit.chat(
        "anthropic/claude-sonnet-5-5",
        [{"role": "user", "content": "What is 17 * 23?"}, first, {"role": "user", "content": "Now add 9."}],
        thinking="medium",
    )
    assert "Now add 9." in follow.text
    sent = kit.client.sandbox_app.requests[-1].body["messages"][1]["content"]
    assert sent[0] == {
        "type": "thinking",
        "thinking": first.reasoning,
        "signature": first.thinking_parts[0].signature,
    }


def test_a_tampered_signature_is_refused_by_the_sandbox(kit: LLMKit) -> None:
    first = kit.chat("anthropic/claude-sonnet-5-5", "q", thinking="low")
    forged = first.to_message()
    forged.parts[0] = ThinkingPart(
        text="something else", signature=first.thinking_parts[0].signature, provider="anthropic"
    )
    with pytest.raises(BadRequestError):
        kit.chat(
            "anthropic/claude-sonnet-5-5",
            [{"role": "user", "content": "q"}, forged, {"role": "user", "content": "r"}],
        )


def test_openai_reasoning_items_round_trip(kit: LLMKit) -> None:
    first = kit.chat("openai/gpt-6.1-terra", "q", thinking="low")
    second = kit.chat(
        "openai/gpt-6.1-terra",
        [{"role": "user", "content": "q"}, first, {"role": "user", "content": "again"}],
    )
    assert "again" in second.text
    sent_items = kit.client.sandbox_app.requests[-1].body["input"]
    assert sent_items[1]["type"] == "reasoning" and sent_items[1]["id"] == first.thinking_parts[0].id


def test_429_is_retried_and_shown(kit: LLMKit) -> None:
    kit.sandbox_fault("429")
    r = kit.chat("openai/gpt-6.1-terra", "hi")
    assert [x.reason for x in r.retries] == ["429"]
    assert "retried" in chat_mimebundle(r)["text/html"]


def test_persistent_overload_is_typed(kit: LLMKit) -> None:
    kit.sandbox_fault("529", times=3)
    with pytest.raises(OverloadedError) as info:
        kit.chat("anthropic/claude-sonnet-5-5", "hi")
    assert info.value.status == 529 and info.value.provider == "anthropic" and info.value.request_id


def test_rate_limit_over_the_cap_is_not_waited(kit: LLMKit) -> None:
    kit.sandbox_fault("429:120")
    with pytest.raises(RateLimitError) as info:
        kit.chat("openai/gpt-6.1-terra", "hi")
    assert info.value.retry_after == 120.0


@pytest.mark.parametrize("model", MODELS)
def test_dropped_stream_keeps_what_arrived(kit: LLMKit, model: str) -> None:
    kit.sandbox_fault("drop")
    with pytest.raises(IncompleteStreamError) as info:
        kit.chat(model, "a long question with quite a few words in it", thinking="high", stream=True)
    partial = info.value.partial
    assert partial.incomplete and (partial.reasoning or partial.text)
    for part in partial.thinking_parts:
        if part.truncated:
            assert part.signature is None  # never send a signature of a cut-short block
    html = error_mimebundle(info.value)["text/html"]
    assert "incomplete" in html.lower()


def test_malformed_frame_is_a_typed_stream_error(kit: LLMKit) -> None:
    kit.sandbox_fault("malformed")
    with pytest.raises(IncompleteStreamError, match="malformed"):
        kit.chat("anthropic/claude-sonnet-5-5", "hi there", thinking="low", stream=True)


def test_large_budget_streams_under_the_hood(kit: LLMKit) -> None:
    r = kit.chat("anthropic/claude-haiku-4-5", "think hard", thinking=30000)
    assert r.sent["max_tokens"] > 21333 and r.sent.get("stream") is True
    assert any("streamed under the hood" in n for n in r.notes)


def test_interrupt_during_stream_cancels_and_closes() -> None:
    kit = LLMKit(sandbox=True, sandbox_delay=0.2)
    threading.Timer(0.5, os.kill, args=(os.getpid(), signal.SIGINT)).start()
    with pytest.raises(KeyboardInterrupt):
        kit.chat("anthropic/claude-sonnet-5-5", "a question " * 20, thinking="max", stream=True)

    async def pending() -> int:
        return len([t for t in asyncio.all_tasks() if t is not asyncio.current_task()])

    assert kit._runner.run(pending()) == 0  # the app task and the response are gone
    r = kit.chat("openai/gpt-6.1-terra", "still works?")
    assert "still works?" in r.text
    kit.close()


def test_canary_never_reaches_outputs(kit: LLMKit) -> None:
    r = kit.chat("anthropic/claude-sonnet-5-5", "hi", thinking="low")
    bundle = chat_mimebundle(r)
    assert CANARY not in bundle["text/html"] and CANARY not in bundle["text/plain"] and CANARY not in repr(r)
    assert CANARY not in str(kit.client.sandbox_app.requests[-1])


async def test_async_client_done_event_carries_the_result() -> None:
    async with AsyncClient(sandbox=True) as client:
        events = [e async for e in client.stream("openai/gpt-6.1-terra", "hi", thinking="low", api="chat")]
    done = events[-1]
    assert isinstance(done, Done) and done.result.text and done.result.usage.reasoning_tokens
    assert done.result.endpoint.endswith("/chat/completions")
