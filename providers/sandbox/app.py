"""The sandbox ASGI application: routing, auth, fault injection, pacing and a request record.

`SandboxApp` is a plain ASGI 3 callable. Mount it in-process (e.g. `httpx2.ASGITransport(app=...)`,
routed by the real host names) or serve it on 127.0.0.1 (`python -m providers.sandbox`, routed by
a path prefix such as `/openai/v1/...`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import fnmatch
import hashlib
import json
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple
from urllib.parse import parse_qsl

from . import text as T
from .anthropic import ANTHROPIC
from .batch_anthropic import ROUTES as ANTHROPIC_BATCH
from .batch_gemini import ROUTES as GEMINI_BATCH
from .batch_mistral import ROUTES as MISTRAL_BATCH
from .batch_openai import ROUTES as OPENAI_BATCH
from .catalog import catalog_route, catalog_specs
from .deepgram import DEEPGRAM
from .deepseek import DEEPSEEK
from .elevenlabs import ELEVENLABS
from .gemini import GEMINI, VERTEX
from .limits import HEADER_STYLES, RateLimit, RateLimiter
from .media import CDN_HOSTS, MEDIA_CDN
from .mistral import MISTRAL
from .models import with_models_route
from .openai import OPENAI
from .runware import RUNWARE
from .runwayml import RUNWAYML
from .self_hosted import CHATLAW, VLLM
from .wire import Call, ProviderSpec, Reply, dumps, match_route
from .xai import XAI

__all__ = ["ANSWER_WORDS_HEADER", "FAULT_HEADER", "Fault", "RecordedRequest", "SandboxApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

FAULT_HEADER = "x-sandbox-fault"
FAIL_MARK = b"[sandbox:fail]"
_CHAT_ROUTES = ("/chat/completions", "/responses", "/messages", ":generateContent", ":streamGenerateContent")
ANSWER_WORDS_HEADER = "x-sandbox-answer-words"  # pads the answer to N words (N stream deltas): benchmarks
STATUS_FAULTS = ("429", "500", "503", "529")
FAULT_KINDS = (*STATUS_FAULTS, "drop", "malformed", "slow", "split")
_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie"}
    | {"xi-api-key", "api-subscription-key"}
)
_INVALID = object()


@dataclass(frozen=True)
class Fault:
    """One injected failure: a status (429/500/503/529), `drop`, `malformed`, `slow` or `split`.

    `split` delivers the body cut inside every multi-byte UTF-8 character (accents, emoji), so the
    client must put characters back together across chunks.

    `provider` / `path` (a route suffix such as "/v1/messages") limit which requests consume a
    queued fault; None matches any.
    """

    kind: str
    retry_after: float = 0.0
    seconds: float = 1.0
    provider: str | None = None
    path: str | None = None

    def __post_init__(self) -> None:
        kind = str(self.kind).strip().lower()
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown sandbox fault {self.kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        object.__setattr__(self, "kind", kind)
        if self.retry_after < 0 or self.seconds < 0:
            raise ValueError("fault times must be >= 0")

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """A Fault from a header spec such as "429", "429:2", "503", "drop", "malformed" or "slow:1.5"."""
        head, sep, arg = spec.strip().partition(":")
        kind = head.strip().lower()
        if not sep:
            return cls(kind)
        try:
            value = float(arg)
        except ValueError:
            raise ValueError(f"bad sandbox fault spec {spec!r}: {arg!r} is not a number") from None
        if kind in STATUS_FAULTS:
            return cls(kind, retry_after=value)
        if kind == "slow":
            return cls(kind, seconds=value)
        raise ValueError(f"bad sandbox fault spec {spec!r}: {kind!r} takes no argument")

    @property
    def status(self) -> int | None:
        """The HTTP status of a status fault, else None."""
        return int(self.kind) if self.kind in STATUS_FAULTS else None

    def matches(self, provider: str, route: str) -> bool:
        """Whether a request to this provider and route should consume this queued fault."""
        return self.provider in (None, provider) and (self.path is None or route.endswith(self.path))


class RecordedRequest(NamedTuple):
    """One request as the sandbox saw it; credentials in headers are redacted."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


