"""A map's results as one table, and its progress as one line.

Every cell is escaped: inputs are the user's, answers and error messages are the provider's. Long
maps show their first rows and every failure (up to a limit); `.to_pandas()` has the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .render import _cost, _e, _latency, _style

if TYPE_CHECKING:
    from providers.mapping import MapProgress, MapResult, MapRow

__all__ = ["progress_line", "render_map", "render_plain_map"]

SHOWN = 20
SHOWN_ERRORS = 10
_CELL = 160


def _short(text: str, limit: int = _CELL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def progress_line(p: MapProgress) -> str:
    """ "412 / 1,000 done · 3 failed · 52,110 tokens · $0.0312 · 12.4 s · ~17 s left"."""
    bits = [f"{p.done:,} / {p.total:,} done"]
    if p.failed:
        bits.append(f"{p.failed:,} failed")
    if p.cached:
        bits.append(f"{p.cached:,} cached")
    bits.append(f"{p.tokens:,} tokens")
    if p.priced:
        bits.append(_cost(p.cost_usd))
    bits.append(f"{_duration(p.elapsed_s)} elapsed")
    eta = p.eta_s
    if p.stopped:
        bits.append(f"stopped, {p.total - p.finished:,} not run")
    elif eta is not None:
        bits.append(f"~{_duration(eta)} left")
    if p.rate_limited:
        bits.append(f"{p.rate_limited:,} rate-limited, retried")
    return " · ".join(bits)


def _input(row: MapRow) -> str:
    return _short(row.input if isinstance(row.input, str) else repr(row.input))


def _row_html(row: MapRow) -> str:
    r = row.result
    if r is None:
        if row.error is None:
            cell = '<span class="llmkit-muted">not run</span>'
        else:
            message = getattr(row.error, "message", None) or str(row.error)
            cell = (
                f'<span class="llmkit-error-title">{_e(type(row.error).__name__)}</span> '
                f"{_e(_short(message, 300))}"
            )
        return (
            f'<tr class="llmkit-map-{row.status.replace(" ", "-")}"><td class="llmkit-num">{row.index}</td>'
            f'<td>{_e(_input(row))}</td><td colspan="4">{cell}</td></tr>'
        )
    output = row.output
    answer = _short(repr(output) if output is not None else r.text) or "(no text)"
    tokens = (r.usage.input_tokens or 0) + (r.usage.output_tokens or 0)
    cost = "cached" if r.cached else (_cost(r.cost_usd) if r.cost_usd is not None else "–")
    latency = _latency(r.latency_s) if r.latency_s is not None else "–"
    return (
        f'<tr><td class="llmkit-num">{row.index}</td><td>{_e(_input(row))}</td><td>{_e(answer)}</td>'
        f'<td class="llmkit-num">{tokens:,}</td><td class="llmkit-num">{_e(cost)}</td>'
        f'<td class="llmkit-num">{_e(latency)}</td></tr>'
    )


def _shown(result: MapResult) -> tuple[list[MapRow], int]:
    """The rows to draw: the first ones, then failures further down (up to a limit); and how many are left out."""
    rows = result.rows[:SHOWN]
    extra = [row for row in result.rows[SHOWN:] if row.error is not None][:SHOWN_ERRORS]
    return rows + extra, len(result.rows) - len(rows) - len(extra)


def render_map(result: MapResult) -> str:
    """HTML: a summary line, then a table (index, input, answer or error, tokens, cost, latency)."""
    p = result.progress
    sandbox = any(row.result is not None and row.result.sandbox for row in result.rows[:SHOWN])
    badge = ' <span class="llmkit-badge" title="Offline emulator output">SANDBOX</span>' if sandbox else ""
    head = f'<div class="llmkit-muted"><code>{_e(result.model)}</code>{badge} · {_e(progress_line(p))}</div>'
    if result.template:
        head += f'<div class="llmkit-muted">template: <code>{_e(_short(result.template))}</code></div>'
    if p.stopped:
        head += (
            '<div class="llmkit-banner" role="alert"><strong>Stopped</strong> — every finished row is '
            "kept; the rows not run are in <code>.not_run</code>.</div>"
        )
    rows, left_out = _shown(result)
    table = "<tr><th>#</th><th>input</th><th>answer</th><th>tokens</th><th>cost</th><th>latency</th></tr>"
    table += "".join(_row_html(row) for row in rows)
    more = (
        f'<div class="llmkit-muted">… {left_out:,} more rows: <code>.to_dicts()</code> or '
        "<code>.to_pandas()</code> for all of them</div>"
        if left_out
        else ""
    )
    return f'<div class="llmkit-chat llmkit-map">{_style()}{head}<table style="width:100%">{table}</table>{more}</div>'


def render_plain_map(result: MapResult) -> str:
    """A readable text/plain form: the summary, then one line per shown row."""
    lines = [f"{result.model} · {progress_line(result.progress)}"]
    rows, left_out = _shown(result)
    for row in rows:
        if row.result is not None:
            out = _short(repr(row.output) if row.output is not None else row.result.text, 100)
        elif row.error is not None:
            out = f"{type(row.error).__name__}: {_short(getattr(row.error, 'message', None) or str(row.error), 100)}"
        else:
            out = "(not run)"
        lines.append(f"[{row.index}] {_short(_input(row), 60)} -> {out}")
    if left_out:
        lines.append(f"... {left_out:,} more rows (.to_dicts() / .to_pandas())")
    return "\n".join(lines)
