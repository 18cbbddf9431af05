"""LLMKit: the synchronous face of `providers.AsyncClient`, safe inside Jupyter's running loop.

    kit = LLMKit(sandbox=True)
    r = kit.chat("anthropic/claude-sonnet-5-5", "Why is the sky blue?", thinking="high")
    r                                   # renders: answer, collapsible reasoning, footer
    kit.chat("openai/gpt-6.1-terra", "...", thinking="low", stream=True)

Results are `ChatResponse`s: `providers.types.ChatResult` plus notebook rendering.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import PrivateAttr

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
from .ledger import Ledger
from .loop import Runner, make_runner

if TYPE_CHECKING:
    from .domains import DomainSession

__all__ = ["ChatResponse", "Comparison", "LLMKit"]


class Comparison:
    """Several models' answers to one prompt; renders as one table. Failures are kept as errors."""

    def __init__(self, *, prompt: str, models: list[str], results: list[Any]) -> None:
        self.prompt = prompt
        self.models = models
        self.results = results

    def __repr__(self) -> str:
        return f"Comparison({len(self.models)} models)"

    def __iter__(self) -> Any:
        return iter(zip(self.models, self.results, strict=True))

    def rows(self) -> list[dict[str, Any]]:
        """One plain dict per model: text, reasoning tokens, latency, cost, or the error."""
        out: list[dict[str, Any]] = []
        for model, r in self:
            if isinstance(r, BaseException):
                out.append({"model": model, "error": f"{type(r).__name__}: {getattr(r, 'message', r)}"})
            else:
                out.append(
                    {
                        "model": model,
                        "text": r.text,
                        "reasoning_tokens": r.usage.reasoning_tokens,
                        "latency_s": r.latency_s,
                        "cost_usd": r.cost_usd,
                    }
                )
        return out

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from .display.compare import render_comparison, render_plain_comparison

        rows = list(self)
        return {
            "text/plain": render_plain_comparison(self.prompt, rows),
            "text/html": render_comparison(self.prompt, rows),
        }


class ChatResponse(ChatResult):
    """A chat result that renders itself in Jupyter (answer, reasoning panel, footer)."""

    _streamed_once: bool = PrivateAttr(False)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from .display.objects import chat_mimebundle

        if self._streamed_once:
            # a streamed call already drew this result in place; don't draw it twice as the cell's value
            self._streamed_once = False
            return {
                "text/plain": f"<{self.provider}/{self.model}: streamed above; {len(self.text)} characters>",
                "text/html": '<div class="llmkit-streamed" style="opacity:.6;font-size:85%">&uarr; streamed above</div>',
            }
        return chat_mimebundle(self)

    @classmethod
    def of(cls, result: ChatResult, *, streamed: bool = False) -> ChatResponse:
        response = cls.model_construct(**{name: getattr(result, name) for name in ChatResult.model_fields})
        response._streamed_once = streamed
        return response


_NO_PROMPT: Any = object()  # kit.chat("question", domain=...) leaves the model out


