"""Keys and regions from arguments or the environment; redacted everywhere.

A key is held in a `Secret`, whose repr and str never show it. `clean_key()` is the one way a key
gets in (from `api_keys=`, an environment variable or a setting marked secret): surrounding
whitespace (a pasted newline, a CRLF) is stripped, and a key with a control or non-ASCII character
inside is refused with an InvalidKeyError that does not show it -- before it can reach an HTTP
header, where it would fail with the key in the message.

`redact()` removes every key the process knows about -- the ones passed in, every environment
variable the catalog names as a credential, and any other key-like environment variable -- from any
text. Every error passes its message and attributes through it (`scrub`), and the exception it is
raised from (`scrub_exception`).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "Secret",
    "clean_key",
    "known_secrets",
    "redact",
    "register_secret",
    "resolve_key",
    "scrub",
    "scrub_exception",
]

_REGISTERED: set[str] = set()
_KEYLIKE_ENV = re.compile(r"(_API_KEY|_API_SECRET|_KEY|_TOKEN|_SECRET|_PAT)$")
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
    """Remember a value so `redact` removes it from any text (also as Python escapes it in a repr)."""
    if not value or len(value) < _MIN_SECRET_LEN or value in _REGISTERED:
        return
    _REGISTERED.add(value)
    # as a repr or an escaped message shows it ('sk-1\n2' printed as 'sk-1\\n2'), as text and as bytes
    for shown in (
        value.encode("unicode_escape").decode("ascii"),
        repr(value)[1:-1],
        repr(value.encode("utf-8", "backslashreplace"))[2:-1],
    ):
        if shown != value:
            _REGISTERED.add(shown)


@functools.cache
def catalog_credential_vars() -> frozenset[str]:
    """Every environment variable the catalog names as a credential (a key, or a setting marked secret).

    Read from the catalog files themselves (not the registry), so redaction never depends on the
    registry loading -- an error raised while it loads is redacted too.
    """
    import json
    from importlib import resources

    names: set[str] = set()
    root = resources.files("providers.catalog").joinpath("providers")
    for entry in root.iterdir():
        if not entry.name.endswith(".json"):
            continue
        for spec in json.loads(entry.read_text(encoding="utf-8")).values():
            names.update(spec.get("env", ()))
            for setting in spec.get("settings", {}).values():
                if setting.get("secret"):
                    names.update(setting.get("env", ()))
    return frozenset(names)


def known_secrets(env: Mapping[str, str] | None = None) -> set[str]:
    """Every value `redact` removes: registered keys, the catalog's credential variables, key-like variables."""
    env = os.environ if env is None else env
    named = catalog_credential_vars()
    found: set[str] = set()
    for name, value in env.items():
        if value and (name in named or _KEYLIKE_ENV.search(name)):
            value = value.strip()
            if len(value) >= _MIN_SECRET_LEN:
                found.add(value)
    return found | _REGISTERED


def redact(text: str) -> str:
    """Text with every known credential replaced by '***'."""
    if not text:
        return text
    for secret in sorted(known_secrets(), key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "***")
    return _HEADER_SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3) or ''}***", text)


def scrub(value: Any) -> Any:
    """`value` with every known credential redacted: text, bytes, and dicts, lists, tuples and sets of them.

    Other objects come back as they are (results, requests: they never hold a key).
    """
    if isinstance(value, str):
        cleaned = redact(value)
        return value if cleaned == value else cleaned
    if isinstance(value, bytes | bytearray):
        text = bytes(value).decode("utf-8", "replace")
        cleaned = redact(text)
        return value if cleaned == text else cleaned.encode("utf-8")
    if isinstance(value, Mapping):
        pairs = [(k, v, scrub(k), scrub(v)) for k, v in value.items()]
        if all(k is k2 and v is v2 for k, v, k2, v2 in pairs):
            return value  # (nothing to hide: the same object back)
        return {k2: v2 for _, _, k2, v2 in pairs}
    if isinstance(value, list | tuple | set | frozenset):
        items = [(v, scrub(v)) for v in value]
        if all(v is v2 for v, v2 in items):
            return value
        return type(value)(v2 for _, v2 in items)
    return value


def scrub_exception(exc: BaseException | None) -> None:
    """Redact, in place, an exception and the ones it was raised from (its args and attributes).

    For errors from other libraries that one of ours is raised from: the traceback prints them
    (an h11 "Illegal header value b'Bearer ...'"), and their attributes keep what they saw (a
    JSONDecodeError's `.doc`, a UnicodeEncodeError's `.object`).
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        try:
            exc.args = scrub(exc.args)
            for name, value in list(vars(exc).items()):
                cleaned = scrub(value)
                if cleaned is not value:
                    setattr(exc, name, cleaned)
            if isinstance(exc, UnicodeError) and isinstance(getattr(exc, "object", None), str | bytes):
                exc.object = scrub(exc.object)  # type: ignore[attr-defined]
        except (AttributeError, TypeError):  # (a read-only attribute: leave that one)
            pass
        exc = exc.__cause__ or exc.__context__


_CHECKED: set[str] = set()  # keys (as given) already checked and registered for redaction
_MAX_CHECKED = 1024


def _control_or_non_ascii(value: str) -> tuple[int, str] | None:
    for i, ch in enumerate(value):
        if ch < " " or ch == "\x7f":
            return i, "a line break" if ch in "\r\n" else f"a control character (U+{ord(ch):04X})"
        if ord(ch) > 0x7E:
            return i, f"a non-ASCII character (U+{ord(ch):04X})"
    return None


def clean_key(value: Any, *, provider: str, source: str) -> Secret | None:
    """A key as given, stripped of surrounding whitespace; None when nothing is left.

    A key with a control or non-ASCII character inside is refused (InvalidKeyError, which names the
    provider, where the key came from and the position, never the key): no HTTP header can carry it.
    """
    if isinstance(value, Secret):
        value = value.get()
    if value is None:
        return None
    if isinstance(value, str) and value in _CHECKED:  # (every call resolves its key: check each once)
        return Secret(value.strip())
    if not isinstance(value, str):
        from .errors import InvalidKeyError

        raise InvalidKeyError(
            f"the key for {provider} ({source}) must be a string, not {type(value).__name__}",
            provider=provider,
            source=source,
        )
    register_secret(value)  # (as given too: so even the refused form never shows)
    key = value.strip()
    if not key:
        return None
    bad = _control_or_non_ascii(key)
    if bad is not None:
        from .errors import InvalidKeyError

        position, what = bad
        raise InvalidKeyError(
            f"the key for {provider} ({source}) has {what} at position {position + 1} of {len(key)}; "
            "a key is printable ASCII: copy it again from the provider's console",
            provider=provider,
            source=source,
        )
    if len(_CHECKED) < _MAX_CHECKED:
        _CHECKED.add(value)
    return Secret(key)


def resolve_key(
    provider: str,
    env_vars: tuple[str, ...],
    explicit: str | Secret | None,
    *,
    env: Mapping[str, str] | None = None,
) -> Secret | None:
    """The key for a provider: the explicit argument wins, then the first env var that is set."""
    if explicit is not None:
        key = clean_key(explicit, provider=provider, source=f"api_keys[{provider!r}]")
        if key is not None:
            return key
    env = os.environ if env is None else env
    for name in env_vars:
        key = clean_key(env.get(name), provider=provider, source=name)
        if key is not None:
            return key
    return None
