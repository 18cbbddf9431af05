"""The sandbox's rate limits (each provider's own header names, 429 with retry-after) and long answers."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest

from providers.sandbox import ANSWER_WORDS_HEADER, SandboxApp
from providers.sandbox.__main__ import main as serve
from providers.sandbox.limits import RateLimit, parse_rate_limit

OPENAI = "https://api.openai.com/v1/chat/completions"
ANTHROPIC = "https://api.anthropic.com/v1/messages"
GEMINI = "https://generativelanguage.googleapis.com/v1beta/models/gemini-3.8-flash:generateContent"
GROQ = "https://api.groq.com/openai/v1/chat/completions"
OAI_HEADERS = {"authorization": "Bearer sk-test"}
ANT_HEADERS = {"x-api-key": "sk-ant", "anthropic-version": "2023-06-01"}


class Clock:
    def __init__(self) -> None:
        self.now = 1_764_115_200.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> SandboxApp:
    return SandboxApp(clock=clock)


@pytest.fixture
async def client(app: SandboxApp) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app)) as c:
        yield c


def chat_body(text: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"model": "gpt-6.1-terra", "messages": [{"role": "user", "content": text}], **extra}


async def test_no_limit_no_headers(client: httpx2.AsyncClient) -> None:
    r = await client.post(OPENAI, json=chat_body(), headers=OAI_HEADERS)
    assert r.status_code == 200
    assert not [k for k in r.headers if "ratelimit" in k]


async def test_openai_headers_count_down_then_429_with_retry_after_then_the_window_refills(
    app: SandboxApp, client: httpx2.AsyncClient, clock: Clock
) -> None:
    app.rate_limit("openai", requests=2, window=10)
    first = await client.post(OPENAI, json=chat_body(), headers=OAI_HEADERS)
    assert first.headers["x-ratelimit-limit-requests"] == "2"
    assert first.headers["x-ratelimit-remaining-requests"] == "1"
    assert first.headers["x-ratelimit-reset-requests"] == "10s"
    clock.now += 2.5
    second = await client.post(OPENAI, json=chat_body(), headers=OAI_HEADERS)
    assert second.status_code == 200 and second.headers["x-ratelimit-remaining-requests"] == "0"
    assert second.headers["x-ratelimit-reset-requests"] == "7.5s"
    refused = await client.post(OPENAI, json=chat_body(), headers=OAI_HEADERS)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limit_exceeded"
    assert refused.headers["retry-after"] == "8" and refused.headers["retry-after-ms"] == "7500"
    clock.now += 7.5
    again = await client.post(OPENAI, json=chat_body(), headers=OAI_HEADERS)
    assert again.status_code == 200 and again.headers["x-ratelimit-remaining-requests"] == "1"


async def test_token_limit_counts_the_request_text(app: SandboxApp, client: httpx2.AsyncClient) -> None:
    app.rate_limit("openai", tokens=60, window=60)
    r = await client.post(OPENAI, json=chat_body("one two three"), headers=OAI_HEADERS)
    used = 60 - int(r.headers["x-ratelimit-remaining-tokens"])
    assert 1 <= used < 60
    assert "x-ratelimit-remaining-requests" not in r.headers
    big = await client.post(OPENAI, json=chat_body("word " * 200), headers=OAI_HEADERS)
    assert big.status_code == 429


async def test_anthropic_names_and_rfc3339_reset(app: SandboxApp, client: httpx2.AsyncClient) -> None:
    app.rate_limit("anthropic", requests=1, tokens=10_000, window=30)
    body = {"model": "claude-haiku-5-5", "max_tokens": 100, "messages": [{"role": "user", "content": "hi"}]}
    ok = await client.post(ANTHROPIC, json=body, headers=ANT_HEADERS)
    assert ok.status_code == 200
    assert ok.headers["anthropic-ratelimit-requests-limit"] == "1"
    assert ok.headers["anthropic-ratelimit-requests-remaining"] == "0"
    reset = datetime.datetime.fromisoformat(ok.headers["anthropic-ratelimit-requests-reset"])
    assert reset.timestamp() == 1_764_115_200 + 30
    for family in ("tokens", "input-tokens", "output-tokens"):
        assert int(ok.headers[f"anthropic-ratelimit-{family}-remaining"]) < 10_000
    assert not [k for k in ok.headers if k.startswith("x-ratelimit")]
    refused = await client.post(ANTHROPIC, json=body, headers=ANT_HEADERS)
    assert refused.status_code == 429 and refused.json()["error"]["type"] == "rate_limit_error"
    assert refused.headers["retry-after"] == "30" and "retry-after-ms" not in refused.headers


async def test_gemini_sends_no_rate_limit_headers_only_retry_after(
    app: SandboxApp, client: httpx2.AsyncClient
) -> None:
    app.rate_limit("gemini", requests=1, window=5)
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    headers = {"x-goog-api-key": "k"}
    assert (await client.post(GEMINI, json=body, headers=headers)).status_code == 200
    refused = await client.post(GEMINI, json=body, headers=headers)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "5"
    assert not [k for k in refused.headers if "ratelimit" in k]


async def test_openai_compatible_vendors_use_openai_names(
    app: SandboxApp, client: httpx2.AsyncClient
) -> None:
    app.rate_limit("groq", requests=5, window=60)
    body = {"model": "llama-4-scout", "messages": [{"role": "user", "content": "hi"}]}
    r = await client.post(GROQ, json=body, headers=OAI_HEADERS)
    assert r.headers["x-ratelimit-remaining-requests"] == "4"


async def test_limits_are_per_provider_and_can_be_lifted(app: SandboxApp, client: httpx2.AsyncClient) -> None:
    app.rate_limit("openai", requests=1, window=60)
    assert (await client.post(OPENAI, json=chat_body(), headers=OAI_HEADERS)).status_code == 200
    assert (await client.post(OPENAI, json=chat_body(), headers=OAI_HEADERS)).status_code == 429
    body = {"model": "claude-haiku-5-5", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]}
    assert (await client.post(ANTHROPIC, json=body, headers=ANT_HEADERS)).status_code == 200
    app.rate_limit("openai")
    assert (await client.post(OPENAI, json=chat_body(), headers=OAI_HEADERS)).status_code == 200


def test_bad_limits_are_refused() -> None:
    for bad in ({"requests": 0}, {"tokens": -1}, {"requests": 1, "window": 0}, {}):
        with pytest.raises(ValueError):
            RateLimit(**bad)  # type: ignore[arg-type]


def test_server_flag_parses() -> None:
    assert parse_rate_limit("openai=60/30") == ("openai", RateLimit(requests=60, window=30.0))
    assert parse_rate_limit("Anthropic=5,tokens=2000") == ("anthropic", RateLimit(5, 2000, 60.0))
    assert parse_rate_limit("openai=,tokens=100") == ("openai", RateLimit(None, 100, 60.0))
    for bad in ("openai", "openai=x", "openai=5,bogus=1", "=5"):
        with pytest.raises(ValueError):
            parse_rate_limit(bad)
    with pytest.raises(SystemExit):
        serve(["--rate-limit", "openai=lots"])


async def test_answer_words_header_pads_the_answer_to_that_many_deltas(client: httpx2.AsyncClient) -> None:
    headers = {**OAI_HEADERS, ANSWER_WORDS_HEADER: "500"}
    whole = await client.post(OPENAI, json=chat_body(), headers=headers)
    assert len(whole.json()["choices"][0]["message"]["content"].split()) == 500
    streamed = await client.post(OPENAI, json=chat_body(stream=True), headers=headers)
    deltas = [
        line for line in streamed.text.split("\n") if '"content":"' in line and '"content":""' not in line
    ]
    assert len(deltas) == 500
    plain = await client.post(OPENAI, json=chat_body(), headers=OAI_HEADERS)
    assert len(plain.json()["choices"][0]["message"]["content"].split()) < 20  # only that request
    bad = await client.post(OPENAI, json=chat_body(), headers={**OAI_HEADERS, ANSWER_WORDS_HEADER: "-3"})
    assert bad.status_code == 400 and ANSWER_WORDS_HEADER in bad.json()["error"]["message"]
