"""What a chat call returns in a notebook: `ChatResponse` (a `providers.types.ChatResult` that renders
itself) and `Comparison` (several models' answers as one table). Rendering is in llmkit_nb/display.
"""

from __future__ import annotations

import sys
from typing import Any

from pydantic import PrivateAttr

from providers.types import ChatResult

__all__ = ["ChatResponse", "Comparison", "in_kernel"]


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


def in_kernel() -> bool:
    """True inside a Jupyter kernel (IPython with a kernel attached), where results draw themselves."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
