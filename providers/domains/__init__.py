"""Domain presets: medical, scientific, legal, finance.

A preset is data (presets.json): a default model, a system prompt, an instruction added to the
user's turn, thinking, sampling, Gemini safety settings, and how results render (a disclaimer,
a citations list, a boxed final answer). `apply()` is pure: it turns one call into the model,
prompt and keyword arguments for `AsyncClient.chat` plus the render hints, and refuses -- before
any request -- what the preset cannot do:

* an unknown domain (the message lists the known ones);
* a model that cannot think for a preset that needs thinking (scientific), or thinking=False there;
* MedLM / Med-PaLM 2 names (shut down on 2025-09-29; the error names the successor);
* hiding the disclaimer of a preset that requires one (medical, legal) without
  `acknowledge_disclaimer=True` -- it can be switched off explicitly, never silently.

    from providers.domains import apply
    call = apply("medical", "First-line treatment for community-acquired pneumonia in adults?")
    result = await client.chat(call.model, call.prompt, **call.kwargs)

`for_medical_domain()` and `for_scientific_domain()` build the plan's named presets with a model,
region and effort of your choosing.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import ConfigurationError, InvalidParameterError, ModelRetiredError, ThinkingNotSupportedError
from .citations import Citation, boxed_answers, final_answer, split_citations

__all__ = [
    "MEDLM_RETIRED_ON",
    "Applied",
    "Citation",
    "DisclaimerRequiredError",
    "DomainPreset",
    "RenderHints",
    "SafetySetting",
    "UnknownDomainError",
    "apply",
    "boxed_answers",
    "final_answer",
    "for_medical_domain",
    "for_scientific_domain",
    "get_preset",
    "list_domains",
    "split_citations",
]

# MedLM (the Med-PaLM 2 service on Vertex AI): "Access to MedLM will no longer be available on or
# after September 29, 2025" (docs.cloud.google.com/vertex-ai/generative-ai/docs/model-reference/medlm).
MEDLM_RETIRED_ON = "2025-09-29"
# Providers whose wire format takes `safetySettings` (the generateContent body).
_SAFETY_PROVIDERS = frozenset({"gemini", "vertex"})


class UnknownDomainError(ConfigurationError):
    """The domain name is not one of the presets."""


class DisclaimerRequiredError(ConfigurationError):
    """A preset's disclaimer was hidden without acknowledging it."""


class SafetySetting(BaseModel):
    """One Gemini `safetySettings` entry."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    category: str = Field(..., description="A HarmCategory, e.g. HARM_CATEGORY_DANGEROUS_CONTENT.")
    threshold: str = Field(..., description="A HarmBlockThreshold, e.g. BLOCK_ONLY_HIGH.")


class DomainPreset(BaseModel):
    """What a domain sends and how its results render."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(..., description="The domain name: medical, scientific, legal, finance.")
    title: str = Field(..., description="Shown in the result's banner.")
    description: str = Field("", description="One line on what the preset is for.")
    model: str = Field(..., description="The default 'provider/model'.")
    alternatives: tuple[str, ...] = Field((), description="Other models known to suit the preset.")
    system: str | None = Field(None, description="The system prompt (None: send none).")
    instruction: str | None = Field(None, description="Text appended to the last user turn.")
    thinking: str | int | None = Field(None, description="The default thinking= (effort or budget).")
    requires_thinking: bool = Field(False, description="Refuse models that cannot think.")
    sampling: dict[str, float] = Field(
        default_factory=dict, description="Sampling sent where the model accepts it."
    )
    safety: tuple[SafetySetting, ...] = Field((), description="Gemini/Vertex safetySettings.")
    citations: bool = Field(False, description="Ask for a Sources list and render it as links.")
    final_answer: Literal["boxed"] | None = Field(None, description="Highlight the last \\boxed{}.")
    disclaimer: str | None = Field(None, description="The banner shown on every result.")
    disclaimer_required: bool = Field(False, description="The banner can only be hidden explicitly.")
    region: str | None = Field(None, description="A provider region/location for the call, if any.")
    provider_notes: dict[str, str] = Field(
        default_factory=dict, description="A note added to results from a given provider."
    )
    sources: tuple[str, ...] = ()


