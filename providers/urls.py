"""Base URLs from arguments, settings and the environment: checked before use, never shown with credentials."""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit, urlunsplit

import httpx2

from .errors import ConfigurationError

__all__ = ["clean_base_url", "safe_url"]


_BAD_CHARS = re.compile(r"[\x00-\x20\x7f]")  # control characters and whitespace, anywhere in the URL
_BAD_HOST_CHARS = re.compile(r"[\x00-\x20\x7f<>\"{}|\\^`%/?#@]")


@functools.lru_cache(maxsize=256)  # (every result shows its endpoint: the same few URLs, over and over)
def safe_url(url: str) -> str:
    """A URL fit for a message or a result: scheme, host, port and path only (no user info, query or
    fragment).

    Never raises: a URL that cannot be parsed is shown as '(an unparsable URL)'."""
    try:
        parts = urlsplit(str(url).strip())
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
    except ValueError:
        return "(an unparsable URL)"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def clean_base_url(url: str, source: str) -> str:
    """An http(s) base URL with a host and no credentials, without a trailing slash; else ConfigurationError.

    The message names where the URL came from (`source`) but never shows it: it may hold credentials.
    Each call prepares a request with it, so a URL that passed is remembered (a refused one is not).
    """
    if isinstance(url, str) and isinstance(source, str):
        return _clean_cached(url, source)
    return _clean(url, source)


@functools.lru_cache(maxsize=256)
def _clean_cached(url: str, source: str) -> str:
    return _clean(url, source)


def _clean(url: str, source: str) -> str:
    example = "e.g. https://api.example.com/v1"
    text = str(url).strip()
    if _BAD_CHARS.search(text):
        raise ConfigurationError(
            f"{source} holds spaces or control characters; give a URL such as {example[5:]}"
        )
    try:
        parts = urlsplit(text)
    except ValueError:  # an unclosed IPv6 bracket ("http://[::1"), among others
        raise ConfigurationError(
            f"{source} is not a URL that can be parsed (an unclosed or invalid '[...]' IPv6 address?); {example}"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"{source} must be an http(s) URL with a host, {example}")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0 and parts.netloc.rpartition("]")[2].count(":"):
        raise ConfigurationError(
            f"{source} has a port that is not a number from 1 to 65535, e.g. https://localhost:8080/v1"
        )
    if parts.username or parts.password:
        raise ConfigurationError(
            f"{source} must not carry credentials in the URL; pass the key as api_key= instead"
        )
    if _BAD_HOST_CHARS.search(parts.hostname):
        raise ConfigurationError(f"{source} has a host name with characters a host cannot hold; {example}")
    cleaned = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
    try:
        httpx2.URL(cleaned)
    except (httpx2.InvalidURL, ValueError, TypeError):
        raise ConfigurationError(f"{source} is not a URL the HTTP client accepts; {example}") from None
    return cleaned
