"""One `thinking=` knob, mapped honestly onto each provider's own parameter.

The user gives an effort ("minimal" ... "max"), a token budget (int), True/False, or a
`ThinkingConfig`. `resolve()` turns that into a `Resolved` decision for one model, using the
model's capabilities from the catalog; each codec then writes the decision in its wire format.
What was decided -- and why -- travels in `Resolved.notes` to the result's footer.

Rules, written down once (docs/thinking.md is generated from the tables below):

* An effort the model does not accept maps to the **closest accepted level** on the scale
  EFFORTS; on a tie, the higher one. The result notes the substitution.
* A budget on a model that only takes levels maps to the level whose budget in BUDGET_FOR_EFFORT
  is nearest on a log scale. An effort on a model that only takes budgets maps to that table.
* A budget outside the model's range is an error before sending, naming the range.
* `False` / "none" turns thinking off where the model allows it, else it is an error.
* Thinking on a model that cannot think is an error before sending.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "BUDGET_FOR_EFFORT",
    "BUDGET_STYLES",
    "EFFORTS",
    "WIRE",
    "Effort",
    "Resolved",
    "ThinkingCaps",
    "ThinkingConfig",
    "closest_effort",
    "coerce",
    "plan_options",
    "resolve",
]

Effort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
EFFORTS: tuple[str, ...] = ("none", "minimal", "low", "medium", "high", "xhigh", "max")

# Effort -> token budget, for providers that only take a budget (Anthropic before 4.6 with
# `budget_tokens`, Gemini 2.5 `thinkingBudget`). Chosen so each level doubles-to-quadruples the last;
# Anthropic's floor is 1024.
BUDGET_FOR_EFFORT: dict[str, int] = {
    "minimal": 1024,
    "low": 2048,
    "medium": 8192,
    "high": 16384,
    "xhigh": 32768,
    "max": 64000,
}

Style = Literal[
    "openai_effort",
    "anthropic_adaptive",
    "anthropic_budget",
    "anthropic_hybrid",
    "gemini_level",
    "gemini_budget",
    "deepseek",
    "xai_effort",
    "mistral_effort",
    "model_choice",
    "none",
]
# Styles whose only knob is a token budget, and styles that take a level or a budget.
BUDGET_STYLES = frozenset({"anthropic_budget", "gemini_budget"})
HYBRID_STYLES = frozenset({"anthropic_hybrid"})

# How each style appears on the wire. Data for docs/thinking.md and for the footer.
WIRE: dict[str, dict[str, str]] = {
    "openai_effort": {
        "provider": "openai",
        "effort": 'Responses: reasoning.effort=<level>, reasoning.summary="auto"; Chat Completions: reasoning_effort=<level>',
        "budget": "mapped to the nearest level (no budget parameter exists)",
        "off": 'reasoning.effort / reasoning_effort = "none" (only models that accept none)',
        "shows": "Responses: a reasoning summary; Chat Completions: a token count only",
    },
    "anthropic_adaptive": {
        "provider": "anthropic",
        "effort": 'thinking={"type":"adaptive","display":"summarized"}, output_config.effort=<level>',
        "budget": "mapped to the nearest level (Claude 4.7+ rejects budget_tokens)",
        "off": 'thinking={"type":"disabled"} (only models that allow it)',
        "shows": "summarized thinking blocks with signatures",
    },
    "anthropic_hybrid": {
        "provider": "anthropic",
        "effort": 'thinking={"type":"adaptive","display":"summarized"}, output_config.effort=<level>',
        "budget": 'thinking={"type":"enabled","budget_tokens":N} (deprecated on 4.6, still accepted)',
        "off": 'thinking={"type":"disabled"}',
        "shows": "summarized thinking blocks with signatures",
    },
    "anthropic_budget": {
        "provider": "anthropic",
        "effort": 'thinking={"type":"enabled","budget_tokens":BUDGET_FOR_EFFORT[level]}',
        "budget": 'thinking={"type":"enabled","budget_tokens":N}, 1024 <= N < max_tokens',
        "off": "thinking omitted",
        "shows": "summarized thinking blocks with signatures",
    },
    "gemini_level": {
        "provider": "gemini, vertex",
        "effort": 'generationConfig.thinkingConfig={"thinkingLevel":"<LEVEL>","includeThoughts":true}, '
        "LEVEL in MINIMAL/LOW/MEDIUM/HIGH as each model accepts (closest otherwise); thinking=True or unset "
        'sends {"includeThoughts":true} alone (the model\'s default level)',
        "budget": "mapped to the nearest level (thinkingBudget is never sent with thinkingLevel)",
        "off": "not possible on Gemini 3: an error names the model's lowest level instead",
        "shows": "thought summaries (parts with thought=true) and thoughtSignatures, kept for the next turn",
    },
    "gemini_budget": {
        "provider": "gemini, vertex",
        "effort": 'thinkingConfig={"thinkingBudget":BUDGET_FOR_EFFORT[level],"includeThoughts":true} '
        "(within the model's range)",
        "budget": 'thinkingConfig={"thinkingBudget":N,"includeThoughts":true}; thinking=True sends -1 (dynamic)',
        "off": 'thinkingConfig={"thinkingBudget":0} (only models that allow it; not 2.5 Pro)',
        "shows": "thought summaries (parts with thought=true) and thoughtSignatures, kept for the next turn",
    },
    "deepseek": {
        "provider": "deepseek",
        "effort": 'thinking={"type":"enabled"}, reasoning_effort=<level> (takes low, high, max: minimal->low, '
        "medium->high, xhigh->max); thinking=True sends the toggle alone; unset sends nothing (on, effort high)",
        "budget": "mapped to the nearest level (no budget parameter exists)",
        "off": 'thinking={"type":"disabled"}',
        "shows": "the full reasoning text (reasoning_content)",
    },
    "xai_effort": {
        "provider": "xai",
        "effort": 'Responses: reasoning.effort=<level>, include=["reasoning.encrypted_content"]',
        "budget": "mapped to the nearest level (no budget parameter exists)",
        "off": 'reasoning.effort="none" (grok-4.3 only; the others always reason)',
        "shows": "encrypted reasoning (kept for the next turn) and a token count; a summary where xAI sends one",
    },
    "mistral_effort": {
        "provider": "mistral",
        "effort": "reasoning_effort=<level> (current models take none and high, so every level maps to high); "
        'thinking=True sends "high"',
        "budget": "mapped to the nearest level (no budget parameter exists)",
        "off": 'reasoning_effort="none" (no thinking chunk comes back)',
        "shows": "the full reasoning text (thinking chunks inside content)",
    },
    "model_choice": {
        "provider": "xai, mistral, maritaca",
        "effort": 'nothing sent: the model always reasons and its name is the knob (Magistral: prompt_mode="reasoning"; Maritaca: sabia-4-thinking)',
        "budget": "nothing sent (noted)",
        "off": "an error naming the fix: pick the provider's non-reasoning model",
        "shows": "xAI: encrypted reasoning and a token count; Magistral: the full reasoning text; Maritaca: UNCONFIRMED (reasoning_content is kept if sent)",
    },
}


class ThinkingConfig(BaseModel):
    """How much the model should think: an effort level or a token budget (not both)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    effort: Effort | None = Field(None, description="Reasoning effort, from 'none' (off) to 'max'.")
    budget_tokens: int | None = Field(
        None, description="Token budget for reasoning (providers that take one)."
    )
    summary: Literal["auto", "concise", "detailed"] | None = Field(
        None, description="OpenAI Responses: how much of a reasoning summary to return (default 'auto')."
    )
    display: Literal["summarized", "omitted"] | None = Field(
        None, description="Anthropic: whether thinking text comes back (default 'summarized')."
    )

    @model_validator(mode="before")
    @classmethod
    def _plan_enabled(cls, data: Any) -> Any:
        """The plan's `ThinkingConfig(enabled=...)` still works, once with a warning naming thinking=."""
        if not isinstance(data, dict) or "enabled" not in data:
            return data
        data = dict(data)
        enabled = data.pop("enabled")
        if not isinstance(enabled, bool):
            raise ValueError(f"enabled takes True or False, not {enabled!r}; better: thinking=True / False")
        from .deprecation import warn_once

        warn_once(
            ("thinking", "enabled"),
            "ThinkingConfig(enabled=...) is the plan's name; use thinking=True / thinking=False, "
            "or ThinkingConfig(effort=...) / ThinkingConfig(budget_tokens=...)",
        )
        if not enabled:
            if data.get("effort") not in (None, "none") or data.get("budget_tokens") is not None:
                raise ValueError(
                    "enabled=False with an effort or a budget: give thinking=False, or the effort"
                )
            data["effort"] = "none"
        return data

    @model_validator(mode="after")
    def _check(self) -> ThinkingConfig:
        if self.effort is not None and self.budget_tokens is not None:
            raise ValueError("give thinking an effort or a budget_tokens, not both")
        if self.budget_tokens is not None and self.budget_tokens <= 0:
            raise ValueError(
                f"thinking budget must be a positive number of tokens, got {self.budget_tokens}; "
                "use thinking=False to turn thinking off"
            )
        return self

    @property
    def off(self) -> bool:
        return self.effort == "none"