def _redact(name: str, value: str) -> str:
    if name not in _SECRET_HEADERS:
        return value
    scheme, _, token = value.partition(" ")
    return f"{scheme} ***" if name.endswith("authorization") and token else "***"


def _fmt_seconds(seconds: float) -> str:
    return f"{seconds:g}"


def _dropped() -> Exception:
    """The error an in-process client sees when the sandbox drops the connection."""
    message = "peer closed connection without sending complete message body (sandbox drop fault)"
    exc: Exception
    try:
        import httpx2

        exc = httpx2.RemoteProtocolError(message)
    except ImportError:  # pragma: no cover - httpx2 is a project dependency
        exc = ConnectionResetError(message)
    setattr(exc, "sandbox_fault", "drop")  # noqa: B010  # lets the server log it as one line
    return exc


def split_utf8(data: bytes) -> list[bytes]:
    """The bytes cut right after the first byte of every multi-byte UTF-8 character (each piece alone
    is then invalid UTF-8 wherever a character was cut)."""
    pieces, start = [], 0
    for i, byte in enumerate(data):
        if byte >= 0xC0:  # a lead byte: 110xxxxx, 1110xxxx or 11110xxx
            pieces.append(data[start : i + 1])
            start = i + 1
    pieces.append(data[start:])
    return [p for p in pieces if p]


