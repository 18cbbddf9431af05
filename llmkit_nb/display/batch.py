"""A provider batch in the notebook: the job (state, counts, progress) and its results (one row per input).

Pure renderers (`render_*(obj) -> str`). Every provider string -- ids, states, answers, error
messages -- is escaped; answers are shown as text, never as HTML. Long result tables show their
first rows and say how many more there are (`.to_dicts()` has them all). Sandbox output carries the
SANDBOX badge.
"""

from __future__ import annotations

from providers.batch.types import BatchJob, BatchResults, BatchRow

from .render import SANDBOX_TITLE, _cost, _e, _style

__all__ = ["render_batch_job", "render_batch_results", "render_plain_batch_job", "render_plain_batch_results"]

MAX_ROWS = 50
MAX_TEXT = 240
_CSS = """
.llmkit-batch progress{width:min(100%,420px);height:.9em;vertical-align:middle;margin-right:.5em}
.llmkit-batch table{border-collapse:collapse;font-size:.9em;margin-top:.4em}
.llmkit-batch td,.llmkit-batch th{border-bottom:1px solid var(--jp-border-color2,#ddd);padding:.2em .5em;
 text-align:left;vertical-align:top}
.llmkit-batch td.llmkit-text{white-space:pre-wrap;max-width:40em}
.llmkit-batch .llmkit-bad{color:var(--jp-error-color1,#d32f2f)}
"""


def _box(inner: str) -> str:
    return f'<div class="llmkit-batch llmkit-chat">{_style()}<style>{_CSS}</style>{inner}</div>'


def _badge(sandbox: bool) -> str:
    return f'<span class="llmkit-badge" title="{_e(SANDBOX_TITLE)}">SANDBOX</span> ' if sandbox else ""


def _seconds(s: float) -> str:
    return f"{s:.1f} s" if s < 120 else (f"{s / 60:.1f} min" if s < 7200 else f"{s / 3600:.1f} h")


def _counts(job: BatchJob) -> str:
    c = job.counts
    bits = [f"{c.done}/{c.total if c.total is not None else '?'} done"]
    bits += [f"{n} {name}" for name, n in (("succeeded", c.succeeded), ("failed", c.failed)) if n]
    bits += [f"{n} {name}" for name, n in (("cancelled", c.cancelled), ("expired", c.expired)) if n]
    return ", ".join(bits)


def _status(job: BatchJob) -> str:
    raw = f" ({job.raw_status})" if job.raw_status and job.raw_status.lower() != job.status else ""
    return job.status + raw


def _status_line(job: BatchJob) -> str:
    bits = [_status(job), _counts(job)]
    if job.progress is not None:
        bits.append(f"{job.progress:.0%}")
    if job.polls:
        bits.append(f"{_seconds(job.elapsed_s)} waited, poll {job.polls}")
    return " · ".join(bits)


def _bar(job: BatchJob) -> str:
    if job.status == "completed":
        return '<progress max="1" value="1"></progress>'
    if job.done:
        return f'<progress max="1" value="{job.progress or 0:.3f}"></progress>'
    if job.progress is None:
        return "<progress></progress>"  # indeterminate: the provider gives no count yet
    return f'<progress max="1" value="{job.progress:.3f}"></progress>'


def render_batch_job(job: BatchJob, *, note: str = "") -> str:
    """HTML for a batch job: its id, a progress bar, the state and counts, and how to resume it."""
    head = f"{job.provider} batch · {job.model or 'model not named'} · {job.id}"
    facts = []
    if job.created_at:
        facts.append(f"created {job.created_at}")
    if job.expires_at and not job.done:
        facts.append(f"expires {job.expires_at}")
    if job.discount is not None:
        facts.append(f"priced at {job.discount:.0%} of the standard price")
    if job.input:
        facts.append(f"input: {job.input}")
    errors = "".join(f'<div class="llmkit-bad">{_e(e)}</div>' for e in job.errors[:5])
    hint = (
        f"kit.batch_job({job.id!r}) picks it up again, e.g. after a restart"
        if not job.done
        else "job.results() gives one row per input"
    )
    return _box(
        f'{_badge(job.sandbox)}<span class="llmkit-muted">{_e(head)}</span>'
        f'<div class="llmkit-job-line">{_bar(job)}{_e(_status_line(job))}</div>'
        f"{errors}"
        f'<div class="llmkit-muted">{_e(" · ".join(facts))}</div>'
        f'<div class="llmkit-muted">{_e(note or hint)}</div>'
    )


