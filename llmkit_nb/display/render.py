"""Pure renderers: a ChatResult or an error in, an HTML or plain-text string out.

Every string that came from a provider is escaped here or passed through `render_markdown`;
nothing else becomes markup. The output carries no script, no event handler and no external
resource: styling is one `<style>` block scoped to `llmkit-` classes, coloured with JupyterLab's
theme variables (with fallbacks that read in light and dark themes alike).
"""

from __future__ import annotations

import json
from html import escape as _html_escape
from urllib.parse import urlsplit

from providers.credentials import redact
from providers.errors import IncompleteStreamError, LLMKitError, ProviderError
from providers.types import ChatResult, ThinkingPart

from .markdown import render_markdown
from .render_tools import TOOLS_CSS, plain_output, plain_steps, render_last_calls, render_output, render_steps

__all__ = [
    "endpoint_label",
    "render_chat",
    "render_error",
    "render_plain_chat",
    "render_plain_error",
    "render_plain_footer",
]

SANDBOX_TITLE = "Offline emulator output — not a real model"

_HIDDEN_HOW = {
    "omitted": "hides its reasoning: it returned only a signature",
    "encrypted": "hides its reasoning: it returned it encrypted (kept for the next turn)",
    "none": "shows no reasoning",
    "full": "showed no reasoning text",
    "summary": "showed no reasoning summary",
}

_FINISH_HINTS = {
    "length": "raise max_tokens",
    "content_filter": "the provider's content filter cut the answer",
    "refusal": "the model declined to answer",
    "tool_calls": "the model asked to call a tool",
}

_CSS = """
.llmkit-chat,.llmkit-error{font-family:var(--jp-content-font-family,inherit);
 color:var(--jp-content-font-color1,inherit);line-height:1.5;max-width:100%}
.llmkit-chat .llmkit-answer>:first-child{margin-top:0}
.llmkit-chat .llmkit-answer>:last-child{margin-bottom:0}
.llmkit-chat details{border:1px solid var(--jp-border-color2,rgba(128,128,128,.35));
 border-radius:4px;margin:.4em 0;padding:.2em .6em;
 background:var(--jp-layout-color2,rgba(128,128,128,.06))}
.llmkit-chat summary{cursor:pointer;color:var(--jp-ui-font-color2,inherit);font-size:.9em}
.llmkit-chat .llmkit-reasoning-body{color:var(--jp-content-font-color2,inherit);font-size:.92em}
.llmkit-chat .llmkit-muted,.llmkit-error .llmkit-muted{color:var(--jp-ui-font-color2,inherit);
 opacity:.85;font-size:.85em}
.llmkit-chat .llmkit-footer{margin-top:.5em;padding-top:.3em;
 border-top:1px solid var(--jp-border-color2,rgba(128,128,128,.35))}
.llmkit-chat pre{white-space:pre-wrap;word-break:break-word;font-size:.85em;
 font-family:var(--jp-code-font-family,monospace);margin:.3em 0}
.llmkit-badge{display:inline-block;font-weight:700;font-size:.75em;letter-spacing:.08em;
 padding:.1em .5em;border-radius:3px;margin-bottom:.3em;color:#fff;
 background:var(--jp-warn-color1,#e08600)}
.llmkit-banner{border-left:4px solid var(--jp-warn-color1,#e08600);padding:.3em .6em;
 margin:.3em 0;background:var(--jp-warn-color3,rgba(224,134,0,.12))}
.llmkit-error{border-left:4px solid var(--jp-error-color1,#d32f2f);padding:.4em .7em;
 background:var(--jp-error-color3,rgba(211,47,47,.1));margin:.3em 0}
.llmkit-error .llmkit-error-title{font-weight:700}
.llmkit-error .llmkit-error-msg{white-space:pre-wrap;margin:.3em 0}
.llmkit-cut{font-style:italic}
.llmkit-chat table{border-collapse:collapse;font-size:.95em}
.llmkit-chat th,.llmkit-chat td{border:1px solid var(--jp-border-color2,rgba(128,128,128,.35));
 padding:.3em .5em;vertical-align:top;text-align:left}
.llmkit-chat th{background:var(--jp-layout-color2,rgba(128,128,128,.08));font-weight:600}
.llmkit-chat td.llmkit-num{text-align:right;white-space:nowrap}
"""


def _e(value: object) -> str:
    return _html_escape(str(value), quote=True)


def _style() -> str:
    return f"<style>{_CSS}{TOOLS_CSS}</style>"


def _tokens(n: int) -> str:
    return f"{n:,} token" + ("" if n == 1 else "s")


def endpoint_label(endpoint: str) -> str:
    """Host and path of an endpoint URL, without credentials, query or fragment."""
    if not endpoint:
        return ""
    parts = urlsplit(endpoint)
    if not parts.netloc:
        return endpoint.split("?", 1)[0].split("#", 1)[0]
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{host}{parts.path}"


