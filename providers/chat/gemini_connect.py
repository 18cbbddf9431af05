"""Vertex AI's connection: project, location, host and auth mode, decided before anything is sent.

Facts (google-genai 3.6.1 `_api_client.py` L1195-1340, `load_auth`; wire/chat.md section 3.1):

* host: `global` -> `aiplatform.googleapis.com`; the multi-regions `us` / `eu` ->
  `aiplatform.{us|eu}.rep.googleapis.com` (`_MULTI_REGIONAL_LOCATIONS`); any other location ->
  `{location}-aiplatform.googleapis.com`. (LiteLLM builds `eu-aiplatform.googleapis.com` for `eu`,
  a host that does not exist.)
* path: `/{version}/projects/{project}/locations/{location}/publishers/google/models/{model}:...`;
  version `v1beta1` like the SDK (`GOOGLE_GENAI_API_VERSION`, or settings api_version, overrides).
* express mode (an API key, no project): `https://aiplatform.googleapis.com/v1beta1/publishers/google/
  models/{model}:...` with `x-goog-api-key`.

Where each value comes from (AsyncClient(settings={"vertex": {...}}) beats the environment):

* project: `project` or GOOGLE_CLOUD_PROJECT. location: `location` or GOOGLE_CLOUD_LOCATION, else
  `global` (the SDK's default). Unlike the SDK, the project is never taken from the ADC credentials:
  that can mean a metadata-server call, and a missing project is better named before sending.
* token (standard mode): `api_keys={"vertex": <access token>}`, else GOOGLE_OAUTH_ACCESS_TOKEN (the name
  Google's Terraform provider reads; e.g. `export GOOGLE_OAUTH_ACCESS_TOKEN=$(gcloud auth
  print-access-token)`), else application-default credentials through google-auth when the
  `llmkit-nb[vertex]` extra is installed (fetched by the client just before sending, see
  providers/google_auth.py).
* express key: `api_key` or GOOGLE_API_KEY (the SDK also falls back to GEMINI_API_KEY; we do not, so an
  AI Studio key is never sent to Vertex by accident).
* mode, as the SDK decides it: an explicit api_key without an explicit project is express mode; otherwise
  a project (argument or env) means standard mode, and an env key without any project means express.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ..credentials import Secret
from ..errors import ConfigurationError, MissingKeyError
from ..registry import ProviderSpec
from .base import Connection

__all__ = ["MULTI_REGIONS", "vertex_connection", "vertex_host"]

GLOBAL_HOST = "https://aiplatform.googleapis.com"
MULTI_REGIONS = frozenset({"us", "eu"})
SANDBOX_PROJECT = "llmkit-sandbox"
_LOCATION = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_PROJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.:_-]*$")  # lenient: only what would break the path
_HOW = (
    "pass settings={'vertex': {'project': 'my-project', 'location': 'us-central1'}} "
    "(LLMKit(settings=...) or AsyncClient(settings=...)) or set GOOGLE_CLOUD_PROJECT and "
    "GOOGLE_CLOUD_LOCATION (location defaults to 'global'); for express mode pass "
    "settings={'vertex': {'api_key': ...}} or set GOOGLE_API_KEY (or use sandbox=True to try it offline)"
)


def vertex_host(location: str) -> str:
    """The Vertex AI base URL for a location: global, multi-region (us/eu) or regional."""
    if location == "global":
        return GLOBAL_HOST
    if location in MULTI_REGIONS:
        return f"https://aiplatform.{location}.rep.googleapis.com"
    return f"https://{location}-aiplatform.googleapis.com"


def _where(conn: Connection, name: str) -> str:
    source = conn.setting_sources.get(name, "argument")
    return f"settings['vertex'][{name!r}]" if source == "argument" else source


def _express(conn: Connection, spec: ProviderSpec, api_key: Any) -> Connection:
    if conn.setting_sources.get("location") == "argument" and conn.settings.get("location") != "global":
        raise ConfigurationError(
            "Vertex express mode (an API key) only has the global endpoint; drop the location, "
            "or pass a project and an access token for a regional endpoint"
        )
    key = api_key if isinstance(api_key, Secret) else Secret(str(api_key))
    base = conn.base_url if conn.base_url != spec.base_url else GLOBAL_HOST
    settings = {**conn.settings, "resource": "publishers/google/models", "mode": "express"}
    return dataclasses.replace(conn, base_url=base, key=key, auth="x-goog-api-key", settings=settings)


def vertex_connection(conn: Connection, spec: ProviderSpec, *, sandbox: bool = False) -> Connection:
    """Finish a Vertex connection from its settings, or refuse it naming the env vars and arguments."""
    settings, sources = conn.settings, conn.setting_sources
    project, api_key = settings.get("project"), settings.get("api_key")
    explicit_key = api_key is not None and sources.get("api_key") == "argument"
    explicit_project = project is not None and sources.get("project") == "argument"
    if explicit_key and explicit_project:
        raise ConfigurationError(
            "give Vertex either a project (with an access token) or an express-mode api_key, not both"
        )
    if api_key is not None and (explicit_key or project is None):
        return _express(conn, spec, api_key)
    if project is None:
        if not sandbox:
            raise ConfigurationError(f"Vertex AI needs a Google Cloud project: {_HOW}", provider=spec.name)
        project = SANDBOX_PROJECT
    project = str(project).strip()
    location = str(settings.get("location") or "global").strip().lower()
    if not _PROJECT.match(project):
        raise ConfigurationError(
            f"{project!r} (from {_where(conn, 'project')}) is not a Google Cloud project id, e.g. 'my-project-123'"
        )
    if not _LOCATION.match(location):
        raise ConfigurationError(
            f"{location!r} (from {_where(conn, 'location')}) is not a Vertex location; use e.g. 'global', "
            "'us-central1', 'europe-west4', or the multi-regions 'eu' / 'us'"
        )
    auth = "bearer"
    if conn.key is None:
        from ..google_auth import INSTALL_HINT, TOKEN_ENV, available

        if not available():
            raise MissingKeyError(
                f"no access token for vertex: pass api_keys={{'vertex': <token>}}, set {TOKEN_ENV} "
                f"(e.g. $(gcloud auth print-access-token)), or `{INSTALL_HINT}` to use application-default "
                "credentials (or use sandbox=True to try it offline)",
                provider=spec.name,
                env_var=TOKEN_ENV,
            )
        auth = "google-adc"  # the client fetches the token just before sending
    base = conn.base_url if conn.base_url != spec.base_url else vertex_host(location)
    resource = f"projects/{project}/locations/{location}/publishers/google/models"
    settings = {
        **settings,
        "project": project,
        "location": location,
        "resource": resource,
        "mode": "standard",
    }
    return dataclasses.replace(conn, base_url=base, auth=auth, settings=settings)
