"""Rate limits read from response headers: parsing, slowing down before the window is spent, 429 pauses."""

from __future__ import annotations

import datetime

import pytest

from providers.ratelimit import ProviderLimit, RateLimits, parse_duration, parse_limits

EPOCH = 1_764_115_200.0


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("20ms", 0.02), ("1s", 1.0), ("6m0s", 360.0), ("1h2m3.5s", 3723.5), ("2m59.56s", 179.56), ("7", 7.0)],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "soon", "5 parsecs", "1x"])
def test_parse_duration_rejects_nonsense(text: str) -> None:
    assert parse_duration(text) is None


def test_openai_headers() -> None:
    got = parse_limits(
        {
            "x-ratelimit-limit-requests": "500",
            "x-ratelimit-remaining-requests": "499",
            "x-ratelimit-reset-requests": "120ms",
            "x-ratelimit-limit-tokens": "30000",
            "x-ratelimit-remaining-tokens": "29950",
            "x-ratelimit-reset-tokens": "6m0s",
        }
    )
    assert got["requests"].remaining == 499 and got["requests"].reset_s == pytest.approx(0.12)
    assert got["requests"].limit == 500
    assert got["tokens"].remaining == 29950 and got["tokens"].reset_s == 360.0


def test_anthropic_headers_take_the_tightest_token_family() -> None:
    reset = datetime.datetime.fromtimestamp(EPOCH + 30, tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    got = parse_limits(
        {
            "anthropic-ratelimit-requests-limit": "50",
            "anthropic-ratelimit-requests-remaining": "3",
            "anthropic-ratelimit-requests-reset": reset,
            "anthropic-ratelimit-input-tokens-remaining": "9000",
            "anthropic-ratelimit-input-tokens-reset": reset,
            "anthropic-ratelimit-output-tokens-remaining": "800",
            "anthropic-ratelimit-output-tokens-reset": reset,
        },
        now=EPOCH,
    )
    assert got["requests"].remaining == 3 and got["requests"].reset_s == 30.0 and got["requests"].limit == 50
    assert got["tokens"].remaining == 800


def test_no_headers_no_limits() -> None:
    assert parse_limits({"content-type": "application/json"}) == {}


def test_waits_when_the_window_is_spent_and_goes_when_it_resets() -> None:
    clock = Clock()
    limit = ProviderLimit(clock)
    limit.take()  # the probe
    headers = {
        "x-ratelimit-limit-requests": "3",
        "x-ratelimit-remaining-requests": "2",
        "x-ratelimit-reset-requests": "10s",
    }
    limit.observe(200, headers, now_epoch=EPOCH)
    limit.release(None)
    assert limit.wait_s() == 0
    limit.take()
    limit.take()
    assert limit.wait_s() == pytest.approx(10.0)  # slows down before a 429
    clock.now += 10
    assert limit.wait_s() == 0  # refilled to the window's size, minus what is still out
    assert limit.requests == 3 - 2


def test_in_flight_requests_count_against_what_is_left() -> None:
    limit = ProviderLimit(Clock())
    limit.take()
    limit.observe(200, {"x-ratelimit-remaining-requests": "1", "x-ratelimit-reset-requests": "1s"})
    limit.release(None)
    limit.take()
    limit.take()  # two out; the server says 1 left; one of ours may not be counted yet
    limit.observe(200, {"x-ratelimit-remaining-requests": "1", "x-ratelimit-reset-requests": "1s"})
    assert limit.requests == 0 and limit.wait_s() > 0


def test_the_first_request_goes_alone() -> None:
    limit = ProviderLimit(Clock())
    assert limit.wait_s() == 0
    limit.take()
    assert limit.wait_s() > 0  # nothing known yet: wait for the first answer
    limit.observe(200, {})  # a provider without rate-limit headers
    assert limit.wait_s() == 0


def test_a_429_pauses_for_retry_after_or_the_reset() -> None:
    clock = Clock()
    limit = ProviderLimit(clock)
    limit.observe(429, {"retry-after": "4"})
    assert limit.wait_s() == pytest.approx(4.0) and limit.limited == 1
    clock.now += 4
    assert limit.wait_s() == 0
    limit.observe(429, {"retry-after-ms": "1500"})
    assert limit.wait_s() == pytest.approx(1.5)
    clock.now += 2
    limit.observe(429, {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "3s"})
    assert limit.wait_s() == pytest.approx(3.0)  # no retry-after: until the window resets
    clock.now += 3
    limit.observe(429, {})
    assert limit.wait_s() == pytest.approx(1.0)  # nothing said: a second


def test_tokens_budget_uses_the_mean_tokens_per_call() -> None:
    clock = Clock()
    limit = ProviderLimit(clock)
    limit.take()
    limit.observe(200, {"x-ratelimit-remaining-tokens": "250", "x-ratelimit-reset-tokens": "5s"})
    limit.release(100)
    assert limit.wait_s() == 0
    limit.take()
    limit.take()  # 250 - 2 x 100
    assert limit.wait_s() == pytest.approx(5.0)


async def test_acquire_sleeps_until_the_budget_allows() -> None:
    clock = Clock()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    limits = RateLimits(clock=clock, sleep=sleep)
    await limits.acquire("openai")
    limits.observe("openai", 429, {"retry-after": "2"})
    limits.get("openai").release(None)
    await limits.acquire("openai")
    assert slept == [2.0] and limits.get("openai").waits == 1