def _corrupt(frames: list[bytes]) -> tuple[int, bytes]:
    """Where to insert a malformed frame (midway), and the frame: a JSON `data:` line cut in half."""
    start = len(frames) // 2
    for i in [*range(start, len(frames)), *range(start)]:
        lines = frames[i].decode().split("\n")
        for k, line in enumerate(lines):
            if line.startswith("data: {"):
                payload = line[len("data: ") :]
                lines[k] = "data: " + payload[: max(2, len(payload) // 2)]
                return i, "\n".join(lines).encode()
    return start, b'data: {"type": "sandbox", "inde\n\n'


class SandboxApp:
    """An offline, deterministic emulator of the providers' HTTP APIs (an ASGI 3 app)."""

    HOSTS: ClassVar[dict[str, str]] = {
        "api.openai.com": "openai",
        "api.anthropic.com": "anthropic",
        "api.deepseek.com": "deepseek",
        "api.x.ai": "xai",
        "api.mistral.ai": "mistral",
        "api.eu.mistral.ai": "mistral",
        "api.us.mistral.ai": "mistral",
        "api.deepgram.com": "deepgram",
        "api.eu.deepgram.com": "deepgram",
        "api.us.deepgram.com": "deepgram",
        "api.elevenlabs.io": "elevenlabs",
        "api.us.elevenlabs.io": "elevenlabs",
        "api.eu.residency.elevenlabs.io": "elevenlabs",
        "api.in.residency.elevenlabs.io": "elevenlabs",
        "api.sg.residency.elevenlabs.io": "elevenlabs",
        "api.runware.ai": "runware",
        "api.dev.runwayml.com": "runwayml",
        **CDN_HOSTS,  # where the sandbox serves generated files (real CDN host names)
        "generativelanguage.googleapis.com": "gemini",
        "aiplatform.googleapis.com": "vertex",
    }
    HOST_PATTERNS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("*-aiplatform.googleapis.com", "vertex"),  # regional: europe-west4-aiplatform.googleapis.com
        ("aiplatform.*.rep.googleapis.com", "vertex"),  # multi-region: aiplatform.eu.rep.googleapis.com
    )
    PROVIDERS: ClassVar[dict[str, ProviderSpec]] = {
        "openai": dataclasses.replace(OPENAI, routes={**OPENAI.routes, **OPENAI_BATCH}),
        "anthropic": dataclasses.replace(ANTHROPIC, routes={**ANTHROPIC.routes, **ANTHROPIC_BATCH}),
        "deepseek": DEEPSEEK,
        "xai": XAI,
        "mistral": dataclasses.replace(MISTRAL, routes={**MISTRAL.routes, **MISTRAL_BATCH}),
        "deepgram": DEEPGRAM,
        "elevenlabs": ELEVENLABS,
        "runware": RUNWARE,
        "runwayml": RUNWAYML,
        "media_cdn": MEDIA_CDN,
        "gemini": dataclasses.replace(GEMINI, routes={**GEMINI_BATCH, **GEMINI.routes}),  # before :{method}
        "vertex": VERTEX,
        "chatlaw": CHATLAW,  # self-hosted vLLM servers, reached by path: /chatlaw/v1/..., /vllm/v1/...
        "vllm": VLLM,
    }
    MAX_RECORDED: ClassVar[int] = 200

    def __init__(
        self, delay: float = 0.0, *, clock: Callable[[], float] = time.time, strict: bool = True
    ) -> None:
        """Create the app; `delay` is the pause in seconds between streamed events. `strict` checks every
        request body against the provider's published schema and cross-item rules (sandbox/validate/)
        before the handler runs, answering a violation as that API does; `strict=False` leaves only the
        handlers' own checks."""
        self.delay = delay
        self.clock = clock
        self.strict = strict
        self.requests: list[RecordedRequest] = []
        self._faults: list[list[Any]] = []  # [Fault, times left], FIFO
        self.state: dict[str, Any] = {}  # per-app handler state (generation jobs), see Call.state
        self.limiter = RateLimiter()
        self._count = 0

    # --- public helpers -----------------------------------------------------------------------

    def inject(self, fault: Fault | str, times: int = 1) -> None:
        """Queue a fault for the next `times` matching requests (FIFO); a str is parsed as a spec."""
        if times < 1:
            raise ValueError("times must be >= 1")
        self._faults.append([Fault.parse(fault) if isinstance(fault, str) else fault, times])

    def rate_limit(
        self, provider: str, requests: int | None = None, tokens: int | None = None, window: float = 60.0
    ) -> None:
        """Limit a provider to `requests` requests and/or `tokens` tokens per `window` seconds: its replies
        then carry its rate-limit headers and a request past the limit gets its 429 with retry-after
        (sandbox/limits.py). With neither `requests` nor `tokens`, the provider's limit is lifted."""
        limit = None if requests is None and tokens is None else RateLimit(requests, tokens, window)
        self.limiter.set(provider, limit)

    @property
    def pending_faults(self) -> list[tuple[Fault, int]]:
        """The queued faults and how many requests each will still hit."""
        return [(f, n) for f, n in self._faults]

    def reset(self) -> None:
        """Forget recorded requests and queued faults."""
        self.requests.clear()
        self._faults.clear()
        self.state.clear()

    def route(self, host: str, path: str) -> tuple[str | None, str]:
        """The provider for a request (by host name, else by first path segment) and the provider-local path."""
        name = host.rsplit(":", 1)[0].strip().lower() if host else ""
        provider = self.HOSTS.get(name) or next(
            (p for pattern, p in self.HOST_PATTERNS if name and fnmatch.fnmatchcase(name, pattern)), None
        )
        if provider is None:  # the catalog's OpenAI-compatible vendors and every provider's regional hosts
            provider = catalog_route(host or "", self.PROVIDERS)
        if provider is not None:
            return provider, path
        first, _, rest = path.lstrip("/").partition("/")
        if first in self.PROVIDERS or first in catalog_specs(self.PROVIDERS):
            return first, "/" + rest
        return None, path

    def spec_for(self, provider: str) -> ProviderSpec | None:
        """The sandbox spec serving a provider: a hand-written module, else one derived from the catalog."""
        spec = self.PROVIDERS.get(provider) or catalog_specs(self.PROVIDERS).get(provider)
        return with_models_route(spec) if spec is not None else None  # (+ its models endpoint: models.py)

    # --- ASGI --------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI 3 entry point."""
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "websocket":
            from .ws import serve_websocket  # per-provider WebSocket routes (realtime, live STT)

            await serve_websocket(self, scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = await _read_body(receive)
        headers: dict[str, str] = {}
        for k, v in scope.get("headers", []):
            name, value = k.decode("latin-1").lower(), v.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        method, path = scope["method"].upper(), scope["path"]
        body = _parse_json(raw)
        self._record(method, path, headers, None if body is _INVALID else body)
        self._count += 1
        request_id = "req_" + hashlib.sha256(f"request-{self._count}".encode()).hexdigest()[:24]
        serial = hashlib.sha256(f"item-{self._count}".encode()).hexdigest()[:24]
        provider, route = self.route(headers.get("host", ""), path)
        spec = self.spec_for(provider) if provider else None
        if spec is None:
            await self._send(
                send, _plain(method, path, sorted(self.PROVIDERS)), "x-request-id", request_id, None
            )
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        call = Call(
            None if body is _INVALID else body,
            headers,
            request_id,
            int(self.clock()),
            serial,
            query=query,
            raw=raw,
        )
        reply, fault = await self._dispatch(spec, method, route, path, call)
        await self._send(send, reply, spec.request_id_header, request_id, fault)

    async def _dispatch(
        self, spec: ProviderSpec, method: str, route: str, path: str, call: Call
    ) -> tuple[Reply, Fault | None]:
        # POST routes are keyed by path; other methods as "GET /v1/tasks/{id}"
        found = match_route(spec.routes, route if method == "POST" else f"{method} {route}")
        if found is None:
            return spec.error(404, f"Invalid URL ({method} {path})", call.request_id), None
        handler, params = found
        call = dataclasses.replace(call, params=params, state=self.state, strict=self.strict)
        no_auth = getattr(handler, "no_auth", False)  # a session URL that is its own credential (uploads)
        if not no_auth and (denied := spec.check_auth(call.headers, call.request_id)) is not None:
            return denied, None
        try:
            fault = self._take_fault(spec.name, route, call.headers)
        except ValueError as exc:
            return spec.error(400, f"invalid {FAULT_HEADER} header: {exc}", call.request_id), None
        try:
            words = _answer_words(call.headers)
        except ValueError as exc:
            return spec.error(400, str(exc), call.request_id), None
        if method == "POST" and route.endswith(_CHAT_ROUTES) and FAIL_MARK in call.raw:
            # a chat request that asks to fail (as a batch item can): the provider's 400, so a map's
            # error rows can be shown without depending on which call a queued fault would hit
            return spec.error(
                400, "sandbox: this request was asked to fail ([sandbox:fail])", call.request_id
            ), None
        limited: dict[str, str] = {}
        if self.limiter.limits:
            style = HEADER_STYLES.get(spec.name, None if spec.name in self.PROVIDERS else "openai")
            body_text = call.raw.decode("utf-8", "replace")
            limited, wait = self.limiter.check(spec.name, body_text, self.clock(), style=style)
            if wait is not None:
                reply = spec.fault(429, call.request_id)
                reply.headers.update(limited)
                return reply, None
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(fault.seconds)
        if fault is not None and fault.status is not None:
            reply = spec.fault(fault.status, call.request_id)
            if fault.status == 429 or fault.retry_after > 0:
                reply.headers["retry-after"] = _fmt_seconds(fault.retry_after)
                reply.headers["retry-after-ms"] = str(round(fault.retry_after * 1000))
            return reply, None
        if self.strict:
            from . import validate  # loads the schemas on first use

            if (refused := validate.check(spec, method, route, call)) is not None:
                return refused, None
        if words is None:
            reply = handler(call)
        else:
            with T.answer_words(words):
                reply = handler(call)
        if self.strict:
            validate.observe(spec, method, route, call, reply)
        reply.headers.update(limited)
        return reply, fault

    def _take_fault(self, provider: str, route: str, headers: Mapping[str, str]) -> Fault | None:
        spec = headers.get(FAULT_HEADER, "").strip()
        if spec:
            return Fault.parse(spec)
        for entry in self._faults:
            fault: Fault = entry[0]
            if fault.matches(provider, route):
                entry[1] -= 1
                if entry[1] <= 0:
                    self._faults.remove(entry)
                return fault
        return None

    def _record(self, method: str, path: str, headers: dict[str, str], body: Any) -> None:
        safe = {k: _redact(k, v) for k, v in headers.items()}
        self.requests.append(RecordedRequest(method, path, safe, body))
        if len(self.requests) > self.MAX_RECORDED:
            del self.requests[: -self.MAX_RECORDED]

    async def _send(
        self, send: Send, reply: Reply, id_header: str, request_id: str, fault: Fault | None
    ) -> None:
        headers = [(b"x-llmkit-sandbox", b"1"), (id_header.encode(), request_id.encode())]
        headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()]
        drop = fault is not None and fault.kind == "drop"
        malformed = fault is not None and fault.kind == "malformed"
        if reply.content is not None or reply.chunks is not None:
            await self._send_binary(send, reply, headers, drop)
            return
        if reply.events is None:
            data = dumps(reply.body).encode("utf-8")
            if malformed:
                data = data[: len(data) // 2]
            headers += [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
            await send({"type": "http.response.start", "status": reply.status, "headers": headers})
            if drop:
                raise _dropped()
            for piece in split_utf8(data) if fault is not None and fault.kind == "split" else []:
                await send({"type": "http.response.body", "body": piece, "more_body": True})
                data = b""
            await send({"type": "http.response.body", "body": data, "more_body": False})
            return
        frames = list(reply.events)
        if fault is not None and fault.kind == "split":
            frames = split_utf8(b"".join(frames))
        if malformed:
            at, bad = _corrupt(frames)
            frames.insert(at, bad)
        cut = max(1, len(frames) // 2) if drop else None
        headers += [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache")]
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        for i, frame in enumerate(frames):
            if i == cut:
                raise _dropped()
            if i and self.delay > 0:
                await asyncio.sleep(self.delay)
            await send({"type": "http.response.body", "body": frame, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _send_binary(
        self, send: Send, reply: Reply, headers: list[tuple[bytes, bytes]], drop: bool
    ) -> None:
        """Raw bytes (`content`) or a chunked binary stream (`chunks`, paced; `drop` cuts it midway)."""
        if reply.content is not None:
            headers.append((b"content-length", str(len(reply.content)).encode()))
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        chunks = [reply.content] if reply.content is not None else list(reply.chunks or [])
        cut = max(1, len(chunks) // 2) if drop else None
        if reply.lead and self.delay > 0:
            await asyncio.sleep(self.delay * reply.lead)
        for i, chunk in enumerate(chunks):
            if i == cut:
                raise _dropped()
            if i and self.delay > 0:
                await asyncio.sleep(self.delay)
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _answer_words(headers: Mapping[str, str]) -> int | None:
    value = headers.get(ANSWER_WORDS_HEADER, "").strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= T.MAX_ANSWER_WORDS:
        raise ValueError(
            f"{ANSWER_WORDS_HEADER} takes a word count from 1 to {T.MAX_ANSWER_WORDS}, not {value!r}"
        )
    return int(value)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _INVALID


def _plain(method: str, path: str, providers: list[str]) -> Reply:
    """The reply for a request no provider claims: a health check, or a plain JSON 404."""
    if method == "GET" and path in ("/", "/healthz"):
        return Reply(body={"status": "ok", "sandbox": True, "providers": providers})
    hint = "use Host: api.openai.com / api.anthropic.com, or a /openai/... or /anthropic/... path prefix"
    return Reply(
        status=404,
        body={"error": {"message": f"No sandbox route for {method} {path}; {hint}", "type": "not_found"}},
    )
