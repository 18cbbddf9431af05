"""Rules shared by OpenAI's two APIs: sampling parameters on reasoning models, the error envelope."""

from __future__ import annotations

import json
from typing import Any

from ..errors import InvalidParameterError
from ..registry import ModelInfo
from ..thinking import Resolved
from ..types import ChatRequest

__all__ = ["SAMPLING_PARAMS", "check_sampling", "openai_error"]

SAMPLING_PARAMS = ("temperature", "top_p", "logprobs", "top_logprobs")


def check_sampling(request: ChatRequest, info: ModelInfo, resolved: Resolved) -> list[str]:
    """Refuse sampling parameters the model rejects (wire/models.md, 'which models reject temperature')."""
    given = [p for p in SAMPLING_PARAMS if p in request.options]
    if p := next((p for p in given if not (p == "temperature" and request.options[p] == 1)), None):
        where = f"{info.provider}/{info.id}"
        if info.sampling == "rejects":
            raise InvalidParameterError(
                f"{where} is a reasoning model and rejects {p}; drop {p}= (only the default temperature 1 is accepted)"
            )
        if info.sampling == "unless_effort_none" and resolved.effort != "none":
            raise InvalidParameterError(
                f"{where} accepts {p} only with reasoning effort 'none'; pass thinking=False or drop {p}="
            )
    return []


def openai_error(body: bytes | dict[str, Any]) -> tuple[str | None, str | None]:
    """(message, code) from `{"error": {"message", "type", "param", "code"}}`, tolerating anything else."""
    try:
        data = json.loads(body) if isinstance(body, bytes | bytearray) else body
    except ValueError:
        return None, None
    err = data.get("error") if isinstance(data, dict) else None
    if isinstance(err, dict):
        code = err.get("code")
        return err.get("message"), None if code is None else str(code)
    if isinstance(err, str):
        return err, None
    return None, None
