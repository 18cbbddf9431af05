"""Rendering of domain results: the disclaimer banner, the sources list, the boxed final answer.

Pure renderers over a ChatResult and the preset's `RenderHints`, wrapped around the ordinary chat
display. Every provider string is escaped or passed through `render_markdown`; a source's link is
only drawn for an http(s) URL and opens without an opener. The banner is part of every rendering,
live or final, HTML or plain text; a preset's disclaimer can be hidden only with
`acknowledge_disclaimer=True`, and then a one-line trace says so.
"""

from __future__ import annotations

from typing import Any

from providers.domains import Citation, DomainPreset, RenderHints, final_answer, split_citations
from providers.domains.citations import is_web_url
from providers.types import ChatResult, TextPart, ThinkingPart

from .objects import LiveChat, MimeBundle
from .render import _e, render_chat, render_plain_chat

__all__ = [
    "DomainLiveChat",
    "domain_mimebundle",
    "render_banner",
    "render_citations",
    "render_domain",
    "render_plain_domain",
    "render_plain_preset",
    "render_preset",
    "wrap_bundle",
]

_CSS = """
.llmkit-domain{max-width:100%}
.llmkit-domain .llmkit-domain-banner{border-left:4px solid var(--jp-info-color1,#0288d1);
 padding:.35em .7em;margin:.3em 0;background:var(--jp-info-color3,rgba(2,136,209,.1));
 color:var(--jp-content-font-color1,inherit);font-family:var(--jp-content-font-family,inherit);
 font-size:.92em;line-height:1.45}
.llmkit-domain .llmkit-domain-tag{font-weight:700;letter-spacing:.02em;margin-right:.4em}
.llmkit-domain .llmkit-domain-hidden{opacity:.75;font-size:.85em}
.llmkit-domain .llmkit-citations{margin:.5em 0 .2em;font-size:.92em}
.llmkit-domain .llmkit-citations ol{margin:.2em 0 .2em 1.4em;padding:0}
.llmkit-domain .llmkit-citations-head{font-weight:600}
.llmkit-domain .llmkit-final{margin:.5em 0;padding:.25em .6em;display:inline-block;
 border:1px solid var(--jp-border-color1,rgba(128,128,128,.5));border-radius:4px}
"""
_FOOTER = '<div class="llmkit-footer'  # where the sources go: after the answer, before the footer
_LINK = 'target="_blank" rel="noopener noreferrer"'
_NO_SOURCES = "The model listed no sources: treat the answer as unsupported until you check it."


def _banner_text(hints: RenderHints) -> str:
    if hints.disclaimer and hints.disclaimer_hidden:
        return f"{hints.title}: disclaimer hidden by the caller (acknowledge_disclaimer=True)"
    if hints.disclaimer:
        return f"{hints.title}: {hints.disclaimer}"
    return f"{hints.title} preset"


def render_banner(hints: RenderHints) -> str:
    """The banner above a domain result: the disclaimer, or a trace that it was hidden on request."""
    if hints.disclaimer and hints.disclaimer_hidden:
        return (
            f'<div class="llmkit-domain-banner llmkit-domain-hidden" role="note">{_e(hints.title)}: '
            "disclaimer hidden by the caller (acknowledge_disclaimer=True)</div>"
        )
    if hints.disclaimer:
        return (
            f'<div class="llmkit-domain-banner" role="note"><span class="llmkit-domain-tag">'
            f"{_e(hints.title)}</span>{_e(hints.disclaimer)}</div>"
        )
    return (
        f'<div class="llmkit-domain-banner llmkit-domain-hidden" role="note">'
        f'<span class="llmkit-domain-tag">{_e(hints.title)}</span>preset</div>'
    )


def _citation_html(c: Citation) -> str:
    text = c.text
    if c.url and is_web_url(c.url) and c.url in text:  # (http(s) only, whatever built the Citation)
        before, _, after = text.partition(c.url)
        link = f'<a href="{_e(c.url)}" {_LINK}>{_e(c.url)}</a>'
        body = f"{_e(before)}{link}{_e(after)}"
    else:
        body = _e(text)
    value = f' value="{c.number}"' if c.number is not None else ""
    return f"<li{value}>{body}</li>"


def render_citations(citations: list[Citation]) -> str:
    """The model's sources as a numbered list of escaped entries with safe http(s) links."""
    if not citations:
        return f'<div class="llmkit-citations llmkit-muted">{_e(_NO_SOURCES)}</div>'
    items = "".join(_citation_html(c) for c in citations)
    head = f"Sources ({len(citations)}) — as the model gave them; check each before relying on it"
    return (
        f'<div class="llmkit-citations"><div class="llmkit-citations-head">{_e(head)}</div>'
        f"<ol>{items}</ol></div>"
    )


def _split(result: ChatResult, hints: RenderHints) -> tuple[str, list[Citation]]:
    if not hints.citations:
        return result.text, []
    return split_citations(result.text)


def _display_copy(result: ChatResult, body: str) -> ChatResult:
    """The result with its answer text replaced by `body` (sources moved out), reasoning kept."""
    if body == result.text:
        return result
    thinking = [p for p in result.parts if isinstance(p, ThinkingPart)]
    return result.model_copy(update={"parts": [*thinking, TextPart(text=body)]})