class RenderHints(BaseModel):
    """How a domain result renders: pure data for the notebook display."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    domain: str
    title: str
    disclaimer: str | None = Field(None, description="Banner text; None when the preset has none.")
    disclaimer_hidden: bool = Field(False, description="True when hidden with acknowledge_disclaimer=True.")
    citations: bool = False
    final_answer: Literal["boxed"] | None = None


@dataclass(frozen=True)
class Applied:
    """One call after a preset was applied: what to send, and how to show the result."""

    model: str
    prompt: Any
    kwargs: dict[str, Any]
    hints: RenderHints
    notes: list[str] = field(default_factory=list)


@functools.cache
def _data() -> dict[str, Any]:
    raw = resources.files("providers.domains").joinpath("presets.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


@functools.cache
def _presets() -> dict[str, DomainPreset]:
    data = _data()
    return {name: DomainPreset(name=name, **row) for name, row in data["presets"].items()}


def list_domains() -> list[str]:
    """The names of the built-in presets."""
    return sorted(_presets())


def get_preset(domain: str | DomainPreset) -> DomainPreset:
    """A preset by name (or the preset itself); an unknown name lists the known ones."""
    if isinstance(domain, DomainPreset):
        return domain
    if not isinstance(domain, str):
        raise UnknownDomainError(
            f"domain= takes a name ({', '.join(list_domains())}) or a DomainPreset, not {type(domain).__name__}"
        )
    presets = _presets()
    key = domain.strip().lower()
    if key not in presets:
        raise UnknownDomainError(f"unknown domain {domain!r}; known domains: {', '.join(list_domains())}")
    return presets[key]


def _check_medlm(model: str) -> None:
    provider, _, model_id = model.partition("/")
    if model_id.lower().startswith("medlm"):
        raise ModelRetiredError(
            f"{model} (MedLM, the Med-PaLM 2 service) was shut down on {MEDLM_RETIRED_ON}; "
            "use vertex/gemini-3.8-flash with domain='medical' (for_medical_domain()), "
            "or MedGemma open weights served from your own endpoint",
            provider=provider or "vertex",
            successor="gemini-3.8-flash",
            retired_on=MEDLM_RETIRED_ON,
        )


def _with_instruction(prompt: Any, instruction: str) -> Any:
    """The prompt with the preset's instruction appended to its last user turn (copies, never mutates)."""
    if isinstance(prompt, str):
        return f"{prompt.rstrip()}\n\n{instruction}"
    from ..client import to_messages
    from ..types import Message, TextPart

    turns, system = to_messages(prompt)
    for i in range(len(turns) - 1, -1, -1):
        if turns[i].role == "user":
            parts = [*turns[i].parts, TextPart(text=instruction)]
            turns[i] = Message(role="user", parts=parts)
            break
    return ([Message.system(system)] if system else []) + turns


def _thinking_models(provider: str) -> str:
    from ..registry import list_models

    names = sorted(
        f"{m.provider}/{m.id}" for m in list_models(provider, thinking=True) if m.status == "current"
    )
    return ", ".join(names[:6]) or "a reasoning model (providers.list_models(thinking=True))"