def render_plain_batch_job(job: BatchJob) -> str:
    """One plain line for a terminal."""
    prefix = "[sandbox] " if job.sandbox else ""
    return f"{prefix}{job.provider} batch {job.id}: {_status_line(job)}"


def _cell(row: BatchRow) -> str:
    if row.result is not None:
        text = row.result.text
        short = text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"
        return f'<td class="llmkit-text">{_e(short)}</td>'
    message = f"{type(row.error).__name__}: {row.error}" if row.error is not None else row.status
    return f'<td class="llmkit-text llmkit-bad">{_e(message)}</td>'


def _tokens(row: BatchRow) -> str:
    if row.result is None:
        return ""
    u = row.result.usage
    return f"{u.input_tokens or 0:,} / {u.output_tokens or 0:,}"


def _summary(results: BatchResults) -> str:
    counts = ", ".join(f"{n} {status}" for status, n in results.counts().items())
    usage = results.usage
    cost = results.cost_usd
    price = _cost(cost) if cost is not None else "not priced"
    return (
        f"{len(results)} rows ({counts}) · {usage.input_tokens or 0:,} in / {usage.output_tokens or 0:,} out tokens"
        f" · {price}"
    )


def render_batch_results(results: BatchResults) -> str:
    """HTML: a summary line and a table (first rows), one row per input in input order."""
    job = results.job
    head = "<tr><th>#</th><th>custom id</th><th>status</th><th>answer / error</th><th>tokens in / out</th><th>cost</th></tr>"
    rows = results.rows[:MAX_ROWS]
    body = "".join(
        f"<tr><td>{'' if r.index is None else r.index}</td><td><code>{_e(r.custom_id)}</code></td>"
        f"<td>{_e(r.status)}</td>{_cell(r)}<td>{_tokens(r)}</td>"
        f"<td>{_e(_cost(r.result.cost_usd)) if r.result is not None and r.result.cost_usd is not None else ''}</td></tr>"
        for r in rows
    )
    more = (
        f'<div class="llmkit-muted">… {len(results) - MAX_ROWS} more rows: .to_dicts() has them all</div>'
        if len(results) > MAX_ROWS
        else ""
    )
    notes = "".join(f'<div class="llmkit-muted">{_e(n)}</div>' for n in results.notes[:5])
    title = f"{job.provider} batch · {job.model or ''} · {job.id} · {_status(job)}"
    return _box(
        f'{_badge(job.sandbox)}<span class="llmkit-muted">{_e(title)}</span>'
        f"<div>{_e(_summary(results))}</div>{notes}"
        f"<table>{head}{body}</table>{more}"
    )


def render_plain_batch_results(results: BatchResults) -> str:
    """text/plain: the summary, then one line per row (first rows)."""
    lines = [f"{results.job.provider} batch {results.job.id}: {_summary(results)}"]
    for r in results.rows[:MAX_ROWS]:
        what = r.result.text[:80] if r.result is not None else f"{type(r.error).__name__}: {r.error}"
        lines.append(f"  {'' if r.index is None else r.index:>4} {r.custom_id} {r.status}: {what}")
    if len(results) > MAX_ROWS:
        lines.append(f"  ... {len(results) - MAX_ROWS} more rows")
    return "\n".join(lines)
