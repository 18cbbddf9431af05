"""All I/O, the same way for every provider: one shared httpx2.AsyncClient, retries, SSE.

Defaults follow the official OpenAI and Anthropic SDKs: 2 retries on 408/409/429/5xx/529 and on
connection errors, backoff 0.5 s doubling to 8 s with jitter (x0.75..1.0), `retry-after-ms` /
`retry-after` honoured when 0 < wait <= 60 s (a longer ask is not waited out: the RateLimitError
carries it), `x-should-retry` obeyed, 5 s connect timeout, 600 s overall. A stream is retried only
before its first byte; closing or cancelling it closes the connection. A stream whose final event has
arrived is read to its end first (`SSEStream.drain`, bounded), so its connection goes back to the pool
instead of being dropped: over TLS that saves a handshake per call.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import email.utils
import math
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx2

from .errors import APIConnectionError, APITimeoutError, ProviderError
from .sse import ServerEvent, SSEParser, check_content_type
from .types import HttpCall, Retry

if TYPE_CHECKING:
    from .cache import CacheMode, ResponseCache

__all__ = ["Observer", "Reply", "RetryPolicy", "SSEStream", "Transport", "default_http_client"]

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
MAX_RETRY_AFTER_S = 60.0
# after a stream's final event the body normally ends at once (a `[DONE]` line, the last chunk);
# a server that keeps sending is not waited on longer than this, and its connection is dropped
DRAIN_TIMEOUT_S = 1.0
DRAIN_MAX_BYTES = 64 * 1024

ErrorParser = Callable[[int, httpx2.Headers, bytes], ProviderError]
Observer = Callable[[str, int, httpx2.Headers], None]
"""Sees every response's provider, status and headers, retried ones included (rate limiters)."""


def default_http_client(transport: httpx2.AsyncBaseTransport | None = None) -> httpx2.AsyncClient:
    """The shared client: 600 s overall, 5 s to connect, connection pooling."""
    return httpx2.AsyncClient(
        transport=transport,
        timeout=httpx2.Timeout(600.0, connect=5.0),
        limits=httpx2.Limits(max_connections=100, max_keepalive_connections=20),
        follow_redirects=False,
    )


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    initial_s: float = 0.5
    max_s: float = 8.0
    max_retry_after_s: float = MAX_RETRY_AFTER_S

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (1-based), with jitter."""
        base = min(self.initial_s * 2 ** (attempt - 1), self.max_s)
        return base * (1 - 0.25 * random.random())


def retry_after_seconds(headers: httpx2.Headers) -> float | None:
    """The wait a server asked for, from retry-after-ms or retry-after (seconds or HTTP date).

    Anything else (`soon`, a negative or non-finite number, a malformed date) is no ask at all: None.
    """
    ms = _seconds(headers.get("retry-after-ms"))
    if ms is not None:
        return ms / 1000.0
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # RFC 9110 dates are GMT; a date without a zone is read as GMT too
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return max(0.0, parsed.timestamp() - time.time())


def _seconds(value: str | None) -> float | None:
    """A finite, non-negative number of seconds from a header value, else None."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


@dataclass
class Reply:
    status: int
    headers: httpx2.Headers
    body: bytes
    url: str
    elapsed_s: float
    retries: list[Retry] = field(default_factory=list)
    cached: bool = False

    def json(self) -> Any:
        import json

        return json.loads(self.body)


@dataclass
class SSEStream:
    """An open SSE response: iterate `events()`; `retries` lists what happened before it opened."""

    response: httpx2.Response
    url: str
    started: float
    retries: list[Retry]
    replay: list[tuple[str, str]] | None = None
    """A cached stream's events, replayed instead of reading the response."""
    record: Callable[[list[tuple[str, str]]], None] | None = None
    """Where `complete()` stores the events read (a cache miss being filled)."""
    _seen: list[tuple[str, str]] = field(default_factory=list, repr=False)
    _events: AsyncIterator[ServerEvent] | None = field(default=None, repr=False)

    @property
    def cached(self) -> bool:
        return self.replay is not None

    def events(self) -> AsyncIterator[ServerEvent]:
        """The response's events (or a cached stream's, replayed); one iterator, so `drain` can go on
        where a loop over it stopped."""
        if self._events is None:
            self._events = self._read()
        return self._events

    async def _read(self) -> AsyncIterator[ServerEvent]:
        if self.replay is not None:
            for name, data in self.replay:
                yield ServerEvent(name, data)
            return
        check_content_type(self.response)
        seen = self._seen if self.record is not None else None
        parser = SSEParser()  # (providers/sse.py: the events httpx2.EventSource gives, for less work)
        async for chunk in self.response.aiter_bytes():
            for event in parser.feed(chunk):
                if seen is not None:
                    seen.append((event.event, event.data))
                yield event
        for event in parser.flush():
            if seen is not None:
                seen.append((event.event, event.data))
            yield event

    async def drain(self, *, timeout_s: float = DRAIN_TIMEOUT_S, max_bytes: int = DRAIN_MAX_BYTES) -> bool:
        """Read the rest of the body after the final event, so the connection can be reused.

        What is left is normally only the body's end (OpenAI's `[DONE]`, the last chunk); events in it
        are discarded. Bounded in time and size: a server that keeps sending is given up on (the
        connection is then closed, not pooled). True if the body was read to its end.
        """
        events = self.events()
        read = 0
        try:
            async with asyncio.timeout(timeout_s):
                async for event in events:
                    read += len(event.data) + len(event.event)
                    if read > max_bytes:
                        return False
        except (TimeoutError, httpx2.TransportError, httpx2.SSEError):
            return False  # the result is already complete; only the connection is lost
        return True

    def complete(self) -> None:
        """The consumer read a whole, successful stream: store it if the cache asked for it."""
        if self.record is not None:
            record, self.record = self.record, None
            record(self._seen)