class ThinkingCaps(BaseModel):
    """A model's thinking capabilities, from the catalog."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    style: Style = "none"
    efforts: tuple[str, ...] = ()
    default: str | None = None
    can_disable: bool = True
    always_on: bool = False
    on_by_default: bool = False
    budget_min: int | None = None
    budget_max: int | None = None
    visibility: str = "none"

    @property
    def can_think(self) -> bool:
        return self.style != "none"


class Resolved(BaseModel):
    """The decision for one call: off, provider default, an effort level, or a budget."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    mode: Literal["off", "default", "effort", "budget"]
    effort: str | None = None
    budget_tokens: int | None = None
    summary: str | None = None
    display: str | None = None
    notes: tuple[str, ...] = ()


def coerce(thinking: object) -> ThinkingConfig | None:
    """Turn what a user passes as `thinking=` into a ThinkingConfig (None = not asked)."""
    from .errors import InvalidParameterError

    if thinking is None:
        return None
    if isinstance(thinking, ThinkingConfig):
        return thinking
    if thinking is True:
        return ThinkingConfig()
    if thinking is False:
        return ThinkingConfig(effort="none")
    if isinstance(thinking, int):
        if thinking <= 0:
            raise InvalidParameterError(
                f"thinking budget must be a positive number of tokens, got {thinking}; "
                "use thinking=False to turn thinking off"
            )
        return ThinkingConfig(budget_tokens=thinking)
    if isinstance(thinking, str):
        level = thinking.strip().lower()
        if level in EFFORTS:
            return ThinkingConfig(effort=level)  # type: ignore[arg-type]
        raise InvalidParameterError(
            f"unknown thinking effort {thinking!r}; use one of {', '.join(EFFORTS)}, "
            "a token budget (int), True or False"
        )
    raise InvalidParameterError(
        f"thinking= takes an effort string, a token budget (int), True/False or a ThinkingConfig, "
        f"not {type(thinking).__name__}"
    )


