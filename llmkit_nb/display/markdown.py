"""Markdown to safe HTML for untrusted model text.

Raw HTML is disabled, so tags a model writes show up as text. Dangerous link schemes are refused
by markdown-it's `validateLink`. Links open in a new tab without an opener. Only inline
`data:image/...` images are drawn; a remote image would load from a server the model chose (a
known way to leak a conversation), so it becomes a plain link instead. LaTeX spans are kept
byte-for-byte (escaped for HTML) so a math renderer can pick them up later: JupyterLab typesets
HTML outputs with MathJax ($...$, $$...$$, \\(...\\), \\[...\\]). A `$` that is prose ("$5 and $10")
is wrapped in MathJax's ignore class, or MathJax would pair it with the next one and typeset the text
between them.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = ["render_markdown"]

_LINK_ATTRS = {"target": "_blank", "rel": "noopener noreferrer"}
_INLINE_IMAGE = re.compile(r"^data:image/(?:png|jpeg|gif|webp);", re.IGNORECASE)

# Private-use characters mark where a math span was lifted out; markdown-it leaves them alone.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_TAG = re.compile(r"(<[^>]*>)")
_PROSE_DOLLAR = '<span class="tex2jax_ignore">$</span>'  # MathJax 3's default ignoreHtmlClass

# Code is matched first so `$` inside code stays code. Inline `$...$` follows Pandoc's rule
# (no space just inside the dollars, no digit right after the closing one) so "$5 and $10"
# stays prose.
_MATH_OR_CODE = re.compile(
    r"""
    (?P<fence>^[ ]{0,3}(?P<fmark>`{3,}|~{3,})[^\n]*\n.*?(?:^[ ]{0,3}(?P=fmark)[ \t]*$|\Z))
  | (?P<code>(?P<ticks>`+)(?!`).*?(?<!`)(?P=ticks)(?!`))
  | (?P<math>
        (?<!\\)\$\$.+?(?<!\\)\$\$
      | \\\[.+?\\\]
      | \\\(.+?\\\)
      | (?<![\\$])\$(?![\s$])(?:\\.|[^\\$\n])+?(?<![\s\\])\$(?![\d$])
    )
    """,
    re.VERBOSE | re.DOTALL | re.MULTILINE,
)


def _render_link_open(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    for key, value in _LINK_ATTRS.items():
        token.attrSet(key, value)
    return str(self.renderToken(tokens, idx, options, env))


def _render_image(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    if _INLINE_IMAGE.match(src):
        return f'<img src="{html.escape(src)}" alt="{html.escape(alt)}" style="max-width:100%">'
    label = html.escape(f"image: {alt}" if alt else "image")
    attrs = " ".join(f'{k}="{v}"' for k, v in _LINK_ATTRS.items())
    return f'<a href="{html.escape(src)}" {attrs}>[{label}]</a>'


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("image", _render_image)
    return md


def _protect_math(text: str) -> tuple[str, list[str]]:
    spans: list[str] = []

    def lift(m: re.Match[str]) -> str:
        if m.group("math") is None:
            return m.group(0)
        spans.append(m.group("math"))
        return f"{_OPEN}{len(spans) - 1}{_CLOSE}"

    return _MATH_OR_CODE.sub(lift, text), spans


def _shield_prose_dollars(rendered: str) -> str:
    """Wrap each `$` in text (not in tags, code or pre) so MathJax cannot read it as a delimiter."""
    if "$" not in rendered:
        return rendered
    out: list[str] = []
    in_code = 0
    for piece in _TAG.split(rendered):
        if piece.startswith("<"):
            name = piece[1:].lstrip("/").split(None, 1)[0].rstrip(">").lower() if len(piece) > 2 else ""
            if name in ("code", "pre"):
                in_code += -1 if piece.startswith("</") else 1
            out.append(piece)
        else:
            out.append(piece if in_code > 0 else piece.replace("$", _PROSE_DOLLAR))
    return "".join(out)


def render_markdown(text: str) -> str:
    """Render untrusted Markdown to HTML that cannot run script, keeping LaTeX spans intact."""
    if not text:
        return ""
    text = text.replace(_OPEN, "").replace(_CLOSE, "")
    protected, spans = _protect_math(text)
    rendered = _shield_prose_dollars(_parser().render(protected))
    if not spans:
        return rendered
    return _PLACEHOLDER.sub(lambda m: html.escape(spans[int(m.group(1))]), rendered)
