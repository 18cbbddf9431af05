"""Pull structure out of a domain answer: its trailing "Sources" list and its boxed final answer.

Pure text functions. The presets ask the model to end with a "Sources" section (a numbered list)
and, for maths, to put the final answer in `\\boxed{...}`; these functions find both so the display
can show sources as a list of safe links and the science evaluation can grade the final answer.
Nothing here trusts the text: URLs are only recognised as http(s), everything else stays plain text.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["Citation", "boxed_answers", "final_answer", "is_web_url", "split_citations"]

_WEB_URL = re.compile(r"https?://[^\s/?#<>\"'`\\]+[^\s<>\"'`\\]*", re.IGNORECASE)


def is_web_url(url: object) -> bool:
    """Whether `url` is an absolute http(s) URL with a host, and nothing that could break out of an attribute."""
    return isinstance(url, str) and _WEB_URL.fullmatch(url) is not None


class Citation(BaseModel):
    """One source the model listed: its number (if any), its text and an http(s) URL (if any)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    number: int | None = Field(None, description="The number the model gave it ([1], 1., ...).")
    text: str = Field(..., description="The source as written, without its list marker.")
    url: str | None = Field(None, description="The first http(s) URL in the entry, if any.")

    @field_validator("url")
    @classmethod
    def _web_only(cls, url: str | None) -> str | None:
        # a link is only ever http(s): any other scheme (javascript:, data:, file:) stays plain text
        return url if url is not None and is_web_url(url) else None


# A heading line that opens the sources section: "Sources", "## References:", "**Citations**", ...
_HEADING = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*|__)?[ \t]*(?:sources|references|citations|bibliography)"
    r"[ \t]*(?:\*\*|__)?[ \t]*:?[ \t]*(?:\*\*|__)?(?P<rest>[^\n]*)$",
    re.IGNORECASE | re.MULTILINE,
)
_ITEM = re.compile(r"^[ \t]*(?:\[(?P<b>\d{1,3})\]|(?P<n>\d{1,3})[.)]|[-*+•])[ \t]+(?P<text>\S.*)$")
_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+", re.IGNORECASE)
_NONE = re.compile(r"^\s*(?:none|n/a|-)\s*\.?\s*$", re.IGNORECASE)


def _url(text: str) -> str | None:
    match = _URL.search(text)
    return match.group(0).rstrip(".,;:") if match else None


def _items(block: str) -> list[Citation] | None:
    """The list entries of a sources block, or None when the block is not a list."""
    items: list[Citation] = []
    for line in block.splitlines():
        if not line.strip():
            continue
        m = _ITEM.match(line)
        if m is None:
            if items and line.startswith((" ", "\t")):  # a wrapped entry continues on an indented line
                last = items[-1]
                text = f"{last.text} {line.strip()}"
                items[-1] = Citation(number=last.number, text=text, url=last.url or _url(text))
                continue
            return None
        number = m.group("b") or m.group("n")
        text = m.group("text").strip()
        items.append(Citation(number=int(number) if number else None, text=text, url=_url(text)))
    return items


def split_citations(text: str) -> tuple[str, list[Citation]]:
    """Split an answer into its body and the citations of its last "Sources" section.

    The section must be the tail of the answer: a heading line, then only list entries. When there
    is no such section the text comes back unchanged with no citations; "Sources: none" removes the
    heading and gives an empty list.
    """
    if not text:
        return text, []
    headings = list(_HEADING.finditer(text))
    for heading in reversed(headings):
        rest = heading.group("rest").strip()
        tail = text[heading.end() :]
        if rest and _NONE.match(rest) and not tail.strip():
            return text[: heading.start()].rstrip(), []
        block = (rest + tail) if rest and _ITEM.match(rest) else tail
        if rest and not _ITEM.match(rest):
            continue  # "Sources of error include ..." is prose, not a section heading
        items = _items(block)
        if items:
            return text[: heading.start()].rstrip(), items
    return text, []


def boxed_answers(text: str) -> list[str]:
    """The contents of every `\\boxed{...}` in the text, in order, with nested braces kept."""
    found: list[str] = []
    start = 0
    while (at := text.find("\\boxed", start)) != -1:
        i = at + len("\\boxed")
        while i < len(text) and text[i] == " ":
            i += 1
        if i >= len(text) or text[i] != "{":
            start = i
            continue
        depth, j = 0, i
        while j < len(text):
            if text[j] == "{" and text[j - 1] != "\\":
                depth += 1
            elif text[j] == "}" and text[j - 1] != "\\":
                depth -= 1
                if depth == 0:
                    found.append(text[i + 1 : j].strip())
                    break
            j += 1
        else:
            break  # unbalanced: a cut-short answer; keep what was complete
        start = j + 1
    return found


def final_answer(text: str) -> str | None:
    """The last non-empty `\\boxed{...}` of an answer: by the presets' convention, its final answer."""
    boxes = [b for b in boxed_answers(text) if b]
    return boxes[-1] if boxes else None
