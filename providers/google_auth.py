"""Google application-default credentials (ADC) for Vertex AI: the one place that does auth I/O.

Used only when a Vertex call has no access token (no `api_keys={"vertex": ...}`, no
GOOGLE_OAUTH_ACCESS_TOKEN) and is not in express mode. google-auth is an optional extra
(`pip install llmkit-nb[vertex]`), imported on first use; `google.auth.default()` reads
GOOGLE_APPLICATION_CREDENTIALS, the gcloud user credentials or the metadata server, with the scope
the google-genai SDK asks for (`_api_client.py` `load_auth`). Fetching and refreshing the token
blocks, so it runs in a worker thread; the token is kept until it expires.
"""

from __future__ import annotations

import asyncio
import importlib.util
from typing import Any

from .credentials import register_secret
from .errors import AuthenticationError, MissingKeyError

__all__ = ["SCOPE", "TOKEN_ENV", "ApplicationDefaultCredentials", "available"]

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
TOKEN_ENV = "GOOGLE_OAUTH_ACCESS_TOKEN"
INSTALL_HINT = "pip install 'llmkit-nb[vertex]'"


def available() -> bool:
    """Whether google-auth is installed (checked without importing it)."""
    try:
        return importlib.util.find_spec("google.auth") is not None
    except (ImportError, ValueError):
        return False


class ApplicationDefaultCredentials:
    """Bearer headers from ADC; one instance per client, so the token is reused until it expires."""

    def __init__(self) -> None:
        self._credentials: Any = None

    async def headers(self, *, provider: str) -> dict[str, str]:
        """`Authorization: Bearer <token>` (+ `x-goog-user-project` when the credentials name one)."""
        credentials = self._credentials
        if credentials is None or not credentials.valid:
            credentials = await asyncio.to_thread(self._refresh, provider)
        token = str(credentials.token)
        register_secret(token)  # so no error message or display can ever show it
        headers = {"authorization": f"Bearer {token}"}
        quota_project = getattr(credentials, "quota_project_id", None)
        if quota_project:
            headers["x-goog-user-project"] = str(quota_project)
        return headers

    def _refresh(self, provider: str) -> Any:
        import google.auth
        import google.auth.exceptions

        try:
            from google.auth.transport.requests import Request
        except ImportError as exc:  # google-auth without its `requests` transport
            raise MissingKeyError(
                f"application-default credentials for {provider} need google-auth's requests transport: "
                f"`{INSTALL_HINT}`, or pass api_keys={{'{provider}': <access token>}} or set {TOKEN_ENV} "
                "(or use sandbox=True to try it offline)",
                provider=provider,
                env_var=TOKEN_ENV,
            ) from exc
        try:
            credentials = self._credentials
            if credentials is None:
                credentials, _project = google.auth.default(scopes=[SCOPE])
            credentials.refresh(Request())
        except google.auth.exceptions.DefaultCredentialsError as exc:
            raise MissingKeyError(
                f"no Google credentials for {provider}: run `gcloud auth application-default login`, "
                f"set GOOGLE_APPLICATION_CREDENTIALS, pass api_keys={{'{provider}': <access token>}} "
                f"or set {TOKEN_ENV} (or use sandbox=True to try it offline)",
                provider=provider,
                env_var=TOKEN_ENV,
            ) from exc
        except google.auth.exceptions.GoogleAuthError as exc:
            raise AuthenticationError(
                f"Google credentials for {provider} could not be refreshed: {exc}", provider=provider
            ) from exc
        self._credentials = credentials
        return credentials