# The plan's keyword arguments for the thinking knob, and what they become (docs/migration.md).
_PLAN_KWARGS = {
    "reasoning_effort": "thinking='<effort>'",
    "budget_tokens": "thinking=<tokens>",
    "extended_thinking": "thinking=True / thinking=False",
}


def plan_options(thinking: object, options: dict[str, Any]) -> tuple[object, list[str]]:
    """Move the plan's thinking keywords (`reasoning_effort=`, `budget_tokens=`, `extended_thinking=`)
    out of `options` into `thinking`, warning once each; returns the thinking value and notes.

    Given together with thinking= (or with each other) they are an error: which one was meant is unclear.
    """
    given = [k for k in _PLAN_KWARGS if k in options]
    if not given:
        return thinking, []
    from .deprecation import warn_once
    from .errors import InvalidParameterError

    if thinking is not None or len(given) > 1:
        both = ", ".join(f"{k}=" for k in (["thinking"] if thinking is not None else []) + given)
        raise InvalidParameterError(f"{both} all set the thinking knob; give thinking= alone")
    key = given[0]
    value = options.pop(key)
    if key == "extended_thinking" and not isinstance(value, bool):
        raise InvalidParameterError(f"extended_thinking takes True or False, not {value!r}; use thinking=")
    if key == "budget_tokens" and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidParameterError(f"budget_tokens takes a number of tokens, not {value!r}; use thinking=N")
    coerce(value)  # a value the knob cannot take is refused before anything warns
    new = f"thinking={value!r}"
    message = (
        f"{key}={value!r} is a wire name for the thinking knob (the plan used it); use {new} instead: "
        f"one knob for every provider ({_PLAN_KWARGS[key]})"
    )
    warn_once(("thinking", key), message)
    return value, [f"{key}={value!r} taken as {new} (the plan's name; use thinking=)"]


def closest_effort(asked: str, accepted: tuple[str, ...]) -> str:
    """The accepted level nearest to `asked` on EFFORTS; ties go to the higher level."""
    want = EFFORTS.index(asked)
    ranked = sorted(accepted, key=lambda e: (abs(EFFORTS.index(e) - want), -EFFORTS.index(e)))
    return ranked[0]


def _effort_for_budget(budget: int, accepted: tuple[str, ...]) -> str:
    candidates = [e for e in accepted if e in BUDGET_FOR_EFFORT] or list(accepted)
    return min(
        candidates,
        key=lambda e: (abs(math.log2(BUDGET_FOR_EFFORT.get(e, 1024)) - math.log2(budget)), -EFFORTS.index(e)),
    )


