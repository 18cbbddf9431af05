"""LLMKit: the synchronous face of `providers.AsyncClient`, safe inside Jupyter's running loop.

    kit = LLMKit(sandbox=True)
    r = kit.chat("anthropic/claude-sonnet-5-5", "Why is the sky blue?", thinking="high")
    r                                   # renders: answer, collapsible reasoning, footer
    kit.chat("openai/gpt-6.1-terra", "...", thinking="low", stream=True)

Results are `ChatResponse`s: `providers.types.ChatResult` plus notebook rendering.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from providers.errors import ProviderError
from providers.types import (
    ChatResult,
    Done,
    StepDone,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolResultEvent,
)

from .defaults import KitDefaults
from .kit_media import MediaFaces
from .ledger import Ledger
from .loop import Runner, make_runner
from .responses import ChatResponse, Comparison, in_kernel

if TYPE_CHECKING:
    from .domains import DomainSession

__all__ = ["ChatResponse", "Comparison", "LLMKit"]


_NO_PROMPT: Any = object()  # kit.chat("question", domain=...) leaves the model out


class LLMKit(MediaFaces):
    """One synchronous kit for every provider. `sandbox=True` uses the offline emulator."""

    def __init__(
        self,
        *,
        sandbox: bool = False,
        api_keys: Mapping[str, str] | None = None,
        base_urls: Mapping[str, str] | None = None,
        http_client: Any = None,
        loop: str = "thread",
        max_retries: int = 2,
        sandbox_delay: float = 0.0,
        env: Mapping[str, str] | None = None,
        settings: Mapping[str, Mapping[str, Any]] | None = None,
        region: Mapping[str, str] | None = None,
        residency: str | None = None,
        opt_in: Any = (),
        cache: Any = None,
        allow_retired: bool = False,
    ) -> None:
        """`region={"mistral": "eu"}` picks providers' regions; `residency="eu"` refuses non-EU endpoints
        before any request; `opt_in=["lighton"]` enables providers the catalog marks opt-in;
        `cache=True` (the user cache dir) or `cache="path"` answers repeated calls from disk, at $0;
        `allow_retired=True` tries models the catalog says are retired instead of refusing them."""
        from providers.client import AsyncClient

        self._runner: Runner = make_runner(loop)
        self.client = AsyncClient(
            sandbox=sandbox,
            api_keys=api_keys,
            base_urls=base_urls,
            http_client=http_client,
            max_retries=max_retries,
            sandbox_delay=sandbox_delay,
            env=env,
            settings=settings,
            region=region,
            residency=residency,
            opt_in=opt_in,
            cache=cache,
            allow_retired=allow_retired,
        )
        self.sandbox = sandbox
        self.ledger = Ledger()
        self.defaults = KitDefaults()
        if in_kernel():
            from .display.objects import install_error_display

            install_error_display()

    def __repr__(self) -> str:
        return f"LLMKit(sandbox={self.sandbox})"

    @property
    def cache(self) -> Any:
        """The response cache (`providers.cache.ResponseCache`: `.clear()`, `len()`), or None."""
        return self.client.cache

    @property
    def residency(self) -> str | None:
        """The residency policy ('eu', ...) every call must satisfy, or None."""
        return self.client.residency

    def set_region(self, provider: str, region: str | None) -> None:
        """Pick a provider's region for later calls (None goes back to its env var or default); checked now."""
        from providers.regions import check_region_map

        regions = dict(self.client.regions)
        regions.pop(provider, None)
        if region is not None:
            regions.update(check_region_map({provider: region}))
        self.client.regions = regions

    def chat(
        self,
        model: str | None,
        prompt_or_messages: Any = _NO_PROMPT,
        *,
        thinking: Any = None,
        stream: bool = False,
        max_tokens: int | None = None,
        system: str | None = None,
        domain: Any = None,
        cache: Any = None,
        tools: Any = None,
        output: Any = None,
        **options: Any,
    ) -> ChatResponse:
        """Send a chat; with stream=True show it live (in place in a notebook, as text in a script).

        `domain="medical"` (or scientific, legal, finance) applies a domain preset; then the model may be
        left out -- `kit.chat("question", domain="medical")` -- to use the preset's own.
        `cache=False` bypasses the kit's response cache for this call; `cache="refresh"` overwrites it.

        `tools=[fn, ...]` lets the model call your functions: the loop runs them and sends the results back
        until it answers (`max_steps=10`, `run_tools=True`, `tool_choice=`, `parallel_tool_calls=`).
        `output=Model` asks for a structured answer, validated into `r.output`. Ctrl-C stops a tool loop
        and raises ToolLoopInterrupted, whose `.partial` keeps every finished turn.
        """
        if domain is not None:
            if prompt_or_messages is _NO_PROMPT:
                model, prompt_or_messages = None, model
            return self.domain(domain).chat(
                prompt_or_messages,
                model=model,
                thinking=thinking,
                stream=stream,
                max_tokens=max_tokens,
                system=system,
                **({} if cache is None else {"cache": cache}),
                **({"tools": tools} if tools is not None else {}),
                **({"output": output} if output is not None else {}),
                **options,
            )
        if prompt_or_messages is _NO_PROMPT:
            raise TypeError("chat() needs a model and a prompt: kit.chat('provider/model', 'your question')")
        if model is None:
            from providers.errors import UnknownProviderError

            raise UnknownProviderError("name the model as 'provider/model', or pass domain= for a preset's")
        kwargs = dict(thinking=thinking, max_tokens=max_tokens, system=system, **options)
        if tools is not None or output is not None:
            if cache is not None:  # (each turn of the loop is looked up in the response cache)
                kwargs["cache"] = cache
            return self._tool_chat(
                model, prompt_or_messages, kwargs, tools=tools, output=output, stream=stream
            )
        if not stream:
            try:
                result = self._runner.run(self.client.chat(model, prompt_or_messages, cache=cache, **kwargs))
            except ProviderError as exc:
                self.ledger.record_error(model, exc, sandbox=self.sandbox)
                raise
            self.ledger.record_chat(result)
            return ChatResponse.of(result)
        # validate before showing anything: bad input raises here, with nothing sent
        self.client.prepare(model, prompt_or_messages, stream=True, cache=cache, **kwargs)
        if cache is not None:
            kwargs["cache"] = cache
        return self._stream(model, prompt_or_messages, kwargs)

    def ask(self, prompt_or_messages: Any, **overrides: Any) -> ChatResponse:
        """`chat` with the kit's defaults (model, thinking, stream, ...); keywords override them."""
        d = self.defaults
        args: dict[str, Any] = {
            "thinking": d.thinking,
            "stream": d.stream,
            "max_tokens": d.max_tokens,
            "system": d.system,
        }
        if d.region is not None and "model" not in overrides:
            args["region"] = d.region  # the picker's region belongs to the picker's provider
        args.update(overrides)
        model = args.pop("model", d.model)
        return self.chat(model, prompt_or_messages, **args)

    def compare(
        self,
        prompt: Any,
        models: list[str],
        *,
        thinking: Any = None,
        max_tokens: int | None = None,
        system: str | None = None,
        **options: Any,
    ) -> Comparison:
        """Run one prompt on several models concurrently; renders one side-by-side table."""
        kwargs = dict(thinking=thinking, max_tokens=max_tokens, system=system, **options)
        outcomes = self._runner.run(self.client.compare(prompt, list(models), **kwargs))
        for model, outcome in zip(models, outcomes, strict=True):
            if isinstance(outcome, ProviderError):
                self.ledger.record_error(model, outcome, sandbox=self.sandbox)
            elif isinstance(outcome, ChatResult):
                self.ledger.record_chat(outcome)
        results = [o if isinstance(o, BaseException) else ChatResponse.of(o) for o in outcomes]
        return Comparison(
            prompt=prompt if isinstance(prompt, str) else "(conversation)",
            models=list(models),
            results=results,
        )

    def map(
        self,
        inputs: Any,
        data: Any = None,
        *,
        model: str,
        concurrency: int = 8,
        progress: bool = True,
        **options: Any,
    ) -> Any:
        """One chat call per input, `concurrency` at once, under the provider's rate limits, with a
        progress display; returns a `MapResponse` (a table; `.results`, `.errors`, `.to_dicts()`).

        `inputs`: a list of prompts (strings or message lists), a pandas/polars column, or a template
        string with `data` rows (a list of dicts or a DataFrame): `kit.map("Classify: {review}", rows,
        model=...)`. Chat options (thinking=, tools=, output=, max_tokens=, cache=, ...) apply to every
        call. Everything is checked before anything is sent. Ctrl-C (the kernel's stop button) stops it
        and returns the finished rows.
        """
        from .mapping import run_map

        return run_map(
            self, inputs, data, model=model, concurrency=concurrency, progress=progress, options=options
        )

    def _tool_chat(
        self, model: str, prompt: Any, kwargs: dict[str, Any], *, tools: Any, output: Any, stream: bool
    ) -> ChatResponse:
        """A tool loop (or a structured answer): every turn in the ledger, Ctrl-C keeps what finished."""
        from providers.errors import OutputError, ToolLoopInterrupted

        run = self.client.tool_run(
            model, prompt, tools=tools, output=output, **kwargs
        )  # checked: nothing sent
        if stream:
            return self._stream(model, prompt, kwargs, run=run)
        try:
            result = self._runner.run(run.run())
        except OutputError as exc:
            if exc.result is not None:
                self.ledger.record_chat(exc.result)
                exc.result = ChatResponse.of(exc.result)
            raise
        except ProviderError as exc:
            self._record_partial(run)
            self.ledger.record_error(model, exc, sandbox=self.sandbox)
            raise
        except KeyboardInterrupt as exc:
            partial = self._record_partial(run)
            raise ToolLoopInterrupted(
                f"interrupted after {len(run.steps)} finished turn(s); .partial keeps them", partial=partial
            ) from exc
        self.ledger.record_chat(result)
        return ChatResponse.of(result)

    def _record_partial(self, run: Any) -> ChatResponse | None:
        partial = run.partial()
        if partial is None:
            return None
        self.ledger.record_chat(partial)
        return ChatResponse.of(partial)

    def _stream(
        self, model: str, prompt: Any, kwargs: dict[str, Any], *, live: Any = None, run: Any = None
    ) -> ChatResponse:
        from providers.errors import IncompleteStreamError, OutputError, ToolLoopInterrupted

        from .display.objects import LiveChat

        provider, _, name = model.partition("/")
        if live is None:  # a caller may bring its own view (the domain presets add their banner)
            live = LiveChat(provider=provider, model=name, sandbox=self.sandbox)
        source = run.stream() if run is not None else self.client.stream(model, prompt, **kwargs)
        try:
            for event in self._runner.iterate(source, on_idle=live.flush):
                match event:
                    case ThinkingDelta():
                        live.add_thinking(event.text)
                    case TextDelta():
                        live.add_text(event.text)
                    case ToolCallDelta():
                        live.add_tool_delta(event)
                    case StepDone():
                        live.add_step(event.result)
                    case ToolResultEvent():
                        live.add_tool_result(event.call)
                    case Done():
                        self.ledger.record_chat(event.result)
                        result = ChatResponse.of(event.result, streamed=in_kernel())
                        live.finish(result)
                        return result
        except IncompleteStreamError as exc:
            self.ledger.record_chat(exc.partial)
            exc.partial = ChatResponse.of(exc.partial)
            live.fail(exc)
            raise
        except OutputError as exc:
            if exc.result is not None:
                self.ledger.record_chat(exc.result)
                exc.result = ChatResponse.of(exc.result)
            live.fail(exc)
            raise
        except KeyboardInterrupt as exc:
            if run is not None:
                partial = self._record_partial(run)
                err = ToolLoopInterrupted(
                    f"interrupted after {len(run.steps)} finished turn(s); .partial keeps them",
                    partial=partial,
                )
                live.fail(err)
                raise err from exc
            live.fail(exc)
            raise
        except Exception as exc:
            if isinstance(exc, ProviderError):
                self.ledger.record_error(model, exc, sandbox=self.sandbox)
            live.fail(exc)
            raise
        raise AssertionError(
            "stream ended without a result"
        )  # pragma: no cover - the client always ends with Done

    def domain(
        self,
        name: Any,
        *,
        model: str | None = None,
        disclaimer: bool = True,
        acknowledge_disclaimer: bool = False,
    ) -> DomainSession:
        """A domain preset (medical, scientific, legal, finance or a DomainPreset) bound to this kit.

        `kit.domain("legal").chat("...")` sends with the preset's system prompt, thinking and settings;
        results render with its disclaimer banner and sources. An unknown name lists the known ones.
        """
        from .domains import DomainSession

        return DomainSession(
            self, name, model=model, disclaimer=disclaimer, acknowledge_disclaimer=acknowledge_disclaimer
        )

    def batch(
        self,
        inputs: Any,
        *,
        model: str,
        custom_ids: Any = None,
        thinking: Any = None,
        max_tokens: int | None = None,
        system: str | None = None,
        **options: Any,
    ) -> Any:
        """Submit many prompts as one provider batch (OpenAI, Anthropic, Gemini, Mistral: half price, results
        within the provider's window). Returns the job at once: it renders its state; `.wait()`, then
        `.results()` (one row per input, in input order). Bad input raises before anything is sent."""
        from .batch import BatchJobView

        kwargs = dict(
            custom_ids=custom_ids, thinking=thinking, max_tokens=max_tokens, system=system, **options
        )
        plan = self.client.prepare_batch(inputs, model=model, **kwargs)
        try:
            handle = self._runner.run(self.client.batch(plan, model=model))
        except ProviderError as exc:
            self.ledger.record_error(model, exc, kind="batch", sandbox=self.sandbox)
            raise
        return BatchJobView(self, handle)

    def batch_job(
        self,
        job_id: str,
        *,
        provider: str | None = None,
        model: str | None = None,
        output: Any = None,
        region: str | None = None,
    ) -> Any:
        """Pick a batch up again by its id ("openai:batch_abc", or a bare id with provider=), e.g. after a
        kernel restart; polls it once. `output=` (the type the batch asked for) validates its results again;
        `region=` names the region it went to when it is not the kit's choice for that provider."""
        from .batch import BatchJobView

        handle = self.client.batch_job(job_id, provider=provider, model=model, output=output, region=region)
        return BatchJobView(self, self._runner.run(handle))

    def sandbox_fault(self, spec: str, times: int = 1) -> None:
        """Make the next `times` sandbox calls fail: "429", "429:2" (retry-after 2 s), "500", "503", "529",
        "drop" (connection lost mid-stream), "malformed" (a broken frame), "slow:0.5" or "split" (multi-byte characters cut across chunks)."""
        self.client.sandbox_app.inject(spec, times=times)

    def sandbox_rate_limit(
        self, provider: str, requests: int | None = None, tokens: int | None = None, window: float = 60.0
    ) -> None:
        """Give a sandbox provider a rate limit (requests and/or tokens per `window` seconds): its replies
        then carry that provider's rate-limit headers and calls past it get a 429 with retry-after.
        Neither `requests` nor `tokens`: the limit is lifted."""
        self.client.sandbox_app.rate_limit(provider, requests=requests, tokens=tokens, window=window)

    def picker(self) -> Any:
        """An ipywidgets picker (provider -> model -> region -> latency -> thinking) that sets kit.defaults."""
        from .widgets import Picker

        return Picker(self)

    def chat_panel(self) -> Any:
        """An ipywidgets chat panel: prompt, Send, Stop, a live answer with reasoning, and the history."""
        from .widgets import ChatPanel

        return ChatPanel(self)

    def usage(self) -> Ledger:
        """Every call this kit made: tokens, latency, estimated cost; renders a table and spend bars."""
        return self.ledger

    def close(self) -> None:
        """Close connections and stop the background loop."""
        try:
            self._runner.run(self.client.aclose())
        finally:
            self._runner.close()

    def __enter__(self) -> LLMKit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
