"""Keys and regions from arguments or the environment; redacted everywhere.

A key is held in a `Secret`, whose repr and str never show it. `redact()` removes every key the
process knows about -- the ones passed in and the ones in key-like environment variables -- from
any text, and every error message passes through it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

__all__ = ["Secret", "known_secrets", "redact", "register_secret", "resolve_key"]

_REGISTERED: set[str] = set()
_KEYLIKE_ENV = re.compile(r"(_API_KEY|_API_SECRET|_KEY|_TOKEN|_SECRET)$")
_MIN_SECRET_LEN = 6
_HEADER_SECRET = re.compile(
    r"(?i)\b(authorization|x-api-key|api-key|xi-api-key|x-goog-api-key|api-subscription-key)(\s*[:=]\s*)(bearer\s+|token\s+)?[^\s,'\"}]+"
)


class Secret:
    """A credential. Use `.get()` where the wire needs it; anywhere else it prints as '***'."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register_secret(value)

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> tuple[object, ...]:  # never pickle the value into a notebook or cache
        raise TypeError("a Secret cannot be pickled")


def register_secret(value: str) -> None:
    """Remember a value so `redact` removes it from any text."""
    if value and len(value) >= _MIN_SECRET_LEN:
        _REGISTERED.add(value)


def known_secrets(env: Mapping[str, str] | None = None) -> set[str]:
    env = os.environ if env is None else env
    found = {v for k, v in env.items() if _KEYLIKE_ENV.search(k) and v and len(v) >= _MIN_SECRET_LEN}
    return found | _REGISTERED


def redact(text: str) -> str:
    """Text with every known credential replaced by '***'."""
    if not text:
        return text
    for secret in sorted(known_secrets(), key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "***")
    return _HEADER_SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3) or ''}***", text)


def resolve_key(
    provider: str,
    env_vars: tuple[str, ...],
    explicit: str | Secret | None,
    *,
    env: Mapping[str, str] | None = None,
) -> Secret | None:
    """The key for a provider: the explicit argument wins, then the first env var that is set."""
    if isinstance(explicit, Secret):
        return explicit
    if explicit:
        return Secret(explicit)
    env = os.environ if env is None else env
    for name in env_vars:
        value = env.get(name, "").strip()
        if value:
            return Secret(value)
    return None
