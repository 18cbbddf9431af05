"""AsyncClient: the async face of the toolkit.

    client = AsyncClient()                 # real providers, keys from the environment
    client = AsyncClient(sandbox=True)     # the offline emulator, no keys, no network
    r = await client.chat("anthropic/claude-sonnet-5-5", "Why is the sky blue?", thinking="high")
    async for event in client.stream("openai/gpt-6.1-terra", "...", thinking="low"): ...  # client_stream.py
    job = await client.batch(["...", "..."], model="anthropic/claude-haiku-5-5")   # client_batch.py

Every check that can fail without the network happens in `prepare()`, before anything is sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx2

from .boundary import guarded_error_parser, reading
from .chat.base import ChatCodec, Connection
from .client_batch import BatchCalls
from .client_connect import ConnectionSetup, check_settings
from .client_media import MediaCalls
from .client_stream import StreamCalls
from .credentials import clean_key
from .errors import (
    ConfigurationError,
    InvalidParameterError,
    LLMKitError,
    ProviderError,
    ProviderUnavailable,
)
from .mapping import MapCalls
from .messages import check_tools_supported, to_messages
from .pool import LoopTransports
from .regions import check_region_map, validate_policy
from .registry import (
    ModelInfo,
    ProviderSpec,
    allow_retired_from_env,
    codec_for,
    lookup_model,
    provider_spec,
    retired_message,
    split_model,
)
from .thinking import Resolved, coerce, plan_options, resolve
from .tool_loop import DEFAULT_MAX_STEPS, ToolRun, check_tools_arg
from .transport import RetryPolicy, Transport, default_http_client
from .types import ChatRequest, ChatResult, Done, HttpCall, OutputSpec, ToolSpec
from .urls import safe_url

if TYPE_CHECKING:
    from .cache import CacheMode

__all__ = ["AsyncClient", "Prepared", "to_messages"]


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

    @property
    def request_id_header(self) -> str:
        """The reply header that carries the provider's request id."""
        return str(getattr(self.codec, "request_id_header", "x-request-id"))


class AsyncClient(ConnectionSetup, StreamCalls, MediaCalls, BatchCalls, MapCalls):
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
        self._settings = check_settings(settings)
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
        thinking, plan_notes = plan_options(thinking, options)
        cfg = coerce(thinking)
        resolved = resolve(cfg, info.thinking, model=f"{provider}/{info.id}")
        notes = plan_notes + list(resolved.notes)
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
                "endpoint": safe_url(url),
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
        request_id = reply.headers.get(prep.request_id_header)
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

        return guarded_error_parser(parse, prep.spec.name, request_id_header=prep.request_id_header)

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
