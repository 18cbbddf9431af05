"""Per-provider rate limits in the sandbox, reported in each provider's own response headers.

Off until asked for (`SandboxApp.rate_limit("openai", requests=60, window=60)`, or
`python -m providers.sandbox --rate-limit openai=60/60`). Then every reply from that provider carries
its rate-limit headers, and a request past the limit gets the provider's 429 with `retry-after`:

- OpenAI and the OpenAI-compatible vendors: `x-ratelimit-limit-requests`, `-remaining-requests`,
  `-reset-requests` (a duration such as `"1s"`, `"6m0s"`, `"20ms"`) and the same for `-tokens`; a 429
  also carries `retry-after-ms`.
- Anthropic: `anthropic-ratelimit-requests-limit`, `-remaining`, `-reset` (an RFC 3339 instant) and the
  same for `tokens`, `input-tokens` and `output-tokens`.
- Gemini, Vertex and the rest send no rate-limit headers: only `retry-after` on a 429.

Windows are fixed (they start with the first request and last `window` seconds). A request's tokens
are the sandbox's crude count of its body text, as real limiters estimate before the answer exists.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from . import text as T

__all__ = ["HEADER_STYLES", "RateLimit", "RateLimiter", "parse_rate_limit"]

HEADER_STYLES = {"openai": "openai", "anthropic": "anthropic", "gemini": None, "vertex": None}
"""Which header names a provider uses; a provider not listed is an OpenAI-compatible vendor when the
sandbox serves it through the catalog (OpenAI's names), else it sends none."""


@dataclass(frozen=True)
class RateLimit:
    """At most `requests` requests and `tokens` tokens per `window` seconds (None: that one is unlimited)."""

    requests: int | None = None
    tokens: int | None = None
    window: float = 60.0

    def __post_init__(self) -> None:
        for name in ("requests", "tokens"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise ValueError(f"rate limit {name} must be a positive integer or None, not {value!r}")
        if self.requests is None and self.tokens is None:
            raise ValueError("a rate limit needs requests= or tokens=")
        if not self.window > 0:
            raise ValueError(f"rate limit window must be > 0 seconds, not {self.window!r}")


def parse_rate_limit(spec: str) -> tuple[str, RateLimit]:
    """`"openai=60/60"` (60 requests a minute), `"anthropic=5/1,tokens=2000"` -> (provider, RateLimit)."""
    provider, sep, rest = spec.partition("=")
    if not sep or not provider.strip():
        raise ValueError(f"bad rate limit {spec!r}: expected PROVIDER=REQUESTS[/SECONDS][,tokens=N]")
    head, *extras = rest.split(",")
    requests: int | None = None
    window = 60.0
    try:
        if head.strip():
            count, _, seconds = head.partition("/")
            requests = int(count)
            window = float(seconds) if seconds else window
        tokens = None
        for extra in extras:
            key, _, value = extra.partition("=")
            if key.strip() != "tokens":
                raise ValueError(f"unknown rate limit option {key.strip()!r}")
            tokens = int(value)
    except ValueError as exc:
        raise ValueError(f"bad rate limit {spec!r}: {exc}") from None
    return provider.strip().lower(), RateLimit(requests=requests, tokens=tokens, window=window)


@dataclass
class _Window:
    start: float
    requests: int = 0
    tokens: int = 0


def _duration(seconds: float) -> str:
    """OpenAI's reset format: "20ms", "1s", "1.5s", "6m0s"."""
    ms = max(1, math.ceil(seconds * 1000))
    if ms < 1000:
        return f"{ms}ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{round(seconds, 3):g}s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m{round(rest, 3):g}s"


def _instant(at: float) -> str:
    """Anthropic's reset format: an RFC 3339 instant, rounded up to the second."""
    moment = datetime.datetime.fromtimestamp(math.ceil(at), tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class RateLimiter:
    """The sandbox's limits and their current windows, per provider."""

    limits: dict[str, RateLimit] = field(default_factory=dict)
    windows: dict[str, _Window] = field(default_factory=dict)

    def set(self, provider: str, limit: RateLimit | None) -> None:
        """Limit a provider (None lifts its limit); a new limit starts a fresh window."""
        self.windows.pop(provider, None)
        if limit is None:
            self.limits.pop(provider, None)
        else:
            self.limits[provider] = limit

    def check(
        self, provider: str, body_text: str, now: float, *, style: str | None
    ) -> tuple[dict[str, str], float | None]:
        """Count one request: the headers every reply carries, and the seconds to wait if it is refused."""
        limit = self.limits.get(provider)
        if limit is None:
            return {}, None
        window = self.windows.get(provider)
        if window is None or now >= window.start + limit.window:
            window = self.windows[provider] = _Window(start=now)
        cost = max(1, T.count_tokens(body_text))
        refused = (limit.requests is not None and window.requests + 1 > limit.requests) or (
            limit.tokens is not None and window.tokens + cost > limit.tokens
        )
        if not refused:
            window.requests += 1
            window.tokens += cost
        reset_in = max(0.0, window.start + limit.window - now)
        headers = self._headers(limit, window, reset_in, now, style)
        if not refused:
            return headers, None
        headers["retry-after"] = str(max(1, math.ceil(reset_in)))
        if style == "openai":
            headers["retry-after-ms"] = str(max(1, math.ceil(reset_in * 1000)))
        return headers, reset_in

    @staticmethod
    def _headers(
        limit: RateLimit, window: _Window, reset_in: float, now: float, style: str | None
    ) -> dict[str, str]:
        headers: dict[str, str] = {}
        counts = {"requests": (limit.requests, window.requests), "tokens": (limit.tokens, window.tokens)}
        for kind, (most, used) in counts.items():
            if most is None:
                continue
            left = str(max(0, most - used))
            if style == "openai":
                headers[f"x-ratelimit-limit-{kind}"] = str(most)
                headers[f"x-ratelimit-remaining-{kind}"] = left
                headers[f"x-ratelimit-reset-{kind}"] = _duration(reset_in)
            elif style == "anthropic":
                names = [kind] if kind == "requests" else ["tokens", "input-tokens", "output-tokens"]
                for name in names:
                    headers[f"anthropic-ratelimit-{name}-limit"] = str(most)
                    headers[f"anthropic-ratelimit-{name}-remaining"] = left
                    headers[f"anthropic-ratelimit-{name}-reset"] = _instant(now + reset_in)
        return headers
