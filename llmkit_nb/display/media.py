"""Generated video and images in the notebook, and the progress of the job that makes them.

Pure renderers (`render_*(obj) -> str`): a `<video controls>` player (or `<img>`) with the model,
duration, size, cost, elapsed time and the output URL's expiry under it; the progress of a running
job as a `<progress>` bar (indeterminate where the provider reports no percentage) with status,
elapsed time and estimated cost. Every provider string is escaped and only http(s) URLs and
`data:video/...` / raster `data:image/...` URLs reach a `src`; there is no script. Sandbox output
carries the SANDBOX badge.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from providers.credentials import redact
from providers.media_types import Job, MediaResult, Video

from .render import SANDBOX_TITLE, _e, _style

__all__ = [
    "render_image",
    "render_job",
    "render_media",
    "render_plain_job",
    "render_plain_media",
    "render_video",
    "safe_src",
]

_CSS = """
.llmkit-media{font-family:var(--jp-content-font-family,inherit);color:var(--jp-content-font-color1,inherit);
 line-height:1.5;max-width:100%}
.llmkit-media video,.llmkit-media img{max-width:min(100%,720px);height:auto;display:block;margin:.3em 0;
 border-radius:4px;background:#000}
.llmkit-media img{background:none}
.llmkit-media progress{width:min(100%,420px);height:.9em;vertical-align:middle;margin-right:.5em}
.llmkit-media .llmkit-job-line{font-size:.9em}
.llmkit-media details{margin:.3em 0}
.llmkit-media summary{cursor:pointer;font-size:.9em;color:var(--jp-ui-font-color2,inherit)}
.llmkit-media pre{white-space:pre-wrap;word-break:break-word;font-size:.85em;margin:.3em 0;
 font-family:var(--jp-code-font-family,monospace)}
"""
_RASTER = ("data:image/png", "data:image/jpeg", "data:image/webp", "data:image/gif")


def safe_src(url: str | None, kind: str) -> str | None:
    """The URL if a browser may load it as this kind of media (http(s), or a matching data: URL), else None."""
    if not url:
        return None
    lower = url.strip().lower()
    if lower.startswith("data:"):
        ok = lower.startswith("data:video/") if kind == "video" else lower.startswith(_RASTER)
        return url.strip() if ok and ";base64," in lower else None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.hostname else None


def _box(inner: str) -> str:
    return f'<div class="llmkit-media llmkit-chat">{_style()}<style>{_CSS}</style>{inner}</div>'


def _badge(sandbox: bool) -> str:
    return f'<span class="llmkit-badge" title="{_e(SANDBOX_TITLE)}">SANDBOX</span>' if sandbox else ""


def _seconds(s: float | None) -> str:
    if s is None:
        return ""
    return f"{s * 1000:.0f} ms" if s < 0.1 else (f"{s:.1f} s" if s < 120 else f"{s / 60:.1f} min")


def _money(usd: float) -> str:
    # media costs are cents to dollars: two decimals, more only below a cent
    return f"${usd:,.2f}" if usd >= 0.01 or usd == 0 else f"${usd:.4f}"


def _cost_text(usd: float | None, estimated: bool, credits: float | None = None) -> str:
    if usd is None:
        return "cost not reported"
    text = _money(usd)
    if credits is not None:
        text += f" ({credits:g} credits)"
    return f"~{text} estimated" if estimated else text


def _facts(result: MediaResult) -> list[str]:
    bits = [f"{result.provider}/{result.model}"]
    if isinstance(result, Video) and result.duration_s:
        bits.append(f"{result.duration_s:g} s")
    if result.width and result.height:
        bits.append(f"{result.width}×{result.height}")
    bits.append(_cost_text(result.cost_usd, result.cost_estimated, result.cost_credits))
    if result.elapsed_s is not None:
        bits.append(f"made in {_seconds(result.elapsed_s)} ({result.polls} polls)")
    return bits


def _sent(result: MediaResult) -> str:
    if not (result.sent or result.notes):
        return ""
    body = ""
    if result.sent:
        body += f"<pre>{_e(redact(json.dumps(result.sent, indent=2, ensure_ascii=False, default=str)))}</pre>"
    if result.notes:
        body += "<ul>" + "".join(f"<li>{_e(n)}</li>" for n in result.notes) + "</ul>"
    return f'<details class="llmkit-sent"><summary>What was sent</summary>{body}</details>'


def _player(result: MediaResult) -> str:
    src = safe_src(result.data_url() or result.url, result.kind)
    if src is None:
        return '<div class="llmkit-banner">The output URL is not an http(s) link; it is not shown.</div>'
    link = safe_src(result.url, result.kind)
    fallback = f'<a href="{_e(link)}" target="_blank" rel="noopener noreferrer">open it</a>' if link else ""
    if isinstance(result, Video):
        poster = safe_src(result.poster_url, "image")
        poster_attr = f' poster="{_e(poster)}"' if poster else ""
        # the declared size, capped: a provider's 1080p fits the notebook, the sandbox's tiny clip scales up
        size = f' width="{min(result.width, 640)}"' if result.width else ""
        return (
            f'<video controls preload="metadata" playsinline{poster_attr}{size} src="{_e(src)}">'
            f"Your browser cannot play this video here; {fallback}</video>"
        )
    return f'<img src="{_e(src)}" alt="{_e(f"{result.provider}/{result.model} output")}" loading="lazy">'


def render_media(result: MediaResult) -> str:
    """HTML for a generated video or image: the player, what made it, its cost and its URL's expiry."""
    facts = " · ".join(_e(b) for b in _facts(result))
    link = safe_src(result.url, result.kind)
    where = (
        f'<a href="{_e(link)}" target="_blank" rel="noopener noreferrer">{_e(urlsplit(link).hostname or "")}</a>'
        if link
        else ""
    )
    expires = result.expires or "output URLs expire: download with .save(path)"
    lines = [
        _badge(result.sandbox),
        _player(result),
        f'<div class="llmkit-footer llmkit-muted">{facts}</div>',
        f'<div class="llmkit-muted">{_e(expires)}{" · " + where if where else ""} · job {_e(result.job_id)}</div>',
        _sent(result),
    ]
    return _box("".join(lines))


render_video = render_media
render_image = render_media


def render_plain_media(result: MediaResult) -> str:
    """text/plain for a generated video or image."""
    head = f"[sandbox] {result.kind}" if result.sandbox else result.kind
    lines = [f"{head}: {result.url}", " · ".join(_facts(result)), f"job {result.job_id}; {result.expires}"]
    return "\n".join(line for line in lines if line)


def _status_text(job: Job) -> str:
    bits = [
        job.status
        + (f" ({job.raw_status})" if job.raw_status and job.raw_status.lower() != job.status else "")
    ]
    if job.progress is not None:
        bits.append(f"{job.progress:.0%}")
    bits.append(f"{_seconds(job.elapsed_s) or '0 s'} elapsed")
    if job.cost_usd is not None:
        bits.append(_cost_text(job.cost_usd, False))
    elif job.estimated_cost_usd is not None:
        bits.append(_cost_text(job.estimated_cost_usd, True))
    bits.append(f"poll {job.polls}")
    return " · ".join(bits)


def render_job(job: Job, *, note: str = "") -> str:
    """HTML progress for a running job: a bar (indeterminate without a percentage) and its status line."""
    if job.status == "succeeded":
        bar = '<progress max="1" value="1"></progress>'
    elif job.done:  # failed or cancelled: a still, empty bar (an indeterminate one would look busy)
        bar = '<progress max="1" value="0"></progress>'
    elif job.progress is not None:
        bar = f'<progress max="1" value="{min(max(job.progress, 0.0), 1.0):.3f}"></progress>'
    else:
        bar = "<progress></progress>"
    head = f"{job.provider}/{job.model} {job.kind} job {job.id}"
    line = f'<div class="llmkit-job-line">{bar}{_e(_status_text(job))}</div>'
    extra = f'<div class="llmkit-muted">{_e(note)}</div>' if note else ""
    return _box(f'{_badge(job.sandbox)}<div class="llmkit-muted">{_e(head)}</div>{line}{extra}')


def render_plain_job(job: Job) -> str:
    """One plain progress line for a terminal."""
    prefix = "[sandbox] " if job.sandbox else ""
    return f"{prefix}{job.provider}/{job.model} job {job.id}: {_status_text(job)}"