class Transport:
    """Sends HttpCalls. Owns nothing provider-specific: errors are parsed by the codec's parser."""

    def __init__(
        self,
        client: httpx2.AsyncClient,
        *,
        policy: RetryPolicy | None = None,
        cache: ResponseCache | None = None,
    ) -> None:
        self.client = client
        self.policy = policy or RetryPolicy()
        self.sleep: Callable[[float], Any] = asyncio.sleep
        self.cache = cache
        self.observers: list[Observer] = []  # empty unless a loop (map) is watching rate limits

    def _request(self, call: HttpCall, attempt: int) -> httpx2.Request:
        headers = dict(call.headers)
        if attempt:
            headers["x-stainless-retry-count"] = str(attempt)
        if call.stream:
            headers.setdefault("accept", "text/event-stream")
        return self.client.build_request(
            call.method,
            call.url,
            headers=headers,
            json=call.json_body,
            content=call.content,
            params=call.params or None,
        )

    async def _should_retry(
        self,
        attempt: int,
        status: int | None,
        headers: httpx2.Headers | None,
        retries: list[Retry],
        reason: str,
    ) -> bool:
        if attempt >= self.policy.max_retries:
            return False
        if headers is not None:
            should = headers.get("x-should-retry")
            if should == "false":
                return False
            if should != "true" and status not in RETRY_STATUSES:
                return False
        wait = self.policy.backoff(attempt + 1)
        if headers is not None:
            asked = retry_after_seconds(headers)
            if asked is not None:
                if asked > self.policy.max_retry_after_s:
                    return False
                if asked >= 0:
                    wait = asked
        retries.append(Retry(attempt=attempt + 1, reason=reason, wait_s=round(wait, 3)))
        await self.sleep(wait)
        return True

    async def _open(
        self, call: HttpCall, *, provider: str, parse_error: ErrorParser, stream: bool
    ) -> tuple[httpx2.Response, list[Retry]]:
        """Send until a non-error response arrives or the retries run out (then raise a typed error)."""
        retries: list[Retry] = []
        attempt = 0
        while True:
            try:
                response = await self.client.send(self._request(call, attempt), stream=stream)
            except httpx2.TimeoutException as exc:
                if await self._should_retry(attempt, None, None, retries, "timeout"):
                    attempt += 1
                    continue
                raise APITimeoutError(f"{provider} did not answer in time: {exc}", provider=provider) from exc
            except httpx2.TransportError as exc:
                if await self._should_retry(attempt, None, None, retries, "connection error"):
                    attempt += 1
                    continue
                raise APIConnectionError(f"could not reach {provider}: {exc}", provider=provider) from exc
            for observe in self.observers:
                observe(provider, response.status_code, response.headers)
            if response.status_code < 400:
                return response, retries
            try:
                body = await response.aread()
            finally:
                await response.aclose()
            if await self._should_retry(
                attempt, response.status_code, response.headers, retries, str(response.status_code)
            ):
                attempt += 1
                continue
            raise parse_error(response.status_code, response.headers, body)

    async def send(
        self,
        call: HttpCall,
        *,
        provider: str,
        parse_error: ErrorParser,
        cache: CacheMode = None,
        scope: str = "",
    ) -> Reply:
        """Send a call and read the whole body; retry as the policy says; raise typed errors.

        `cache` (True, or "refresh" to overwrite) answers from the response cache when it has this call
        (keyed on `scope`, the provider and what is sent) and stores complete successful replies.
        """
        started = time.perf_counter()
        key = self.cache.key(provider, call, scope) if cache and self.cache is not None else None
        if key is not None and cache != "refresh" and self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None and hit.events is None:
                headers = httpx2.Headers(hit.headers)
                elapsed = time.perf_counter() - started
                return Reply(hit.status, headers, hit.body, hit.url, elapsed, cached=True)
        response, retries = await self._open(call, provider=provider, parse_error=parse_error, stream=False)
        reply = Reply(
            status=response.status_code,
            headers=response.headers,
            body=response.content,
            url=str(response.request.url),
            elapsed_s=time.perf_counter() - started,
            retries=retries,
        )
        if key is not None and self.cache is not None and 200 <= reply.status < 300:
            self.cache.put(key, provider, reply.status, reply.headers, reply.url, body=reply.body)
        return reply

    @contextlib.asynccontextmanager
    async def stream(
        self,
        call: HttpCall,
        *,
        provider: str,
        parse_error: ErrorParser,
        cache: CacheMode = None,
        scope: str = "",
    ) -> AsyncIterator[SSEStream]:
        """Open an SSE stream (retrying until it opens) and close it whatever happens.

        With `cache`, a stored stream is replayed event by event; a live one is stored once the consumer
        calls `complete()` on it (after its final event), never when it was cut short.
        """
        started = time.perf_counter()
        store = self.cache if cache else None
        key = store.key(provider, call, scope) if store is not None else None
        if store is not None and key is not None and cache != "refresh":
            hit = store.get(key)
            if hit is not None and hit.events is not None:
                response = httpx2.Response(hit.status, headers=hit.headers)
                yield SSEStream(
                    response=response, url=hit.url, started=started, retries=[], replay=hit.events
                )
                return
        response, retries = await self._open(call, provider=provider, parse_error=parse_error, stream=True)
        url = str(response.request.url)
        record = None
        if store is not None and key is not None:
            status, headers = response.status_code, response.headers

            def record(events: list[tuple[str, str]]) -> None:
                store.put(key, provider, status, headers, url, events=events)

        try:
            yield SSEStream(response=response, url=url, started=started, retries=retries, record=record)
        finally:
            await response.aclose()
