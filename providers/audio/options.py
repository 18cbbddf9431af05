"""Shared option handling for the speech codecs: query encoding, renamed options, close-match hints.

Options under their older names (Deepgram SDK v2/v3 era, older ElevenLabs SDKs) keep working: the
value moves to the new name, the result's notes say so, and a DeprecationWarning names it once per
process (providers/deprecation.py), at the caller's own line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from ..deprecation import warn_once
from ..errors import InvalidParameterError

__all__ = ["close_matches", "query_string", "query_value", "warn_renamed"]


def warn_renamed(old: str, new: str, *, provider: str, extra: str = "") -> str:
    """The note for an option used under its old name; the DeprecationWarning comes once per process."""
    message = f"{provider}: '{old}' is the older name; use {new} instead{extra}"
    warn_once(("renamed", provider, old), message)
    return message


def query_value(value: Any) -> str | list[str]:
    """A query-string value as the providers' SDKs send it: booleans as true/false, lists repeated."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return [str(query_value(v)) for v in value]
    return str(value)


def query_string(params: Mapping[str, Any]) -> str:
    """Encode parameters (None dropped, lists as repeated keys) in the order given."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        encoded = query_value(value)
        if isinstance(encoded, list):
            pairs += [(key, v) for v in encoded]
        else:
            pairs.append((key, encoded))
    return urlencode(pairs)


def close_matches(
    name: str, known: Iterable[str], *, what: str, provider: str, hint: str = ""
) -> InvalidParameterError:
    """The error for an unknown option, naming the closest known ones."""
    known = sorted(known)
    near = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    did = f" (did you mean {', '.join(near)}?)" if near else ""
    return InvalidParameterError(f"{provider} has no {what} {name!r}{did}{hint}", provider=provider)
