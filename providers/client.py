"""AsyncClient: the async face of the toolkit.

    client = AsyncClient()                 # real providers, keys from the environment
    client = AsyncClient(sandbox=True)     # the offline emulator, no keys, no network
    r = await client.chat("anthropic/claude-sonnet-5-5", "Why is the sky blue?", thinking="high")
    async for event in client.stream("openai/gpt-6.1-terra", "...", thinking="low"): ...
    job = await client.batch(["...", "..."], model="anthropic/claude-haiku-5-5")   # client_batch.py

Every check that can fail without the network happens in `prepare()`, before anything is sent.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import httpx2

from .boundary import guarded_error_parser, reading
from .chat.base import ChatCodec, Connection
from .client_batch import BatchCalls
from .client_media import MediaCalls
from .credentials import Secret, clean_key, resolve_key
from .errors import (
    ConfigurationError,
    IncompleteStreamError,
    InvalidParameterError,
    LLMKitError,
    MissingKeyError,
    ProviderError,
    ProviderUnavailable,
    ResponseFormatError,
)
from .mapping import MapCalls
from .messages import check_tools_supported, to_messages
from .pool import LoopTransports
from .regions import (
    RegionChoice,
    check_region_map,
    check_region_model,
    check_residency,
    resolve_region,
    validate_policy,
)
from .registry import (
    ModelInfo,
    ProviderSpec,
    allow_retired_from_env,
    codec_for,
    connector_for,
    lookup_model,
    provider_spec,
    retired_message,
    split_model,
)
from .thinking import Resolved, coerce, resolve
from .tool_loop import DEFAULT_MAX_STEPS, ToolRun, check_tools_arg
from .transport import RetryPolicy, Transport, default_http_client
from .types import (
    ChatRequest,
    ChatResult,
    Done,
    HttpCall,
    OutputSpec,
    StreamEvent,
    ToolSpec,
)
from .urls import clean_base_url as _clean_base_url

if TYPE_CHECKING:
    from .cache import CacheMode

__all__ = ["AsyncClient", "Prepared", "to_messages"]

SANDBOX_KEY = "sandbox-key-not-secret"


@dataclass
class Prepared:
    """A call ready to send: everything decided, nothing sent."""

    spec: ProviderSpec
    info: ModelInfo
    codec: ChatCodec
    request: ChatRequest
    resolved: Resolved
    call: HttpCall
    notes: list[str] = field(default_factory=list)
    conn: Connection | None = None


def _request_id_header(prep: Prepared) -> str:
    return str(getattr(prep.codec, "request_id_header", "x-request-id"))


def _check_settings(settings: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Per-provider settings as given to AsyncClient, checked against each provider's spec."""
    checked: dict[str, dict[str, Any]] = {}
    for name, values in (settings or {}).items():
        spec = provider_spec(name)
        if not isinstance(values, Mapping):
            raise ConfigurationError(
                f"settings[{name!r}] must be a dict such as {{'location': ...}}, not {type(values).__name__}"
            )
        unknown = sorted(set(values) - set(spec.settings))
        if unknown:
            known = ", ".join(sorted(spec.settings)) or "none"
            raise ConfigurationError(f"{name} has no setting {unknown[0]!r}; its settings: {known}")
        checked[name] = dict(values)
    return checked


