"""Tool call ids a provider would refuse, rewritten the same way in a call and in its result.

Providers mint call ids in their own forms (OpenAI `call_...`, Anthropic `toolu_...`, Mistral nine
alphanumerics) and some refuse other forms in the history they are sent: Mistral wants exactly nine
of a-z, A-Z, 0-9 (wire/tools-batch.md section 7), Anthropic `^[a-zA-Z0-9_-]+$` (its 400
`messages.N.content.M.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'`). A conversation
that moves between providers keeps working when such ids are rewritten: the new id is a digest of the
old one, so the same id always becomes the same new id (a call and its result stay paired, turn after
turn, with no state kept), and the result's note says how many were rewritten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from ..types import Message, ToolCallPart, ToolResultPart

__all__ = ["digest_id", "rewrite_ids"]

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def digest_id(original: str, length: int, prefix: str = "") -> str:
    """A stable id of `length` alphanumerics (after `prefix`) made from `original`."""
    number = int.from_bytes(hashlib.sha256(original.encode("utf-8")).digest(), "big")
    out = []
    for _ in range(length):
        number, digit = divmod(number, len(_ALPHABET))
        out.append(_ALPHABET[digit])
    return prefix + "".join(out)


def rewrite_ids(
    messages: list[Message], valid: Callable[[str], bool], make: Callable[[str], str]
) -> tuple[list[Message], int]:
    """The messages with every call id `valid` refuses replaced by `make(id)`, in calls and results
    alike, and how many distinct ids were rewritten."""
    mapping: dict[str, str] = {}
    for message in messages:
        for part in message.parts:
            if isinstance(part, ToolCallPart | ToolResultPart):
                old = part.id if isinstance(part, ToolCallPart) else part.call_id
                if old not in mapping and not valid(old):
                    mapping[old] = make(old)
    if not mapping:
        return messages, 0
    out: list[Message] = []
    for message in messages:
        parts = []
        for part in message.parts:
            if isinstance(part, ToolCallPart) and part.id in mapping:
                part = part.model_copy(update={"id": mapping[part.id]})
            elif isinstance(part, ToolResultPart) and part.call_id in mapping:
                part = part.model_copy(update={"call_id": mapping[part.call_id]})
            parts.append(part)
        out.append(message.model_copy(update={"parts": parts}))
    return out, len(mapping)