def _latency(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 0.1 else f"{seconds:.2f} s"


def _cost(usd: float) -> str:
    if usd == 0:
        return "$0"
    if usd < 0.0001:
        return "<$0.0001"
    return f"${usd:.4f}" if usd < 1 else f"${usd:.2f}"


def _usage(result: ChatResult) -> str:
    u = result.usage
    bits = []
    if u.input_tokens is not None:
        bits.append(f"{u.input_tokens:,} in")
    if u.output_tokens is not None:
        bits.append(f"{u.output_tokens:,} out")
    if u.reasoning_tokens:
        bits.append(f"{u.reasoning_tokens:,} reasoning")
    if u.cached_tokens:
        bits.append(f"{u.cached_tokens:,} cached")
    return "tokens: " + " / ".join(bits) if bits else ""


def _retries(result: ChatResult) -> str:
    if not result.retries:
        return ""
    reasons = ", ".join(r.reason for r in result.retries if r.reason)
    return f"retried {len(result.retries)}×" + (f" ({reasons})" if reasons else "")


def _footer_bits(result: ChatResult) -> list[str]:
    bits = [result.model, result.provider, endpoint_label(result.endpoint)]
    if result.latency_s is not None:
        bits.append(_latency(result.latency_s))
    bits.append(_usage(result))
    if result.cached:
        bits.append("cached ($0)")
    elif result.cost_usd is not None:
        bits.append(_cost(result.cost_usd))
    bits.append(_retries(result))
    return [b for b in bits if b]


def _finish_line(result: ChatResult) -> str:
    if result.stopped == "max_steps":
        return f"stopped: max_steps reached after {len(result.steps) or 1} turns — the last turn's calls were not run"
    if result.stopped:
        return f"stopped: {result.stopped} — every finished turn is kept"
    reason = result.finish_reason
    if not reason or reason == "stop":
        return ""
    line = f"stopped: {reason}"
    if result.raw_finish_reason and result.raw_finish_reason != reason:
        line += f" ({result.raw_finish_reason})"
    hint = _FINISH_HINTS.get(reason)
    return f"{line} — {hint}" if hint else line


def _hidden_message(result: ChatResult) -> str:
    how = _HIDDEN_HOW.get(result.visibility, "showed no reasoning text")
    n = result.usage.reasoning_tokens
    count = f"it reported {n:,} reasoning tokens" if n else "it reported no reasoning token count"
    return f"The provider {how}; {count}."


def _has_reasoning(result: ChatResult) -> bool:
    return bool(result.thinking_parts) or bool(result.usage.reasoning_tokens)


def _reasoning_summary(result: ChatResult, shown: bool, streaming: bool) -> str:
    bits = ["Reasoning"]
    if not shown:
        bits.append("hidden")
    elif result.visibility == "summary":
        bits.append("summary")
    if result.usage.reasoning_tokens:
        bits.append(_tokens(result.usage.reasoning_tokens))
    elif streaming and not result.text:
        bits.append("thinking…")
    return " · ".join(bits)


def _thinking_block(part: ThinkingPart) -> str:
    body = render_markdown(part.text) if part.text else ""
    if part.truncated:
        body += '<div class="llmkit-muted llmkit-cut">(cut short)</div>'
    return f'<div class="llmkit-thinking">{body}</div>'


def _reasoning_panel(result: ChatResult, streaming: bool) -> str:
    if not _has_reasoning(result):
        return ""
    parts = result.thinking_parts
    shown = any(p.text for p in parts)
    if shown:
        body = "".join(_thinking_block(p) for p in parts if p.text or p.truncated)
        redacted = sum(1 for p in parts if p.redacted and not p.text)
        if redacted:
            body += (
                f'<div class="llmkit-muted">{redacted} more block{"s" if redacted > 1 else ""} '
                "withheld by the provider.</div>"
            )
    else:
        body = f'<div class="llmkit-muted">{_e(_hidden_message(result))}</div>'
    is_open = " open" if streaming and not result.text else ""
    summary = _e(_reasoning_summary(result, shown, streaming))
    return (
        f'<details class="llmkit-reasoning"{is_open}><summary>{summary}</summary>'
        f'<div class="llmkit-reasoning-body">{body}</div></details>'
    )


def _sent_panel(result: ChatResult) -> str:
    if not (result.sent or result.notes or result.request_id):
        return ""
    body = ""
    if result.sent:
        dumped = redact(json.dumps(result.sent, indent=2, ensure_ascii=False, default=str))
        body += f"<pre>{_e(dumped)}</pre>"
    if result.notes:
        body += "<ul>" + "".join(f"<li>{_e(n)}</li>" for n in result.notes) + "</ul>"
    if result.request_id:
        body += f'<div class="llmkit-muted">request id: {_e(result.request_id)}</div>'
    label = "What was sent"
    if result.notes:
        label += f" · {len(result.notes)} note{'s' if len(result.notes) > 1 else ''}"
    return f'<details class="llmkit-sent"><summary>{_e(label)}</summary>{body}</details>'


def _chat_body(result: ChatResult, streaming: bool) -> str:
    out = []
    if result.sandbox:
        out.append(f'<span class="llmkit-badge" title="{_e(SANDBOX_TITLE)}">SANDBOX</span>')
    if result.incomplete:
        out.append(
            '<div class="llmkit-banner" role="alert"><strong>Incomplete</strong> — the stream was cut '
            "short; below is what arrived.</div>"
        )
    out.append(render_steps(result, lambda step: _reasoning_panel(step, False), render_markdown))
    out.append(_reasoning_panel(result, streaming))
    answer = render_output(result.output) if result.output is not None else render_markdown(result.text)
    if streaming and not answer and not _has_reasoning(result) and not result.tool_calls:
        answer = '<span class="llmkit-muted">waiting for the model…</span>'
    out.append(f'<div class="llmkit-answer">{answer}</div>')
    out.append(render_last_calls(result))
    finish = _finish_line(result)
    if finish:
        out.append(f'<div class="llmkit-banner">{_e(finish)}</div>')
    footer = _footer_bits(result)
    if streaming:
        footer = [result.model, result.provider, "streaming…"]
    out.append(f'<div class="llmkit-footer llmkit-muted">{" · ".join(_e(b) for b in footer)}</div>')
    if not streaming:
        out.append(_sent_panel(result))
    return "".join(out)


def render_chat(result: ChatResult, *, streaming: bool = False) -> str:
    """HTML for a chat result: answer, reasoning panel, footer and what was sent."""
    return f'<div class="llmkit-chat">{_style()}{_chat_body(result, streaming)}</div>'


def _error_fields(exc: BaseException) -> list[tuple[str, str]]:
    fields = [("provider", getattr(exc, "provider", None))]
    if isinstance(exc, ProviderError):
        fields += [("status", exc.status), ("request id", exc.request_id)]
        if exc.retry_after is not None:
            fields.append(("retry after", f"{exc.retry_after:g} s"))
    return [(k, str(v)) for k, v in fields if v not in (None, "")]


def _error_message(exc: BaseException) -> str:
    if isinstance(exc, LLMKitError):
        return exc.message
    if isinstance(exc, KeyboardInterrupt):
        return str(exc) or "interrupted"
    return redact(str(exc))


def render_error(exc: BaseException) -> str:
    """HTML panel for an error: its kind, provider, status, request id and message, no traceback."""
    fields = " · ".join(f"{_e(k)}: {_e(v)}" for k, v in _error_fields(exc))
    message = _error_message(exc)
    html = (
        f'<div class="llmkit-error" role="alert"><div class="llmkit-error-title">{_e(type(exc).__name__)}</div>'
        + (f'<div class="llmkit-muted">{fields}</div>' if fields else "")
        + (f'<div class="llmkit-error-msg">{_e(message)}</div>' if message else "")
        + "</div>"
    )
    if isinstance(exc, IncompleteStreamError):
        html += _chat_body(exc.partial, streaming=False)
    return f'<div class="llmkit-chat">{_style()}{html}</div>'


def render_plain_footer(result: ChatResult) -> str:
    """The one-line plain-text footer: model, provider, endpoint, latency, usage, cost, retries."""
    line = " · ".join(_footer_bits(result))
    return f"[sandbox] {line}" if result.sandbox else line


def render_plain_chat(result: ChatResult) -> str:
    """Readable text/plain form of a chat result: answer, reasoning note, one-line footer."""
    lines: list[str] = []
    if result.incomplete:
        lines.append("[incomplete: the stream was cut short; this is what arrived]")
    lines += plain_steps(result)
    if result.output is not None:
        lines.append(plain_output(result.output))
    elif result.text:
        lines.append(result.text)
    if _has_reasoning(result):
        shown = "shown" if result.reasoning else "hidden"
        n = result.usage.reasoning_tokens
        lines.append(f"[reasoning: {_tokens(n)}, {shown}]" if n else f"[reasoning: {shown}]")
    finish = _finish_line(result)
    if finish:
        lines.append(f"[{finish}]")
    lines.append(render_plain_footer(result))
    return "\n".join(lines)


def render_plain_error(exc: BaseException, *, with_partial: bool = True) -> str:
    """Readable text/plain form of an error, with the partial answer for a cut-short stream."""
    fields = ", ".join(f"{k} {v}" for k, v in _error_fields(exc))
    head = f"{type(exc).__name__}" + (f" ({fields})" if fields else "")
    message = _error_message(exc)
    text = f"{head}: {message}" if message else head
    if with_partial and isinstance(exc, IncompleteStreamError):
        text += "\n\n" + render_plain_chat(exc.partial)
    return text