def _warn_claude_budget(model: str, budget: int, caps: ThinkingCaps) -> None:
    """A token budget on a Claude that thinks adaptively: Anthropic's older knob, warned once per model."""
    from .deprecation import warn_once

    effort = _effort_for_budget(budget, tuple(e for e in caps.efforts if e != "none") or ("medium",))
    done = (
        "sent as budget_tokens for now" if caps.style == "anthropic_hybrid" else f"sent as effort '{effort}'"
    )
    warn_once(
        ("claude-budget", model),
        f"{model} thinks adaptively: Anthropic deprecated budget_tokens on Claude 4.6 and rejects it from "
        f"4.7; use thinking='{effort}' (adaptive thinking + output_config.effort) instead of "
        f"thinking={budget} ({done})",
    )


def resolve(cfg: ThinkingConfig | None, caps: ThinkingCaps, *, model: str) -> Resolved:
    """Decide what to send for `cfg` on a model with `caps`. Raises before any request."""
    from .errors import InvalidParameterError, ThinkingNotSupportedError

    if cfg is None:
        return Resolved(
            mode="default", notes=(f"thinking not set: {model} uses its default",) if caps.can_think else ()
        )
    if not caps.can_think:
        if cfg.off:
            return Resolved(mode="default")
        raise ThinkingNotSupportedError(
            f"{model} cannot think; drop thinking= or pick a reasoning model (see providers.list_models(thinking=True))"
        )
    extras = {"summary": cfg.summary, "display": cfg.display}
    if cfg.off:
        if caps.style == "model_choice":
            raise InvalidParameterError(
                f"{model} always reasons: the model is the knob; pick a non-reasoning model "
                "instead of thinking=False"
            )
        if caps.always_on or not caps.can_disable:
            raise InvalidParameterError(
                f"{model} always thinks and cannot turn it off; pass the lowest effort "
                f"({caps.efforts[0] if caps.efforts else 'low'}) instead of thinking=False"
            )
        if "none" in caps.efforts or caps.style in (
            "openai_effort",
            "anthropic_adaptive",
            "anthropic_hybrid",
        ):
            return Resolved(mode="off", effort="none", **extras)
        return Resolved(mode="off", **extras)

    if caps.style == "model_choice":  # no parameter exists: say so instead of sending one
        asked = cfg.effort or (f"budget {cfg.budget_tokens}" if cfg.budget_tokens is not None else None)
        note = f"{model} takes no effort or budget (the model is the knob): '{asked}' not sent"
        return Resolved(mode="default", notes=(note,) if asked else (), **extras)

    if cfg.budget_tokens is not None:
        budget = cfg.budget_tokens
        if caps.style in ("anthropic_adaptive", "anthropic_hybrid"):
            _warn_claude_budget(model, budget, caps)
        if caps.style in BUDGET_STYLES | HYBRID_STYLES:
            lo, hi = (caps.budget_min if caps.budget_min is not None else 1), caps.budget_max
            if budget < lo or (hi is not None and budget > hi):
                rng = f"{lo}..{hi}" if hi is not None else f">= {lo}"
                raise InvalidParameterError(
                    f"thinking budget {budget} is outside {model}'s range ({rng} tokens)"
                )
            return Resolved(mode="budget", budget_tokens=budget, **extras)
        levels = tuple(e for e in caps.efforts if e != "none")
        effort = _effort_for_budget(budget, levels)
        note = f"{model} takes levels, not budgets: budget {budget} -> effort '{effort}'"
        return Resolved(mode="effort", effort=effort, notes=(note,), **extras)

    if cfg.effort is None:  # thinking=True: on, at the provider's default depth
        if caps.style == "gemini_budget":
            return Resolved(mode="default", **extras)  # the codec sends thinkingBudget=-1 (dynamic)
        if caps.style == "anthropic_budget":
            budget = BUDGET_FOR_EFFORT["medium"]
            return Resolved(
                mode="budget", budget_tokens=budget, notes=(f"thinking=True -> budget {budget}",), **extras
            )
        return Resolved(mode="effort" if caps.style == "anthropic_adaptive" else "default", **extras)

    if caps.style in BUDGET_STYLES:
        budget = max(BUDGET_FOR_EFFORT[cfg.effort], caps.budget_min or 0)
        if caps.budget_max is not None:
            budget = min(budget, caps.budget_max)
        note = f"{model} takes a token budget: effort '{cfg.effort}' -> budget_tokens {budget}"
        return Resolved(mode="budget", budget_tokens=budget, notes=(note,), **extras)
    levels = tuple(e for e in caps.efforts if e != "none")
    if not levels or cfg.effort in levels:
        return Resolved(mode="effort", effort=cfg.effort, **extras)
    effort = closest_effort(cfg.effort, levels)
    note = (
        f"{model} does not take effort '{cfg.effort}' (accepts {', '.join(levels)}): sent closest '{effort}'"
    )
    return Resolved(mode="effort", effort=effort, notes=(note,), **extras)