def render_domain(result: ChatResult, hints: RenderHints, *, streaming: bool = False) -> str:
    """HTML for a domain result: banner, the chat display, then the final answer and sources."""
    body, citations = _split(result, hints)
    chat_html = render_chat(_display_copy(result, body), streaming=streaming)
    extra = ""
    if hints.final_answer == "boxed" and (answer := final_answer(body)):
        tex = "$\\boxed{" + answer + "}$"  # kept as TeX: MathJax in JupyterLab typesets HTML outputs
        extra += f'<div class="llmkit-final">Final answer: {_e(tex)}</div>'
    if hints.citations and not streaming:
        extra += render_citations(citations)
    if extra:
        at = chat_html.find(_FOOTER)
        # provider text is escaped, so the footer marker can only be the renderer's own
        chat_html = chat_html[:at] + extra + chat_html[at:] if at != -1 else chat_html + extra
    return f'<div class="llmkit-domain"><style>{_CSS}</style>{render_banner(hints)}{chat_html}</div>'


def render_plain_domain(result: ChatResult, hints: RenderHints) -> str:
    """text/plain for a domain result: the banner line first, then the answer, sources and footer."""
    body, citations = _split(result, hints)
    lines = [f"[{_banner_text(hints)}]", render_plain_chat(_display_copy(result, body))]
    if hints.final_answer == "boxed" and (answer := final_answer(body)):
        lines.insert(1, f"Final answer: {answer}")
    if hints.citations:
        if citations:
            lines.append("Sources:")
            lines += [f"  {c.number or i}. {c.text}" for i, c in enumerate(citations, 1)]
        else:
            lines.append(_NO_SOURCES)
    return "\n".join(lines)


def domain_mimebundle(result: ChatResult, hints: RenderHints, *, streaming: bool = False) -> MimeBundle:
    """The text/plain + text/html bundle that displays a domain result."""
    return {
        "text/plain": render_plain_domain(result, hints),
        "text/html": render_domain(result, hints, streaming=streaming),
    }


def _preset_rows(preset: DomainPreset, model: str) -> list[tuple[str, str]]:
    rows = [
        ("model", model),
        ("thinking", "provider default" if preset.thinking is None else str(preset.thinking)),
    ]
    if preset.requires_thinking:
        rows.append(("needs", "a model that can think"))
    if preset.sampling:
        rows.append(("sampling", ", ".join(f"{k}={v}" for k, v in preset.sampling.items())))
    if preset.safety:
        rows.append(("safety (Gemini)", ", ".join(f"{s.category}={s.threshold}" for s in preset.safety)))
    if preset.region:
        rows.append(("region", preset.region))
    if preset.instruction:
        rows.append(("added to your question", preset.instruction))
    rows.append(("sources list", "asked for and shown" if preset.citations else "no"))
    if preset.disclaimer:
        rows.append(
            (
                "disclaimer",
                ("always shown: " if preset.disclaimer_required else "shown: ") + preset.disclaimer,
            )
        )
    return rows


def render_preset(preset: DomainPreset, model: str) -> str:
    """HTML card describing what a bound preset will send and show."""
    rows = "".join(
        f'<tr><td style="padding-right:1em;vertical-align:top" class="llmkit-muted">{_e(k)}</td><td>{_e(v)}</td></tr>'
        for k, v in _preset_rows(preset, model)
    )
    system = (
        f"<details><summary>system prompt</summary><div>{_e(preset.system)}</div></details>"
        if preset.system
        else '<div class="llmkit-muted">no system prompt</div>'
    )
    return (
        f'<div class="llmkit-domain"><style>{_CSS}</style><div class="llmkit-domain-banner" role="note">'
        f'<span class="llmkit-domain-tag">{_e(preset.title)} preset</span>{_e(preset.description)}</div>'
        f"<table>{rows}</table>{system}</div>"
    )


def render_plain_preset(preset: DomainPreset, model: str) -> str:
    """text/plain description of a bound preset."""
    lines = [f"{preset.title} preset: {preset.description}"]
    lines += [f"  {k}: {v}" for k, v in _preset_rows(preset, model)]
    return "\n".join(lines)


def wrap_bundle(bundle: MimeBundle, hints: RenderHints) -> MimeBundle:
    """Put the domain banner on top of any bundle (a live partial result, an error panel)."""
    return {
        "text/plain": f"[{_banner_text(hints)}]\n{bundle.get('text/plain', '')}",
        "text/html": (
            f'<div class="llmkit-domain"><style>{_CSS}</style>'
            f"{render_banner(hints)}{bundle.get('text/html', '')}</div>"
        ),
    }


class DomainLiveChat(LiveChat):
    """A live stream view that keeps the domain banner on top from the first delta to the end."""

    def __init__(self, *, hints: RenderHints, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hints = hints
        self._banner_printed = False

    def _show(self, bundle: MimeBundle, now: float) -> None:
        if not bundle.get("text/html", "").startswith('<div class="llmkit-domain"'):
            bundle = wrap_bundle(bundle, self.hints)
        super()._show(bundle, now)

    def flush(self, *, force: bool = False) -> None:
        """Render pending deltas (throttled), as a domain result in progress."""
        if not self.notebook or self._closed or not self._dirty:
            return
        now = self._clock()
        if force or self._last_render is None or now - self._last_render >= self.min_interval:
            self._show(domain_mimebundle(self.partial(), self.hints, streaming=True), now)

    def finish(self, result: ChatResult) -> None:
        """Show the final domain result: banner, answer, final answer and sources."""
        if self._closed:
            return
        if self.notebook:
            self._closed = True
            self._show(domain_mimebundle(result, self.hints), self._clock())
            return
        self._ensure_banner()
        super().finish(result)
        if self.hints.citations:
            _, citations = split_citations(result.text)
            self._write(
                "".join(f"  source {c.number or i}: {c.text}\n" for i, c in enumerate(citations, 1))
                or _NO_SOURCES + "\n"
            )

    def _print_delta(self, kind: str, text: str) -> None:
        self._ensure_banner()
        super()._print_delta(kind, text)

    def _ensure_banner(self) -> None:
        if not self._banner_printed:
            self._banner_printed = True
            self._write(f"[{_banner_text(self.hints)}]\n")
