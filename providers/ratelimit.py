"""Client-side rate limiting from the providers' own response headers, for loops such as `map`.

A `RateLimits` watches every response the transport receives (a transport observer, attached only
while a loop runs, so plain calls pay nothing) and keeps, per provider, what the provider said is
left in its current window:

- OpenAI and OpenAI-compatible vendors (Groq, Together, ...): `x-ratelimit-remaining-requests` /
  `-tokens` with `x-ratelimit-reset-requests` / `-tokens` as a duration ("20ms", "1s", "6m0s").
- Anthropic: `anthropic-ratelimit-requests-remaining` / `-reset` (an RFC 3339 instant), and the
  `tokens`, `input-tokens` and `output-tokens` families (the tightest one counts).
- Everyone: on a 429, `retry-after-ms` / `retry-after` (seconds or an HTTP date) pauses the provider.

`acquire(provider)` waits before a request when the provider's window is spent (so a loop slows
down before it hits 429) or while a 429 pause lasts (so it backs off when it does). In-flight
requests count against what is left: the count a response reports may not include requests sent
after it, so the estimate errs on the side of waiting.
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ProviderLimit", "RateLimits", "parse_duration", "parse_limits"]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_BACKOFF_S = 1.0  # a 429 that says nothing about when to come back
_MAX_WAIT_S = 600.0  # a window reset farther away than this is treated as unknown
_POLL_S = 0.01  # while waiting for a response to say how much is left


def parse_duration(value: str) -> float | None:
    """Seconds in an OpenAI-style duration ("20ms", "1s", "6m0s", "1h2m3.5s") or a plain number."""
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parts = _DURATION.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value.replace(" ", ""):
        return None
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    return sum(float(n) * scale[u] for n, u in parts)


def _until(value: str, now: float) -> float | None:
    """Seconds from `now` (epoch) to an RFC 3339 instant, an HTTP date, or an epoch number."""
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        return max(0.0, number - now) if number > 1e9 else max(0.0, number)
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return max(0.0, moment.timestamp() - now)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class Window:
    """What a response said: what is left, the seconds until it refills and the window's size (None:
    not said)."""

    remaining: int
    reset_s: float | None
    limit: int | None = None


def parse_limits(headers: Mapping[str, str], now: float | None = None) -> dict[str, Window]:
    """The request and token windows a response reports, as {"requests": ..., "tokens": ...}."""
    now = time.time() if now is None else now
    out: dict[str, Window] = {}
    for kind in ("requests", "tokens"):
        remaining = _int(headers.get(f"x-ratelimit-remaining-{kind}"))
        if remaining is not None:
            reset = headers.get(f"x-ratelimit-reset-{kind}")
            size = _int(headers.get(f"x-ratelimit-limit-{kind}"))
            out[kind] = Window(remaining, parse_duration(reset) if reset else None, size)
    families = {"requests": ["requests"], "tokens": ["tokens", "input-tokens", "output-tokens"]}
    for kind, names in families.items():
        for name in names:
            remaining = _int(headers.get(f"anthropic-ratelimit-{name}-remaining"))
            if remaining is None:
                continue
            reset = headers.get(f"anthropic-ratelimit-{name}-reset")
            size = _int(headers.get(f"anthropic-ratelimit-{name}-limit"))
            window = Window(remaining, _until(reset, now) if reset else None, size)
            if kind not in out or window.remaining < out[kind].remaining:
                out[kind] = window
    return out


def _retry_after(headers: Mapping[str, str], now: float) -> float | None:
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    return _until(value, now) if value else None


_PREFIXES = (b"x-ratelimit-", b"anthropic-ratelimit-", b"retry-after")


def _limit_headers(headers: Mapping[str, str]) -> Mapping[str, str]:
    """Only the rate-limit headers, in one pass over the raw list (an httpx2.Headers lookup decodes
    every header each time, and a response is looked up a dozen times here)."""
    raw = getattr(headers, "raw", None)
    if raw is None:
        return headers
    return {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in raw
        if name.lower().startswith(_PREFIXES)
    }


class ProviderLimit:
    """One provider's known budget: requests and tokens left, when they refill, and any 429 pause."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.seen = False  # until the first response, one request goes alone (it tells us the limits)
        self.requests: int | None = None
        self.requests_reset = 0.0
        self.requests_limit: int | None = None
        self.tokens: int | None = None
        self.tokens_reset = 0.0
        self.tokens_limit: int | None = None
        self.paused_until = 0.0
        self.in_flight = 0
        self.tokens_per_call = 0.0  # running mean of tokens per finished call (input + output)
        self.calls = 0
        self.waits = 0  # how many times a request waited (slowed down or backed off)
        self.limited = 0  # 429s seen

    def observe(self, status: int, headers: Mapping[str, str], now_epoch: float | None = None) -> None:
        """Take in one response's headers (any status)."""
        now = self.clock()
        epoch = time.time() if now_epoch is None else now_epoch
        self.seen = True
        others = max(0, self.in_flight - 1)  # requests this response's count may not include yet
        for kind, window in parse_limits(headers, epoch).items():
            if window.reset_s is None or window.reset_s > _MAX_WAIT_S:
                continue
            if kind == "requests":
                self.requests = max(0, window.remaining - others)
                self.requests_reset = now + window.reset_s
                self.requests_limit = window.limit
            else:
                self.tokens = max(0, window.remaining - int(others * self.tokens_per_call))
                self.tokens_reset = now + window.reset_s
                self.tokens_limit = window.limit
        if status == 429:
            self.limited += 1
            asked = _retry_after(headers, epoch)
            wait = asked if asked is not None and asked <= _MAX_WAIT_S else None
            if wait is None:
                resets = [r - now for r in (self.requests_reset, self.tokens_reset) if r > now]
                wait = min(resets) if resets else _BACKOFF_S
            self.paused_until = max(self.paused_until, now + wait)

    def pause(self, seconds: float) -> None:
        """Hold every new request for `seconds` (a RateLimitError the transport gave up on)."""
        self.paused_until = max(self.paused_until, self.clock() + max(0.0, seconds))

    def wait_s(self) -> float:
        """Seconds to wait before the next request may go (0: go now)."""
        now = self.clock()
        if self.paused_until > now:
            return self.paused_until - now
        if not self.seen and self.in_flight > 0:
            return _POLL_S
        if self.requests is not None:
            if self.requests_reset <= now:
                # the window refilled: to its known size (minus what is still out) until a response
                # gives the new count and reset; unknown size: no limit until then
                self.requests = None if self.requests_limit is None else self.requests_limit - self.in_flight
                self.requests_reset = float("inf")
            if self.requests is not None and self.requests <= 0:
                return (
                    min(self.requests_reset - now, _MAX_WAIT_S)
                    if self.requests_reset < float("inf")
                    else _POLL_S
                )
        if self.tokens is not None:
            if self.tokens_reset <= now:
                self.tokens = None if self.tokens_limit is None else self.tokens_limit
                self.tokens_reset = float("inf")
            if self.tokens is not None and self.tokens < max(1.0, self.tokens_per_call):
                return (
                    min(self.tokens_reset - now, _MAX_WAIT_S) if self.tokens_reset < float("inf") else _POLL_S
                )
        return 0.0

    def take(self) -> None:
        """Count a request that is about to go."""
        self.in_flight += 1
        if self.requests is not None:
            self.requests -= 1
        if self.tokens is not None:
            self.tokens -= int(self.tokens_per_call)

    def release(self, tokens: int | None) -> None:
        """A request finished; `tokens` is what it used, when known."""
        self.in_flight = max(0, self.in_flight - 1)
        if tokens:
            self.calls += 1
            self.tokens_per_call += (tokens - self.tokens_per_call) / self.calls


class RateLimits:
    """Per-provider limits learned from response headers; attach to a transport while a loop runs."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        self.providers: dict[str, ProviderLimit] = {}

    def get(self, provider: str) -> ProviderLimit:
        limit = self.providers.get(provider)
        if limit is None:
            limit = self.providers[provider] = ProviderLimit(self.clock)
        return limit

    def observe(self, provider: str, status: int, headers: Mapping[str, str]) -> None:
        """The transport observer: every response's status and headers, retried ones included."""
        self.get(provider).observe(status, _limit_headers(headers))

    async def acquire(self, provider: str) -> None:
        """Wait until the provider's known budget allows one more request, then count it."""
        limit = self.get(provider)
        waited = False
        while (wait := limit.wait_s()) > 0:
            waited = True
            await self.sleep(wait)
        if waited:
            limit.waits += 1
        limit.take()
