"""The Gemini sandbox's model table (what each model accepts) and its thinkingConfig checks.

Split from sandbox/gemini.py (module size); the facts are those of wire/chat.md section 3 and
wire/models.md: Gemini 3 takes `thinkingLevel` (per-model levels), 2.5 a `thinkingBudget` range.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .wire import Reply

__all__ = ["LEVELS", "_Model", "_check_thinking", "_model"]

LEVELS = ("MINIMAL", "LOW", "MEDIUM", "HIGH")


def _get(obj: Mapping[str, Any], camel: str, snake: str) -> Any:
    return obj.get(camel, obj.get(snake))


def error(status: int, message: str, request_id: str) -> Reply:
    from .gemini import error as gemini_error

    return gemini_error(status, message, request_id)


# --- the model table: what each model accepts ------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    levels: tuple[str, ...] = ()  # Gemini 3: accepted thinkingLevel values
    default_level: str | None = None
    budget: tuple[int, int] | None = None  # Gemini 2.5: thinkingBudget range
    can_disable: bool = True
    thinks_by_default: bool = True


def _model(name: str) -> _Model | None:
    m = name.lower()
    if m.startswith("gemini-2.5-pro"):
        return _Model(budget=(128, 32768), can_disable=False)
    if m.startswith("gemini-2.5-flash-lite"):
        return _Model(budget=(512, 24576), thinks_by_default=False)
    if m.startswith("gemini-2.5-flash"):
        return _Model(budget=(1, 24576))
    if m.startswith(("gemini-pro-latest",)) or re.match(r"^gemini-3(\.\d+)?-pro", m):
        return _Model(levels=("LOW", "MEDIUM", "HIGH"), default_level="HIGH")
    if "flash-lite" in m and m.startswith("gemini-"):
        return _Model(levels=LEVELS, default_level="MINIMAL")
    if m == "gemini-flash-latest" or re.match(r"^gemini-3\.([7-9]|\d\d)-flash", m):
        return _Model(levels=("LOW", "MEDIUM", "HIGH"), default_level="MEDIUM")
    if m.startswith("gemini-3-flash"):
        return _Model(levels=LEVELS, default_level="HIGH")
    if re.match(r"^gemini-3\.\d+-flash", m):
        return _Model(levels=LEVELS, default_level="MEDIUM")
    return None


def _check_thinking(model: str, spec: _Model, thinking: Any, rid: str) -> Reply | None:
    if thinking is None:
        return None
    if not isinstance(thinking, dict):
        return error(400, "Invalid value at 'generation_config.thinking_config': expected an object", rid)
    level = _get(thinking, "thinkingLevel", "thinking_level")
    budget = _get(thinking, "thinkingBudget", "thinking_budget")
    if level is not None and budget is not None:
        return error(400, "You can only set one of thinking budget and thinking level.", rid)
    if level is not None:
        if level not in (*LEVELS, "XHIGH", "THINKING_LEVEL_UNSPECIFIED"):
            return error(
                400, f"Invalid value at 'generation_config.thinking_config.thinking_level' ({level!r})", rid
            )
        if spec.budget is not None:
            return error(
                400, f"Thinking level is not supported for models/{model}; use thinking budget.", rid
            )
        if level not in spec.levels:
            accepted = ", ".join(spec.levels)
            return error(
                400, f"Thinking level {level} is not supported by models/{model}. Supported: {accepted}.", rid
            )
    if budget is not None:
        if not isinstance(budget, int) or isinstance(budget, bool):
            return error(400, "Invalid value at 'generation_config.thinking_config.thinking_budget'", rid)
        if spec.budget is not None and budget not in (-1, 0):
            lo, hi = spec.budget
            if not lo <= budget <= hi:
                return error(
                    400,
                    f"The thinking budget {budget} is invalid. Please choose a value between {lo} and {hi}.",
                    rid,
                )
        if budget == 0 and not spec.can_disable:
            return error(400, "Budget 0 is invalid. This model only works in thinking mode.", rid)
    return None