def _in_kernel() -> bool:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class LLMKit:
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
        if _in_kernel():
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
                        result = ChatResponse.of(event.result, streamed=_in_kernel())
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

    def generate_video(
        self,
        prompt: str | None,
        *,
        model: str,
        duration: float | None = None,
        size: Any = None,
        image: Any = None,
        timeout: float | None = 600.0,
        on_progress: Any = None,
        progress: bool = True,
        cancel_on_interrupt: bool = True,
        **options: Any,
    ) -> Any:
        """Generate a video ("runware/runway:1@2", "runwayml/gen4.5", ...), showing its progress while
        it renders; returns a `VideoResponse` (a player; `.save(path)` downloads it). Ctrl-C cancels the
        remote task where the provider allows it and raises JobInterrupted with the job id."""
        from .media import generate

        return self._ledgered(
            "video",
            model,
            lambda: generate(
                self,
                "video",
                prompt,
                model=model,
                duration=duration,
                size=size,
                image=image,
                timeout=timeout,
                on_progress=on_progress,
                progress=progress,
                cancel_on_interrupt=cancel_on_interrupt,
                **options,
            ),
        )

    def video_job(
        self,
        job_id: str,
        *,
        model: str | None = None,
        timeout: float | None = 600.0,
        on_progress: Any = None,
        progress: bool = True,
    ) -> Any:
        """Resume a video job by id (after a timeout or an interrupt); `model` only for jobs this kit did
        not start."""
        from .media import resume

        return self._ledgered(
            "video",
            model or job_id,
            lambda: resume(
                self,
                job_id,
                model=model,
                kind="video",
                timeout=timeout,
                on_progress=on_progress,
                progress=progress,
            ),
        )

    def generate_image(
        self,
        prompt: str | None,
        *,
        model: str,
        size: Any = None,
        image: Any = None,
        timeout: float | None = 180.0,
        on_progress: Any = None,
        progress: bool = True,
        **options: Any,
    ) -> Any:
        """Generate an image ("runware/flux-dev", "runwayml/gen4_image", ...) through the same job
        machinery; returns an `ImageResponse`."""
        from .media import generate

        return self._ledgered(
            "image",
            model,
            lambda: generate(
                self,
                "image",
                prompt,
                model=model,
                size=size,
                image=image,
                timeout=timeout,
                on_progress=on_progress,
                progress=progress,
                **options,
            ),
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

    def picker(self) -> Any:
        """An ipywidgets picker (provider -> model -> region -> latency -> thinking) that sets kit.defaults."""
        from .widgets import Picker

        return Picker(self)

    def chat_panel(self) -> Any:
        """An ipywidgets chat panel: prompt, Send, Stop, a live answer with reasoning, and the history."""
        from .widgets import ChatPanel

        return ChatPanel(self)

    # -- voice: thin sync faces over providers.audio / providers.realtime (llmkit_nb/voice.py) ----------

    def transcribe(self, audio: Any, *, model: str = "deepgram/nova-3", **options: Any) -> Any:
        """Speech to text from bytes, a path, a URL or a Speech; renders text + word timings + speaker turns."""
        from . import voice

        return self._ledgered(
            "transcription", model, lambda: voice.transcribe(self, audio, model=model, options=options)
        )

    def transcribe_live(self, chunks: Any, *, model: str = "deepgram/nova-3", **options: Any) -> Any:
        """Live transcription (Deepgram WebSocket): iterate it for interim and final results as they arrive."""
        from . import voice

        return voice.transcribe_live(self, chunks, model=model, options=options)

    def speak(
        self,
        text: str,
        *,
        model: str | None = None,
        voice: str | None = None,
        latency: Any = None,
        output_format: str | None = None,
        stream: bool = False,
        on_chunk: Any = None,
        **options: Any,
    ) -> Any:
        """Text to speech; renders an inline player. stream=True hands chunks to on_chunk as they arrive.

        Unset model/voice/latency come from kit.defaults (speech_model, voice, latency).
        """
        from . import voice as _voice

        return self._ledgered(
            "speech",
            model or self.defaults.speech_model or "",
            lambda: _voice.speak(
                self,
                text,
                model=model,
                voice=voice,
                latency=latency,
                output_format=output_format,
                stream=stream,
                on_chunk=on_chunk,
                options=options,
            ),
        )

    def speak_stream(
        self,
        text: str,
        *,
        model: str | None = None,
        voice: str | None = None,
        latency: Any = None,
        **options: Any,
    ) -> Any:
        """Streamed speech as an iterator: AudioChunk events as bytes arrive, then SpeechDone(speech)."""
        from . import voice as _voice

        return _voice.speak_stream(self, text, model=model, voice=voice, latency=latency, **options)

    def realtime(self, model: str = "xai/grok-voice-latest", **session: Any) -> Any:
        """An open realtime voice session: `.say(text)`, `.send_audio(pcm16)`; renders the conversation."""
        from . import voice

        return voice.realtime(self, model, session)

    def voice_picker(self) -> Any:
        """ipywidgets: speech provider, model, voice and latency tier, bound to kit.defaults (and a Try button)."""
        from .widgets_voice import VoicePicker

        return VoicePicker(self)

    def _ledgered(self, kind: str, model: str, call: Any) -> Any:
        """Run a speech, transcription or generation call and record it in the ledger."""
        try:
            result = call()
        except ProviderError as exc:
            self.ledger.record_error(model, exc, kind=kind, sandbox=self.sandbox)
            raise
        self.ledger.record_result(result, kind=kind)
        return result

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
