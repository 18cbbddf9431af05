"""Reading a reply's optional fields defensively: metadata of the wrong type is unknown, not an error.

A provider (or a proxy in front of it) can send a reply whose answer is fine and whose metadata is
not: a `model` that is a list, a finish reason that is an object, token counts as text. The answer
must still reach the user (issue 11: "metadata-only garbling never costs the answer"), so codecs read
ids, model names, finish and stop reasons, usage and their sub-objects through these helpers, which
turn a value of the wrong type into "not reported" (None, or an empty object) instead of raising. The
content itself (text, reasoning, tool calls) is read by each codec with its own rules, because there a
wrong type is a real format problem that the codec boundary (providers/boundary.py) reports.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["count", "obj", "opt_str", "seq"]


def obj(value: Any) -> dict[str, Any]:
    """The value when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def seq(value: Any) -> list[Any]:
    """The value when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def opt_str(value: Any) -> str | None:
    """A text field (id, model, finish reason): the string, or None when it is anything else."""
    return value if isinstance(value, str) else None


def count(value: Any) -> int | None:
    """A token count: a non-negative whole number (also sent as 12.0 or "12"), else None (unknown)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
