"""Base URLs from arguments, settings and the environment: checked before use, never shown with credentials."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigurationError

__all__ = ["clean_base_url", "safe_url"]


def safe_url(url: str) -> str:
    """A URL fit for a message: scheme, host, port and path only (no user info, query or fragment)."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def clean_base_url(url: str, source: str) -> str:
    """An http(s) base URL with a host and no credentials, without a trailing slash; else ConfigurationError."""
    parts = urlsplit(str(url).strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"{source} must be an http(s) URL with a host, e.g. https://api.example.com/v1"
        )
    if parts.username or parts.password:
        raise ConfigurationError(
            f"{source} must not carry credentials in the URL; pass the key as api_key= instead"
        )
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
