"""Renderers for the spend ledger: a per-model table and an inline SVG bar chart (no plotting library)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .render import _cost, _e, _style

if TYPE_CHECKING:
    from ..ledger import Ledger

__all__ = ["render_ledger", "render_plain_ledger", "render_spend_bars"]

_BAR_W = 260
_ROW_H = 18


def render_spend_bars(rows: list[dict[str, object]]) -> str:
    """An inline SVG with one horizontal bar per model, length proportional to its spend."""
    if not rows:
        return ""
    rows = [r for r in rows if r["cost_usd"] is not None]
    if not rows:
        return ""
    top = max(float(r["cost_usd"]) for r in rows) or 1.0  # type: ignore[arg-type]
    label_w = 230
    height = _ROW_H * len(rows) + 4
    bars = []
    for i, r in enumerate(rows):
        y = i * _ROW_H + 2
        w = max(1.0, _BAR_W * float(r["cost_usd"]) / top)  # type: ignore[arg-type]
        bars.append(
            f'<text x="0" y="{y + 13}" font-size="11" fill="currentColor">{_e(r["model"])}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{_ROW_H - 6}" rx="2" '
            f'fill="var(--jp-brand-color1,#1976d2)"><title>{_e(_cost(float(r["cost_usd"])))}</title></rect>'  # type: ignore[arg-type]
            f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="11" fill="currentColor">{_e(_cost(float(r["cost_usd"])))}</text>'  # type: ignore[arg-type]
        )
    width = label_w + _BAR_W + 70
    return (
        f'<svg class="llmkit-bars" role="img" aria-label="spend per model" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg>'
    )


def render_ledger(ledger: Ledger) -> str:
    """HTML: totals, spend bars and a per-model table."""
    rows = ledger.by_model()
    sandbox = any(e.sandbox for e in ledger)
    head = (
        "<tr><th>model</th><th>calls</th><th>errors</th><th>input</th><th>output</th>"
        "<th>reasoning</th><th>cost</th></tr>"
    )
    body = "".join(
        f"<tr><td><code>{_e(r['model'])}</code></td><td>{r['calls']}</td><td>{r['errors']}</td>"
        f"<td>{r['input_tokens']:,}</td><td>{r['output_tokens']:,}</td><td>{r['reasoning_tokens']:,}</td>"
        f"<td>{_e(_cost(float(r['cost_usd'])) if r['cost_usd'] is not None else 'not priced')}</td></tr>"  # type: ignore[arg-type]
        for r in rows
    )
    note = " · includes sandbox calls, priced as if real" if sandbox else ""
    return (
        f'<div class="llmkit-chat llmkit-ledger">{_style()}'
        f"<div><strong>{len(ledger)} call{'s' if len(ledger) != 1 else ''}</strong> · "
        f"estimated spend {_e(_cost(ledger.total_cost()))}"
        f'<span class="llmkit-muted"> (catalog list prices{note})</span></div>'
        f"{render_spend_bars(rows)}"
        f'<table class="llmkit-table">{head}{body}</table></div>'
    )


def render_plain_ledger(ledger: Ledger) -> str:
    """text/plain: one line per model."""
    lines = [f"{len(ledger)} calls, estimated ${ledger.total_cost():.4f}"]
    for r in ledger.by_model():
        lines.append(
            f"  {r['model']}: {r['calls']} calls, {r['input_tokens']} in / {r['output_tokens']} out / "
            f"{r['reasoning_tokens']} reasoning, "
            + (f"${float(r['cost_usd']):.4f}" if r["cost_usd"] is not None else "not priced")  # type: ignore[arg-type]
        )
    return "\n".join(lines)
