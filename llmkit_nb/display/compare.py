"""The side-by-side view: one prompt, several models, one table.

Each row: the model, its answer, its reasoning in a collapsible panel, reasoning tokens, latency,
cost and what was sent. A model that failed shows its error in its own row; the others stand.
"""

from __future__ import annotations

from collections.abc import Sequence

from providers.types import ChatResult

from .markdown import render_markdown
from .render import _cost, _e, _latency, _reasoning_panel, _sent_panel, _style, render_plain_footer

__all__ = ["render_comparison", "render_plain_comparison"]


def _row(model: str, item: ChatResult | BaseException) -> str:
    name = f"<code>{_e(model)}</code>"
    if isinstance(item, BaseException):
        message = getattr(item, "message", None) or str(item)
        status = getattr(item, "status", None)
        head = _e(type(item).__name__) + (f" · {status}" if status else "")
        cell = (
            f'<div class="llmkit-error" role="alert"><div class="llmkit-error-title">{head}</div>'
            f'<div class="llmkit-error-msg">{_e(message)}</div></div>'
        )
        return f'<tr><td>{name}</td><td colspan="5">{cell}</td></tr>'
    badge = (
        ' <span class="llmkit-badge" title="Offline emulator output">SANDBOX</span>' if item.sandbox else ""
    )
    answer = render_markdown(item.text) or '<span class="llmkit-muted">(no text)</span>'
    reasoning = _reasoning_panel(item, streaming=False) or '<span class="llmkit-muted">none</span>'
    tokens = f"{item.usage.reasoning_tokens:,}" if item.usage.reasoning_tokens else "–"
    latency = _latency(item.latency_s) if item.latency_s is not None else "–"
    cost = _cost(item.cost_usd) if item.cost_usd is not None else "–"
    sent = _sent_panel(item)
    return (
        f"<tr><td>{name}{badge}{sent}</td><td>{answer}</td><td>{reasoning}</td>"
        f'<td class="llmkit-num">{tokens}</td><td class="llmkit-num">{latency}</td><td class="llmkit-num">{cost}</td></tr>'
    )


def render_comparison(prompt: str, rows: Sequence[tuple[str, ChatResult | BaseException]]) -> str:
    """HTML table comparing several models' answers to one prompt."""
    head = "<tr><th>model</th><th>answer</th><th>reasoning</th><th>reasoning tokens</th><th>latency</th><th>cost</th></tr>"
    body = "".join(_row(model, item) for model, item in rows)
    return (
        f'<div class="llmkit-chat llmkit-compare">{_style()}'
        f'<div class="llmkit-muted">Prompt: {_e(prompt)}</div><table style="width:100%">{head}{body}</table></div>'
    )


def render_plain_comparison(prompt: str, rows: Sequence[tuple[str, ChatResult | BaseException]]) -> str:
    """A readable text/plain form of the comparison."""
    lines = [f"Prompt: {prompt}"]
    for model, item in rows:
        if isinstance(item, BaseException):
            lines.append(f"- {model}: {type(item).__name__}: {getattr(item, 'message', None) or item}")
        else:
            lines.append(f"- {model}: {item.text[:200]}")
            lines.append(f"  {render_plain_footer(item)}")
    return "\n".join(lines)