def apply(
    domain: str | DomainPreset,
    prompt: Any,
    *,
    model: str | None = None,
    thinking: Any = None,
    system: str | None = None,
    options: dict[str, Any] | None = None,
    disclaimer: bool = True,
    acknowledge_disclaimer: bool = False,
) -> Applied:
    """Apply a preset to one call: model, prompt and chat kwargs, plus render hints. No I/O.

    The caller's own `thinking=`, `system=` and options win over the preset's (the caller's system
    text goes after the preset's). `disclaimer=False` hides the banner; for presets that require it
    that also needs `acknowledge_disclaimer=True`, and the result still says it was hidden.
    """
    from ..registry import lookup_model, split_model
    from ..thinking import coerce

    preset = get_preset(domain)
    if not disclaimer and preset.disclaimer_required and not acknowledge_disclaimer:
        raise DisclaimerRequiredError(
            f"the {preset.name} preset always shows its disclaimer; to hide it, pass "
            "disclaimer=False together with acknowledge_disclaimer=True (the result will say it was hidden)"
        )
    target = model or preset.model
    _check_medlm(target)
    provider, model_id = split_model(target)
    info = lookup_model(provider, model_id)  # retired models raise here, naming the successor
    notes: list[str] = [f"domain preset: {preset.name}"]

    think = preset.thinking if thinking is None else thinking
    cfg = coerce(think)
    if preset.requires_thinking:
        if not info.thinking.can_think:
            raise ThinkingNotSupportedError(
                f"the {preset.name} preset needs a model that reasons, and {provider}/{model_id} cannot think; "
                f"use {preset.model} or one of: {_thinking_models(provider)}"
            )
        if cfg is not None and cfg.off:
            raise InvalidParameterError(
                f"the {preset.name} preset needs thinking on; drop thinking=False or pick another domain"
            )
    elif cfg is not None and not info.thinking.can_think and thinking is None:
        think = None  # the preset's default effort is a wish, not a requirement: skip it here
        notes.append(
            f"{provider}/{model_id} cannot think: the preset's thinking={preset.thinking!r} not sent"
        )

    opts = dict(options or {})
    for key, value in preset.sampling.items():
        if key in opts:
            continue
        if info.sampling == "accepts":
            opts[key] = value
        else:
            notes.append(
                f"preset {key}={value} not sent: {provider}/{model_id} does not take sampling parameters"
            )
    if preset.safety and provider in _SAFETY_PROVIDERS and "safetySettings" not in opts:
        opts["safetySettings"] = [s.model_dump() for s in preset.safety]
    if preset.region is not None and "region" not in opts:
        if provider != "vertex":
            raise InvalidParameterError(
                f"region={preset.region!r} is a Vertex AI location; {provider} has none -- use provider='vertex'"
            )
        opts["region"] = preset.region  # the call's region: for Vertex, its location (and host)

    system_text = "\n\n".join(
        s
        for s in (
            preset.system,
            _data()["citation_instruction"] if preset.citations else None,
            system,
        )
        if s
    )
    sent_prompt = _with_instruction(prompt, preset.instruction) if preset.instruction else prompt
    if provider in preset.provider_notes:
        notes.append(preset.provider_notes[provider])
    kwargs: dict[str, Any] = {"thinking": think, "system": system_text or None, **opts}
    hints = RenderHints(
        domain=preset.name,
        title=preset.title,
        disclaimer=preset.disclaimer,
        disclaimer_hidden=bool(preset.disclaimer) and not disclaimer,
        citations=preset.citations,
        final_answer=preset.final_answer,
    )
    return Applied(
        model=f"{provider}/{model_id}", prompt=sent_prompt, kwargs=kwargs, hints=hints, notes=notes
    )


def for_medical_domain(
    *,
    model: str = "gemini-3.8-flash",
    provider: str = "vertex",
    region: str | None = None,
    thinking: str | int | None = "high",
) -> DomainPreset:
    """The medical preset on a Gemini model of your choice, on Vertex AI (default) in the region you pick.

    MedLM names (medlm-medium, medlm-large) raise: the service was shut down on 2025-09-29.
    """
    if provider not in ("vertex", "gemini"):
        raise InvalidParameterError(
            f"for_medical_domain runs on Google's Gemini models: provider='vertex' (BAA-eligible) or 'gemini', not {provider!r}"
        )
    _check_medlm(f"{provider}/{model}")
    if region is not None and provider != "vertex":
        raise InvalidParameterError(
            "the Gemini API (AI Studio) has no regions; use provider='vertex' to pick a location"
        )
    base = get_preset("medical")
    return base.model_copy(update={"model": f"{provider}/{model}", "region": region, "thinking": thinking})


def for_scientific_domain(
    *, model: str = "deepseek-v4-pro", effort: Literal["high", "max"] = "high"
) -> DomainPreset:
    """The scientific preset on DeepSeek's reasoning mode (the plan's DeepSeek-R1), at high or max effort."""
    if effort not in ("high", "max"):
        raise InvalidParameterError(
            f"DeepSeek's reasoning effort is 'high' or 'max' (api-docs.deepseek.com/guides/thinking_mode), not {effort!r}"
        )
    base = get_preset("scientific")
    return base.model_copy(update={"model": f"deepseek/{model}", "thinking": effort})
