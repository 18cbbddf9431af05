"""The sandbox's deterministic "model": answers, reasoning, signatures and a crude token count.

Everything here is a pure function of its arguments, so the same request always gets the same
answer, the same reasoning and the same signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = [
    "SENTENCES_FOR_EFFORT",
    "answer_text",
    "answer_words",
    "chunk_words",
    "content_text",
    "count_tokens",
    "decrypt_reasoning",
    "encrypt_reasoning",
    "message_text",
    "reasoning_text",
    "sign_thinking",
    "signed_here",
    "summary_text",
    "truncate_to_tokens",
    "verify_thinking",
]

# How many sentences of reasoning each effort level gets (so tests can see the knob mattered).
SENTENCES_FOR_EFFORT: dict[str, int] = {
    "minimal": 1,
    "low": 1,
    "medium": 2,
    "high": 3,
    "xhigh": 4,
    "max": 4,
}

_TEXT_PART_TYPES = frozenset({"text", "input_text", "output_text"})
_QUOTE_LIMIT = 80


def content_text(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a list of parts/blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            p["text"]
            for p in content
            if isinstance(p, dict) and p.get("type") in _TEXT_PART_TYPES and isinstance(p.get("text"), str)
        ]
        return "\n".join(texts)
    return ""


def message_text(messages: Iterable[Any], role: str = "user") -> str:
    """The text of the last message with the given role (empty if there is none)."""
    last = ""
    for m in messages:
        if isinstance(m, dict) and m.get("role") == role:
            last = content_text(m.get("content"))
    return last


_ANSWER_WORDS: ContextVar[int | None] = ContextVar("sandbox_answer_words", default=None)
MAX_ANSWER_WORDS = 1_000_000


@contextmanager
def answer_words(words: int | None) -> Iterator[None]:
    """Within the block, answers are padded to `words` words (one stream delta each): the
    `x-sandbox-answer-words` request header, for benchmarks that need a long answer."""
    token = _ANSWER_WORDS.set(words)
    try:
        yield
    finally:
        _ANSWER_WORDS.reset(token)


def answer_text(question: str) -> str:
    """The sandbox's answer: a short sentence restating the question (padded to `answer_words`)."""
    text = f'You asked: "{question.strip()}". In the sandbox, the answer restates your question.'
    words = _ANSWER_WORDS.get()
    if words is not None:
        have = len(text.split())
        text += "".join(f" word{i}" for i in range(max(0, words - have)))
    return text


def _quote(question: str) -> str:
    q = " ".join(question.split())
    return q if len(q) <= _QUOTE_LIMIT else q[: _QUOTE_LIMIT - 1].rstrip() + "…"


def reasoning_text(question: str, effort: str | None = None) -> str:
    """The sandbox's reasoning about a question; longer for higher efforts (1 to 4 sentences)."""
    n = SENTENCES_FOR_EFFORT.get(effort or "medium", 2)
    sentences = [
        f'The question is "{_quote(question)}".',
        "The sandbox answers by restating it, so there is nothing to compute.",
        "I will repeat the question back in one short sentence.",
        "Checking once more: the restated text must match the question exactly.",
    ]
    return " ".join(sentences[:n])


def summary_text(reasoning: str, style: str | None) -> str:
    """A reasoning summary in the given style: 'concise' keeps the first sentence, others keep all."""
    if style == "concise":
        first = re.split(r"(?<=\.)\s", reasoning, maxsplit=1)[0]
        return first
    return reasoning


def count_tokens(text: str) -> int:
    """A crude token count: four tokens for every three words, rounded up."""
    return math.ceil(len(text.split()) * 4 / 3)


def chunk_words(text: str) -> list[str]:
    """Split text into word-sized stream deltas whose concatenation is exactly the text."""
    return re.findall(r"\s*\S+|\s+$", text)


def truncate_to_tokens(text: str, max_tokens: int) -> tuple[str, bool]:
    """The longest word-prefix of text within max_tokens, and whether anything was cut."""
    if count_tokens(text) <= max_tokens:
        return text, False
    kept: list[str] = []
    words = 0  # a prefix of k words counts ceil(4k/3) tokens: counted as we go, not re-counted
    for w in chunk_words(text):
        if w.strip():
            if math.ceil((words + 1) * 4 / 3) > max_tokens:
                break
            words += 1
        kept.append(w)
    return "".join(kept), True


# --- signatures and "encrypted" reasoning: opaque to clients, checkable by the sandbox -------------

_SIG_PREFIX = b"sbx1"
_ENC_PREFIX = b"sbxE"


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def sign_thinking(thinking: str, *, omitted: bool = False) -> str:
    """An opaque signature for a thinking block; with omitted=True it is valid for an empty block."""
    mode = b"o" if omitted else b"v"
    return base64.b64encode(_SIG_PREFIX + mode + _digest(thinking)).decode("ascii")


def verify_thinking(thinking: str, signature: Any) -> bool:
    """Whether a signature was made by `sign_thinking` for this block's text."""
    if not isinstance(signature, str):
        return False
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(raw) != len(_SIG_PREFIX) + 1 + 32 or not raw.startswith(_SIG_PREFIX):
        return False
    mode, digest = raw[len(_SIG_PREFIX) : len(_SIG_PREFIX) + 1], raw[len(_SIG_PREFIX) + 1 :]
    if mode == b"o":
        return thinking == ""
    return mode == b"v" and digest == _digest(thinking)


def signed_here(signature: Any) -> bool:
    """Whether a signature is one `sign_thinking` made (for some text): a block whose text changed
    still carries one, a signature from elsewhere (another provider, another key) does not."""
    if not isinstance(signature, str):
        return False
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(raw) == len(_SIG_PREFIX) + 1 + 32 and raw.startswith(_SIG_PREFIX) and raw[4:5] in (b"o", b"v")


def encrypt_reasoning(reasoning: str) -> str:
    """An opaque `encrypted_content` blob carrying the reasoning and a checksum."""
    data = reasoning.encode("utf-8")
    return base64.b64encode(_ENC_PREFIX + hashlib.sha256(data).digest()[:8] + data).decode("ascii")


def decrypt_reasoning(blob: Any) -> str | None:
    """The reasoning inside an `encrypt_reasoning` blob, or None if the blob was not made by it."""
    if not isinstance(blob, str):
        return None
    try:
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not raw.startswith(_ENC_PREFIX) or len(raw) < len(_ENC_PREFIX) + 8:
        return None
    check, data = raw[len(_ENC_PREFIX) : len(_ENC_PREFIX) + 8], raw[len(_ENC_PREFIX) + 8 :]
    if hashlib.sha256(data).digest()[:8] != check:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