def _resolve_settings(
    spec: ProviderSpec, given: Mapping[str, Any], env: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Each setting from the argument, else its env vars in order, else its default; and where it came from."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, setting in spec.settings.items():
        value: Any = given.get(name)
        source = "argument"
        if value is None or (isinstance(value, str) and not value.strip()):
            value = None
            for var in setting.env:
                if env.get(var, "").strip():
                    value, source = env[var].strip(), var
                    break
        if value is None and setting.default is not None:
            value, source = setting.default, "default"
        if value is None:
            continue
        if setting.secret:  # stripped; a key no header can carry is refused here, never shown
            where = f"settings[{spec.name!r}][{name!r}]" if source == "argument" else source
            value = clean_key(value, provider=spec.name, source=where)
            if value is None:
                continue
        values[name], sources[name] = value, source
    return values, sources


@functools.lru_cache(maxsize=256)
def _endpoint(url: str) -> str:
    """The URL a result shows: scheme, host, port (local servers) and path; no query, no user info."""
    parts = urlsplit(url)
    host = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname or ""
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _kept(result: ChatResult) -> str:
    return f"kept {len(result.text)} answer and {len(result.reasoning)} reasoning characters; see .partial"


class _LazyStream:
    """The iterator `AsyncClient.stream` returns: it starts the stream on the first `__anext__` and then
    hands each step straight to it (a generator wrapping a generator would cost a hop per event)."""

    __slots__ = ("_inner", "_start")

    def __init__(self, start: Callable[[], AsyncIterator[StreamEvent]]) -> None:
        self._start: Callable[[], AsyncIterator[StreamEvent]] | None = start
        self._inner: AsyncIterator[StreamEvent] | None = None

    def __aiter__(self) -> _LazyStream:
        return self

    def __anext__(self) -> Awaitable[StreamEvent]:
        if self._inner is None:
            if self._start is None:
                raise RuntimeError("this stream was closed before it started")
            start, self._start = self._start, None
            self._inner = start()
        return self._inner.__anext__()

    async def aclose(self) -> None:
        """Close the stream (and its connection) if it started."""
        self._start = None
        aclose = getattr(self._inner, "aclose", None)
        if aclose is not None:
            await aclose()


class AsyncClient(MediaCalls, BatchCalls, MapCalls):
    """One client for every provider. Keys come from `api_keys=` or the environment."""

    def __init__(
        self,
        *,
        sandbox: bool = False,
        api_keys: Mapping[str, str] | None = None,
        base_urls: Mapping[str, str] | None = None,
        http_client: httpx2.AsyncClient | None = None,
        max_retries: int = 2,
        sandbox_delay: float = 0.0,
        env: Mapping[str, str] | None = None,
        settings: Mapping[str, Mapping[str, Any]] | None = None,
        region: Mapping[str, str] | None = None,
        residency: str | None = None,
        opt_in: Iterable[str] = (),
        cache: Any = None,
        allow_retired: bool = False,
    ) -> None:
        """`cache=True` (the user cache dir) or `cache="path"` keeps complete replies on disk and answers
        repeated calls from there (providers/cache.py); an unwritable path fails here.
        `allow_retired=True` (or LLMKIT_ALLOW_RETIRED=1) sends calls to models the catalog says are
        retired -- by date or by record -- instead of refusing them; each result notes it."""
        from .cache import open_cache

        self.cache = open_cache(cache)
        self.sandbox = sandbox
        self.allow_retired = bool(allow_retired) or allow_retired_from_env(env)
        # regions and the residency policy are checked here, so a typo fails before any call
        self.regions = check_region_map(region)
        self.residency = validate_policy(residency)
        self._opt_in = {
            str(name).strip().lower() for name in ([opt_in] if isinstance(opt_in, str) else opt_in)
        }
        self._settings = _check_settings(settings)
        self._adc: Any = None  # Google application-default credentials, fetched on first need
        self._keys = {  # stripped of whitespace around them; refused (never shown) if no header can carry them
            k: key
            for k, v in (api_keys or {}).items()
            if (key := clean_key(v, provider=k, source=f"api_keys[{k!r}]")) is not None
        }
        self._base_urls = dict(base_urls or {})
        self._env = env
        self._sandbox_delay = sandbox_delay
        self._sandbox_app: Any = None
        self._transports = LoopTransports(
            self._new_http_client,
            injected=http_client,
            policy=RetryPolicy(max_retries=max_retries),
            cache=self.cache,
        )

    def __repr__(self) -> str:
        return f"AsyncClient(sandbox={self.sandbox}, providers_with_keys={sorted(self._keys)})"

    @property
    def transport(self) -> Transport:
        """The transport for the running event loop (one HTTP client per loop: see providers/pool.py)."""
        return self._transports.get()

    def _new_http_client(self) -> httpx2.AsyncClient:
        asgi = None
        if self.sandbox:
            from .asgi_transport import StreamingASGITransport

            asgi = StreamingASGITransport(self.sandbox_app)
        return default_http_client(asgi)

    @property
    def sandbox_app(self) -> Any:
        """The in-process emulator (sandbox=True only): inject faults, inspect recorded requests."""
        if not self.sandbox:
            raise ConfigurationError("this client talks to the real providers; create it with sandbox=True")
        if self._transports.injected:
            raise ConfigurationError(
                "this sandbox client was given its own http_client; its app is not ours to reach"
            )
        if self._sandbox_app is None:  # one app for every loop: its faults and records stay put
            from .sandbox import SandboxApp

            self._sandbox_app = SandboxApp(delay=self._sandbox_delay)
        return self._sandbox_app

    async def aclose(self) -> None:
        """Close the HTTP client this object made for the running loop (an injected one is its owner's)."""
        await self._transports.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- preparation: pure, raises before any request -------------------------------------------

    def _check_opt_in(self, spec: ProviderSpec, env: Mapping[str, str]) -> None:
        """Providers marked opt-in (catalog status) are refused until the caller opts in, by argument or env."""
        if spec.status != "opt-in":
            return
        from_env = {n.strip().lower() for n in env.get("LLMKIT_OPT_IN", "").split(",") if n.strip()}
        if spec.name in self._opt_in | from_env:
            return
        why = f" {spec.status_note}" if spec.status_note else ""
        raise ConfigurationError(
            f"{spec.title} is opt-in.{why} To use it, pass opt_in=['{spec.name}'] "
            f"(LLMKit(opt_in=...) or AsyncClient(opt_in=...)) or set LLMKIT_OPT_IN={spec.name}",
            provider=spec.name,
        )

    def connection(
        self, spec: ProviderSpec, *, region: str | None = None, info: ModelInfo | None = None
    ) -> Connection:
        """Base URL, key and region for a provider: explicit arguments, then the environment.

        The region comes from `region=`, then the client's per-provider choice, then the provider's region
        env var, then its default (providers/regions.py). Under a residency policy an endpoint that does not
        keep data where the policy asks is refused here, before anything is sent.
        """
        env = os.environ if self._env is None else self._env
        self._check_opt_in(spec, env)
        key = resolve_key(spec.name, spec.env, self._keys.get(spec.name), env=env)
        if key is None and self.sandbox:
            key = Secret(SANDBOX_KEY)
        connector = connector_for(spec)
        if key is None and connector is None and spec.key_required:
            names = " or ".join(spec.env)
            raise MissingKeyError(
                f"no key for {spec.name}: pass api_keys={{'{spec.name}': ...}} or set {names}"
                " (or use sandbox=True to try it offline)",
                provider=spec.name,
                env_var=spec.env[0],
            )
        settings, sources = _resolve_settings(spec, self._settings.get(spec.name, {}), env)
        choice = self._region(spec, region, settings, sources, env)
        base = spec.base_url
        if choice.region and choice.region.base_url and not spec.region_setting:
            base = choice.region.base_url  # (a setting-based region's host is the connector's to build)
        custom = False
        if not self.sandbox:
            if spec.name in self._base_urls:
                base = _clean_base_url(self._base_urls[spec.name], f"base_urls[{spec.name!r}]")
                custom = True
            elif spec.base_url_env and env.get(spec.base_url_env):
                base = _clean_base_url(env[spec.base_url_env], spec.base_url_env)
                custom = True
        conn = Connection(
            provider=spec.name,
            base_url=base,
            key=key,
            auth=spec.auth,
            api_version=spec.api_version,
            settings=settings,
            setting_sources=sources,
        )
        # a connector turns settings into the real endpoint and auth (Vertex: project, location,
        # token or express key) and refuses what cannot work, naming the fix; it does no I/O
        if connector is not None:
            conn = connector(conn, spec, sandbox=self.sandbox)
        if spec.region_setting:  # the connector may have normalized the setting (a Vertex location)
            where = conn.settings.get(spec.region_setting)
            name = str(where).strip().lower() if where is not None else None
            choice = RegionChoice(name, spec.regions.get(name or ""), choice.source)
        if info is not None:
            check_region_model(spec, choice, info.id)
        allowed = check_residency(self.residency, spec, info, choice, conn.base_url, custom_url=custom)
        return dataclasses.replace(conn, region=choice.name, residency=allowed)

    def _region(
        self,
        spec: ProviderSpec,
        region: str | None,
        settings: dict[str, Any],
        sources: dict[str, str],
        env: Mapping[str, str],
    ) -> RegionChoice:
        """Resolve the call's region; for setting-based regions (Vertex location) write it into the settings."""
        current = settings.get(spec.region_setting) if spec.region_setting else None
        choice = resolve_region(
            spec, call=region, chosen=self.regions, env=env, setting=str(current) if current else None
        )
        if spec.region_setting and choice.name and choice.source not in ("setting", "none"):
            if sources.get(spec.region_setting) == "argument" and str(current).lower() != choice.name:
                raise ConfigurationError(
                    f"{spec.name}: {spec.region_setting}={current!r} in settings and region {choice.name!r} "
                    f"(from {choice.source}) disagree; give one of them",
                    provider=spec.name,
                )
            settings[spec.region_setting], sources[spec.region_setting] = choice.name, choice.source
        return choice

    def prepare(
        self,
        model: str,
        prompt: Any,
        *,
        thinking: Any = None,
        max_tokens: int | None = None,
        system: str | None = None,
        stream: bool = False,
        region: str | None = None,
        tools: list[ToolSpec] | None = None,
        tool_choice: str | None = None,
        parallel_tool_calls: bool | None = None,
        output: OutputSpec | None = None,
        cache: CacheMode = None,
        **options: Any,
    ) -> Prepared:
        """Validate a call and build its HttpCall, without sending anything.

        `region=` picks one of the provider's regions for this call (see providers/regions.py).
        `tools=` and `output=` take their wire-neutral specs here (the tool loop makes them from Python).
        `cache=` is checked here and used when the call is sent (it is not part of the request).
        """
        self._cache_mode(cache)
        provider, model_id = split_model(model)
        spec = provider_spec(provider)
        if spec.status == "unavailable":
            raise ProviderUnavailable(
                f"{spec.title} has no public API this toolkit can call", provider=provider
            )
        if "chat" not in spec.modalities:
            raise ConfigurationError(
                f"{provider} does not offer chat; it offers {', '.join(spec.modalities)}"
            )
        info = lookup_model(provider, model_id, allow_retired=self.allow_retired)
        if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens <= 0):
            raise InvalidParameterError(f"max_tokens must be a positive integer, got {max_tokens!r}")
        messages, system_from_messages = to_messages(prompt)
        cfg = coerce(thinking)
        resolved = resolve(cfg, info.thinking, model=f"{provider}/{info.id}")
        notes = list(resolved.notes)
        if not info.known:
            notes.append(
                f"{provider}/{model_id} is not in the catalog: sent as given, with the provider's defaults"
            )
        elif info.status == "retired":  # (only with allow_retired=True)
            notes.append(f"{retired_message(info, model_id)}; sent anyway (allow_retired)")
        elif info.status == "deprecated" and info.retires_on:
            notes.append(f"{provider}/{info.id} is deprecated and retires on {info.retires_on}")
        request = ChatRequest(
            provider=provider,
            model=model_id,
            messages=messages,
            system="\n\n".join(s for s in (system, system_from_messages) if s) or None,
            thinking=cfg,
            max_tokens=max_tokens,
            stream=stream,
            options=options,
            tools=list(tools or []),
            tool_choice=tool_choice,
            parallel_tool_calls=parallel_tool_calls,
            output=output,
        )
        codec = codec_for(spec)
        if hasattr(codec, "pick"):
            codec, request = codec.pick(request)
        check_tools_supported(codec, request, info)
        notes += codec.check(request, info, resolved)
        conn = self.connection(spec, region=region, info=info)
        chosen = spec.regions.get(conn.region or "")
        if chosen is not None and chosen.params:
            # a region that is a request parameter (Anthropic inference_geo): the caller's own value wins
            request = request.model_copy(update={"options": {**chosen.params, **request.options}})
        if conn.residency:
            notes.append(f"residency={self.residency!r}: {conn.residency} (catalog)")
        call = codec.build(request, conn, resolved, info)
        return Prepared(
            spec=spec,
            info=info,
            codec=codec,
            request=request,
            resolved=resolved,
            call=call,
            notes=notes,
            conn=conn,
        )

    async def _authorize(self, prep: Prepared) -> HttpCall:
        """The call with credentials that take I/O to get (Google ADC tokens) added just before sending."""
        if prep.conn is None or prep.conn.auth != "google-adc":
            return prep.call
        if self._adc is None:
            from .google_auth import ApplicationDefaultCredentials

            self._adc = ApplicationDefaultCredentials()
        headers = await self._adc.headers(provider=prep.spec.name)
        return prep.call.model_copy(update={"headers": {**prep.call.headers, **headers}})

    # -- calls -----------------------------------------------------------------------------------

    def _finish(
        self,
        prep: Prepared,
        result: ChatResult,
        *,
        url: str,
        started: float,
        retries: Any,
        request_id: str | None,
        cached: bool = False,
    ) -> ChatResult:
        usage = result.usage
        cost = None
        price = prep.info.price
        if cached:
            cost = 0.0  # answered from the response cache: nothing billed
        elif (
            price
            and price.input_per_1m is not None
            and usage.input_tokens is not None
            and usage.output_tokens is not None
        ):
            cost = (
                usage.input_tokens * price.input_per_1m + usage.output_tokens * (price.output_per_1m or 0)
            ) / 1e6
        return result.model_copy(
            update={
                "endpoint": _endpoint(url),
                "latency_s": round(time.perf_counter() - started, 4),
                "sent": prep.call.sent,
                "notes": [*prep.notes, *result.notes],
                "sandbox": self.sandbox,
                "retries": list(retries),
                "request_id": request_id,
                "cost_usd": cost,
                "cached": cached,
            }
        )

    async def chat(
        self,
        model: str,
        prompt: Any,
        *,
        tools: Any = None,
        max_steps: int = DEFAULT_MAX_STEPS,
        run_tools: bool = True,
        output: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        """A chat call; returns the whole result. Same arguments as `prepare`, plus:

        `tools=[fn, ...]` runs the tool loop (providers/tool_loop.py) until the model answers or
        `max_steps` turns; `run_tools=False` returns after the first turn with the calls unrun.
        `output=` (a pydantic model or any type pydantic validates) asks for a structured answer,
        validated into `r.output`.
        """
        if tools is None and output is None:
            return await self._chat_one(model, prompt, **kwargs)
        run = self.tool_run(
            model, prompt, tools=tools, max_steps=max_steps, run_tools=run_tools, output=output, **kwargs
        )
        return await run.run()

    def tool_run(self, model: str, prompt: Any, **kwargs: Any) -> ToolRun:
        """A tool loop, checked and ready (nothing sent): `await run.run()` or `async for e in run.stream()`.

        Keep the object to read `run.partial()` after a cancel."""
        kwargs.pop("stream", None)
        kwargs["tools"] = check_tools_arg(kwargs.get("tools"))
        return ToolRun(self, model, prompt, **kwargs)

    async def _chat_one(
        self, model: str, prompt: Any, *, cache: CacheMode = None, **kwargs: Any
    ) -> ChatResult:
        """One request, one result (the tool loop calls this for each turn).

        `cache=False` skips the response cache for this call, `cache="refresh"` sends it again and
        overwrites what was stored (only with `AsyncClient(cache=...)`).
        """
        kwargs.pop("stream", None)
        prep = self.prepare(model, prompt, **kwargs)
        must_stream = getattr(prep.codec, "must_stream", None)
        if must_stream is not None and must_stream(prep.call):
            # e.g. Anthropic with a large max_tokens: the official SDK requires streaming; so do we, quietly
            prep = self.prepare(model, prompt, stream=True, **kwargs)
            prep.notes.append(
                "streamed under the hood: max_tokens is large enough that the provider requires streaming"
            )
            result: ChatResult | None = None
            async for event in self._stream(prep, cache=cache):
                if isinstance(event, Done):
                    result = event.result
            assert result is not None
            return result
        started = time.perf_counter()
        reply = await self.transport.send(
            await self._authorize(prep),
            provider=prep.spec.name,
            parse_error=self._error_parser(prep),
            cache=self._cache_mode(cache),
            scope=self._cache_scope,
        )
        request_id = reply.headers.get(_request_id_header(prep))
        with reading(
            prep.spec.name, "a reply body", reply.body, status=reply.status, request_id=request_id
        ) as boundary:
            result = prep.codec.parse(boundary.json_object(reply.json()), prep.request)
        return self._finish(
            prep,
            result,
            url=reply.url,
            started=started,
            retries=reply.retries,
            request_id=request_id,
            cached=reply.cached,
        )

    @property
    def _cache_scope(self) -> str:
        return "sandbox" if self.sandbox else "live"

    def _cache_mode(self, cache: CacheMode) -> CacheMode:
        """The transport's cache mode for a call: off without a cache or with cache=False."""
        if cache not in (None, True, False, "refresh"):
            raise InvalidParameterError(f"cache= takes True, False or 'refresh' for a call, not {cache!r}")
        if self.cache is None:
            if cache == "refresh":
                raise ConfigurationError("cache='refresh' needs a cache: create the client with cache=True")
            return None
        return "refresh" if cache == "refresh" else cache is not False

    def _error_parser(self, prep: Prepared) -> Any:
        def parse(status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
            return prep.codec.parse_error(prep.spec.name, status, headers, body)

        return guarded_error_parser(parse, prep.spec.name, request_id_header=_request_id_header(prep))

    async def compare(self, prompt: Any, models: list[str], **kwargs: Any) -> list[ChatResult | LLMKitError]:
        """The same call on several models at once; a model's failure is its entry, not an exception."""
        if not models:
            raise InvalidParameterError(
                "compare needs at least one model, e.g. models=['openai/gpt-6.1-terra']"
            )

        async def one(model: str) -> ChatResult | LLMKitError:
            try:
                return await self.chat(model, prompt, **kwargs)
            except LLMKitError as exc:
                return exc

        # every call runs in its own task; whatever ends compare early (a bug's exception, Ctrl-C,
        # cancellation) cancels the others and waits for them, so no call is left running
        tasks = [asyncio.ensure_future(one(m)) for m in models]
        try:
            return list(await asyncio.gather(*tasks))
        finally:
            pending = [t for t in tasks if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)

    def stream(
        self,
        model: str,
        prompt: Any,
        *,
        tools: Any = None,
        max_steps: int = DEFAULT_MAX_STEPS,
        run_tools: bool = True,
        output: Any = None,
        **kwargs: Any,
    ) -> AsyncIterator[StreamEvent]:
        """Stream a chat call: TextDelta / ThinkingDelta / ToolCallDelta events as they arrive, then Done.

        With tools= the loop streams every turn, with StepDone after each and ToolResultEvent per call.
        A stream cut short raises IncompleteStreamError whose `.partial` keeps what arrived.
        Nothing is checked or sent until the first event is asked for.
        """

        def start() -> AsyncIterator[StreamEvent]:
            if tools is None and output is None:
                kwargs.pop("stream", None)
                cache = kwargs.pop("cache", None)
                return self._stream(self.prepare(model, prompt, stream=True, **kwargs), cache=cache)
            run = self.tool_run(
                model, prompt, tools=tools, max_steps=max_steps, run_tools=run_tools, output=output, **kwargs
            )
            return run.stream()

        return _LazyStream(start)

    async def _stream_one(self, model: str, prompt: Any, **kwargs: Any) -> AsyncIterator[StreamEvent]:
        """One streamed request (the tool loop calls this for each turn)."""
        kwargs.pop("stream", None)
        cache = kwargs.pop("cache", None)
        prep = self.prepare(model, prompt, stream=True, **kwargs)
        async for event in self._stream(prep, cache=cache):
            yield event

    async def _stream(self, prep: Prepared, *, cache: CacheMode = None) -> AsyncIterator[StreamEvent]:
        started = time.perf_counter()
        decoder = prep.codec.decoder(prep.request)
        call = await self._authorize(prep)
        name = prep.spec.name
        async with self.transport.stream(
            call,
            provider=name,
            parse_error=self._error_parser(prep),
            cache=self._cache_mode(cache),
            scope=self._cache_scope,
        ) as sse:
            request_id = sse.response.headers.get(_request_id_header(prep))
            status = sse.response.status_code

            def partial(note: str) -> ChatResult:
                try:
                    with reading(name, "a stream", "", status=status, request_id=request_id):
                        result = decoder.result().model_copy(update={"incomplete": True})
                except ResponseFormatError as exc:  # what arrived cannot be put together: keep the why
                    result = ChatResult(provider=name, model=prep.request.model, incomplete=True)
                    note = f"{note}; what arrived could not be read ({exc.message})"
                result = self._finish(
                    prep, result, url=sse.url, started=started, retries=sse.retries, request_id=request_id
                )
                return result.model_copy(update={"notes": [*result.notes, note]})

            feed, reads_to_end = decoder.feed, getattr(decoder, "reads_to_end", False)
            try:
                async for event in sse.events():
                    kind = event.event
                    if kind == "ping":
                        continue
                    try:
                        deltas = feed(kind, event.data)
                    except Exception:
                        # the codec boundary, entered only on the way out (one event per token: the
                        # happy path pays nothing): a foreign exception becomes a ResponseFormatError
                        where = f"a stream event {kind!r}" if kind else "a stream event"
                        with reading(name, where, event.data, status=status, request_id=request_id):
                            raise
                    for delta in deltas:
                        yield delta
                    if decoder.done and not reads_to_end:
                        break  # (a stream whose end is the body's end, like Gemini's, is read to the end)
                if decoder.done:
                    # read the body's end so the connection returns to the pool (else: one per stream)
                    await sse.drain()
            except ProviderError as exc:
                cut = partial(f"stream ended by an error: {exc.message}")
                raise IncompleteStreamError(
                    f"the {name} stream failed ({_kept(cut)}): {exc.message}",
                    partial=cut,
                    provider=name,
                    status=exc.status,
                    request_id=request_id,
                ) from exc
            except (httpx2.TransportError, httpx2.SSEError) as exc:
                cut = partial(f"connection lost: {exc}")
                raise IncompleteStreamError(
                    f"the {name} stream was cut short ({_kept(cut)}): {exc}",
                    partial=cut,
                    provider=name,
                    request_id=request_id,
                ) from exc
            if not decoder.done:
                cut = partial("the stream ended without its final event")
                raise IncompleteStreamError(
                    f"the {name} stream ended early ({_kept(cut)})",
                    partial=cut,
                    provider=name,
                    request_id=request_id,
                )
            with reading(name, "a stream", "", status=status, request_id=request_id):
                result = decoder.result()
            result = self._finish(
                prep,
                result,
                url=sse.url,
                started=started,
                retries=sse.retries,
                request_id=request_id,
                cached=sse.cached,
            )
            sse.complete()  # a whole stream: the cache (if asked) may keep it
        yield Done(result=result)
