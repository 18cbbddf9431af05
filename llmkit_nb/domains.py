"""Domain presets in the notebook: `kit.domain("medical").chat(...)` and `kit.chat(..., domain=...)`.

A `DomainSession` binds a preset (providers.domains) to a kit: each call applies the preset (system
prompt, thinking, sampling, safety settings), goes through the kit like any chat (so the ledger,
retries and streaming behave the same), and comes back as a `DomainResponse` that renders with the
preset's banner, sources list and final answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from providers.domains import (
    Applied,
    Citation,
    DomainPreset,
    RenderHints,
    apply,
    final_answer,
    get_preset,
    split_citations,
)
from providers.errors import ConfigurationError
from providers.types import ChatResult

from .kit import ChatResponse

if TYPE_CHECKING:
    from .kit import LLMKit

__all__ = ["DomainResponse", "DomainSession"]

SELF_HOSTED = "providers.chat.self_hosted:self_hosted_connection"  # the connector of servers you run


class DomainResponse(ChatResponse):
    """A chat result from a domain preset: renders with its banner, sources and final answer."""

    hints: RenderHints = Field(..., description="How the preset renders this result.")

    @property
    def domain(self) -> str:
        """The preset's name."""
        return self.hints.domain

    @property
    def answer(self) -> str:
        """The answer without its trailing sources list."""
        return split_citations(self.text)[0] if self.hints.citations else self.text

    @property
    def citations(self) -> list[Citation]:
        """The sources the model listed at the end of its answer (empty when it gave none)."""
        return split_citations(self.text)[1] if self.hints.citations else []

    @property
    def final_answer(self) -> str | None:
        """The last \\boxed{...} of the answer (the scientific preset asks for one)."""
        return final_answer(self.text)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from .display.domain import domain_mimebundle

        if self._streamed_once:
            return super()._repr_mimebundle_(include, exclude)
        return domain_mimebundle(self, self.hints)

    def __repr_args__(self) -> Any:  # keep the repr short: the hints are shown by the display
        return [(k, v) for k, v in super().__repr_args__() if k != "hints"]

    @classmethod
    def of_domain(cls, result: ChatResult, hints: RenderHints, *, streamed: bool = False) -> DomainResponse:
        """Wrap a ChatResult (or ChatResponse) with the hints its preset gave."""
        fields = {name: getattr(result, name) for name in ChatResult.model_fields}
        response = cls.model_construct(**fields, hints=hints)
        response._streamed_once = streamed
        return response


class DomainSession:
    """A preset bound to a kit. `chat()` takes the same arguments as `kit.chat`, minus the model."""

    def __init__(
        self,
        kit: LLMKit,
        domain: str | DomainPreset,
        *,
        model: str | None = None,
        disclaimer: bool = True,
        acknowledge_disclaimer: bool = False,
    ) -> None:
        self.kit = kit
        self.preset = get_preset(domain)
        self.model = model or self.preset.model
        self.disclaimer = disclaimer
        self.acknowledge_disclaimer = acknowledge_disclaimer
        # refuse a hidden disclaimer now, not at the first call
        if not disclaimer and self.preset.disclaimer_required and not acknowledge_disclaimer:
            apply(self.preset, "-", model=self.model, disclaimer=False)

    def __repr__(self) -> str:
        return f"DomainSession({self.preset.name!r}, model={self.model!r})"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from .display.domain import render_plain_preset, render_preset

        return {
            "text/plain": render_plain_preset(self.preset, self.model),
            "text/html": render_preset(self.preset, self.model),
        }

    def prepare(self, prompt: Any, *, model: str | None = None, **kwargs: Any) -> Applied:
        """What a call would send (model, prompt, chat kwargs) and how it would render; nothing is sent."""
        disclaimer = kwargs.pop("disclaimer", self.disclaimer)
        ack = kwargs.pop("acknowledge_disclaimer", self.acknowledge_disclaimer)
        thinking = kwargs.pop("thinking", None)
        system = kwargs.pop("system", None)
        call = apply(
            self.preset,
            prompt,
            model=model or self.model,
            thinking=thinking,
            system=system,
            options=kwargs,
            disclaimer=disclaimer,
            acknowledge_disclaimer=ack,
        )
        self._check_endpoint(call.model)
        return call

    def chat(
        self, prompt_or_messages: Any, *, model: str | None = None, stream: bool = False, **kwargs: Any
    ) -> DomainResponse:
        """Send one chat with the preset applied; the result renders with the preset's banner."""
        call = self.prepare(prompt_or_messages, model=model, **kwargs)
        notes = call.notes
        if stream:
            from .display.domain import DomainLiveChat

            provider, _, name = call.model.partition("/")
            run = None
            if "tools" in call.kwargs or "output" in call.kwargs:  # a tool loop, checked before sending
                run = self.kit.client.tool_run(call.model, call.prompt, **call.kwargs)
            else:
                self.kit.client.prepare(call.model, call.prompt, stream=True, **call.kwargs)
            live = DomainLiveChat(hints=call.hints, provider=provider, model=name, sandbox=self.kit.sandbox)
            result: ChatResult = self.kit._stream(call.model, call.prompt, call.kwargs, live=live, run=run)
        else:
            result = self.kit.chat(call.model, call.prompt, **call.kwargs)
        streamed = bool(getattr(result, "_streamed_once", False))
        result = result.model_copy(update={"notes": [*notes, *result.notes]})
        return DomainResponse.of_domain(result, call.hints, streamed=streamed)

    def _check_endpoint(self, model: str) -> None:
        """A self-hosted model (ChatLaw, vLLM) needs its endpoint: if it has none, say how to get one."""
        from providers.registry import provider_spec, split_model

        provider, _ = split_model(model)
        spec = provider_spec(provider)
        if spec.connector != SELF_HOSTED:
            return
        try:
            self.kit.client.connection(spec)
        except ConfigurationError as exc:
            raise ConfigurationError(
                f"{exc.message}. Or run the {self.preset.name} preset on a hosted chat model you have a key "
                f"for, e.g. kit.domain('{self.preset.name}', model='anthropic/claude-sonnet-5-5'), "
                "or try it offline with LLMKit(sandbox=True)",
                provider=provider,
            ) from exc
