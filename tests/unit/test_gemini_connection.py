"""Gemini API and Vertex AI connections: keys, settings, hosts, auth modes, ADC -- all before any request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from providers import google_auth
from providers.client import AsyncClient
from providers.errors import ConfigurationError, MissingKeyError, UnknownProviderError
from tests.conftest import CANARY

Q = "Why is the sky blue?"
ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}


def call(model: str, *, env: dict[str, str] | None = None, **client: Any) -> Any:
    return AsyncClient(env=env or {}, **client).prepare(model, Q).call


def test_gemini_key_from_gemini_api_key_then_google_api_key() -> None:
    assert (
        call("gemini/gemini-3.8-flash", env={"GEMINI_API_KEY": "g1", "GOOGLE_API_KEY": "g2"}).headers[
            "x-goog-api-key"
        ]
        == "g1"
    )
    assert call("gemini/gemini-3.8-flash", env={"GOOGLE_API_KEY": "g2"}).headers["x-goog-api-key"] == "g2"
    with pytest.raises(MissingKeyError, match="GEMINI_API_KEY or GOOGLE_API_KEY"):
        call("gemini/gemini-3.8-flash")


def test_gemini_api_version_from_the_sdk_env_var_or_settings() -> None:
    env = {"GEMINI_API_KEY": "k", "GOOGLE_GENAI_API_VERSION": "beta"}
    assert "/v1beta/models/" in call("gemini/gemini-3.8-flash", env=env).url
    url = call("gemini/gemini-3.8-flash", env=env, settings={"gemini": {"api_version": "v1"}}).url
    assert "/v1/models/" in url


@pytest.mark.parametrize(
    ("location", "host"),
    [
        ("global", "https://aiplatform.googleapis.com"),
        ("us-central1", "https://us-central1-aiplatform.googleapis.com"),
        ("europe-west4", "https://europe-west4-aiplatform.googleapis.com"),
        # the multi-regions: NOT eu-aiplatform.googleapis.com (a host that does not exist)
        ("eu", "https://aiplatform.eu.rep.googleapis.com"),
        ("us", "https://aiplatform.us.rep.googleapis.com"),
    ],
)
def test_vertex_hosts(location: str, host: str) -> None:
    c = call(
        "vertex/gemini-3.8-flash",
        api_keys={"vertex": "ya29.token"},
        settings={"vertex": {"project": "my-proj", "location": location}},
    )
    assert c.url == (
        f"{host}/v1beta1/projects/my-proj/locations/{location}/publishers/google/models/gemini-3.8-flash:generateContent"
    )
    assert c.headers["authorization"] == "Bearer ya29.token" and "x-goog-api-key" not in c.headers


def test_vertex_from_the_environment_with_the_default_location() -> None:
    env = {"GOOGLE_CLOUD_PROJECT": "envproj", "GOOGLE_OAUTH_ACCESS_TOKEN": "ya29.env"}
    c = call("vertex/gemini-3.8-flash", env=env)
    assert c.url.startswith("https://aiplatform.googleapis.com/v1beta1/projects/envproj/locations/global/")
    assert c.headers["authorization"] == "Bearer ya29.env"
    env["GOOGLE_CLOUD_LOCATION"] = "asia-northeast1"
    assert call("vertex/gemini-3.8-flash", env=env).url.startswith(
        "https://asia-northeast1-aiplatform.googleapis.com/v1beta1/projects/envproj/locations/asia-northeast1/"
    )


def test_vertex_without_a_project_names_the_env_vars_and_arguments() -> None:
    with pytest.raises(ConfigurationError) as info:
        call("vertex/gemini-3.8-flash", api_keys={"vertex": "ya29.t"})
    message = str(info.value)
    for needle in ("GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_LOCATION", "settings={'vertex'", "GOOGLE_API_KEY"):
        assert needle in message


def test_vertex_bad_location_names_where_it_came_from() -> None:
    env = {
        "GOOGLE_CLOUD_PROJECT": "p",
        "GOOGLE_CLOUD_LOCATION": "europe west/4",
        "GOOGLE_OAUTH_ACCESS_TOKEN": "t",
    }
    with pytest.raises(ConfigurationError, match=r"from GOOGLE_CLOUD_LOCATION\) is not a Vertex location"):
        call("vertex/gemini-3.8-flash", env=env)


def test_vertex_express_mode() -> None:
    c = call("vertex/gemini-3.8-flash", settings={"vertex": {"api_key": "AIza-express"}})
    assert c.url == (
        "https://aiplatform.googleapis.com/v1beta1/publishers/google/models/gemini-3.8-flash:generateContent"
    )
    assert c.headers["x-goog-api-key"] == "AIza-express" and "authorization" not in c.headers
    # an explicit key beats a project from the environment (as google-genai decides)
    c = call(
        "vertex/gemini-3.8-flash", env={"GOOGLE_CLOUD_PROJECT": "p"}, settings={"vertex": {"api_key": "k"}}
    )
    assert "/projects/" not in c.url
    # a key from the environment is express mode only without a project
    assert "/projects/" not in call("vertex/gemini-3.8-flash", env={"GOOGLE_API_KEY": "k"}).url
    env = {"GOOGLE_API_KEY": "k", "GOOGLE_CLOUD_PROJECT": "p", "GOOGLE_OAUTH_ACCESS_TOKEN": "t"}
    assert "/projects/p/" in call("vertex/gemini-3.8-flash", env=env).url
    with pytest.raises(ConfigurationError, match="not both"):
        call("vertex/gemini-3.8-flash", settings={"vertex": {"api_key": "k", "project": "p"}})
    with pytest.raises(ConfigurationError, match="only has the global endpoint"):
        call("vertex/gemini-3.8-flash", settings={"vertex": {"api_key": "k", "location": "europe-west4"}})


def test_vertex_base_url_override_keeps_the_path() -> None:
    c = call(
        "vertex/gemini-3.8-flash",
        api_keys={"vertex": "t"},
        base_urls={"vertex": "http://127.0.0.1:9/vertex"},
        settings={"vertex": {"project": "p", "location": "eu"}},
    )
    assert c.url.startswith("http://127.0.0.1:9/vertex/v1beta1/projects/p/locations/eu/publishers/google/")


def test_vertex_without_a_token_or_google_auth_names_every_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(google_auth, "available", lambda: False)
    with pytest.raises(MissingKeyError) as info:
        call("vertex/gemini-3.8-flash", settings={"vertex": {"project": "p"}})
    message = str(info.value)
    for needle in ("api_keys={'vertex'", "GOOGLE_OAUTH_ACCESS_TOKEN", "llmkit-nb[vertex]", "sandbox=True"):
        assert needle in message


def test_settings_are_checked_when_the_client_is_made() -> None:
    with pytest.raises(UnknownProviderError):
        AsyncClient(settings={"vertx": {"project": "p"}})
    with pytest.raises(
        ConfigurationError, match="no setting 'region'; its settings: api_key, api_version, location"
    ):
        AsyncClient(settings={"vertex": {"region": "eu"}})


def test_the_express_key_is_a_secret() -> None:
    prep = AsyncClient(env={}, settings={"vertex": {"api_key": "AIza-very-secret"}}).prepare(
        "vertex/gemini-3.8-flash", Q
    )
    assert prep.conn is not None
    assert "AIza-very-secret" not in repr(prep.conn) + repr(prep.conn.settings) + repr(prep.call)


def test_sandbox_vertex_needs_no_project() -> None:
    c = AsyncClient(sandbox=True, env={}).prepare("vertex/gemini-3.8-flash", Q).call
    assert "/projects/llmkit-sandbox/locations/global/" in c.url


# --- application-default credentials ---------------------------------------------------------------


class FakeCredentials:
    """Stands in for google.auth credentials: refresh() mints a token; `valid` until invalidated."""

    refreshes = 0

    def __init__(self) -> None:
        self.token: str | None = None
        self.valid = False
        self.quota_project_id = "billing-proj"

    def refresh(self, request: Any) -> None:
        FakeCredentials.refreshes += 1
        self.token = f"ya29.adc-{FakeCredentials.refreshes}-{CANARY}"
        self.valid = True


@pytest.fixture
def fake_adc(monkeypatch: pytest.MonkeyPatch) -> FakeCredentials:
    import google.auth
    import google.auth.transport.requests

    creds = FakeCredentials()
    FakeCredentials.refreshes = 0
    monkeypatch.setattr(google.auth, "default", lambda scopes=None: (creds, None))
    return creds


async def test_adc_token_is_fetched_once_just_before_sending(fake_adc: FakeCredentials) -> None:
    client = AsyncClient(env={}, settings={"vertex": {"project": "p"}})
    prep = client.prepare("vertex/gemini-3.8-flash", Q)
    assert prep.conn is not None and prep.conn.auth == "google-adc"
    assert "authorization" not in prep.call.headers  # prepare does no I/O
    call = await client._authorize(prep)
    assert call.headers["authorization"].startswith("Bearer ya29.adc-1-")
    assert call.headers["x-goog-user-project"] == "billing-proj"
    await client._authorize(prep)
    assert FakeCredentials.refreshes == 1  # reused while valid
    fake_adc.valid = False
    assert (await client._authorize(prep)).headers["authorization"].startswith("Bearer ya29.adc-2-")


async def test_adc_missing_credentials_name_the_fixes(monkeypatch: pytest.MonkeyPatch) -> None:
    import google.auth
    import google.auth.exceptions

    def no_adc(scopes: Any = None) -> Any:
        raise google.auth.exceptions.DefaultCredentialsError("no ADC")

    monkeypatch.setattr(google.auth, "default", no_adc)
    client = AsyncClient(env={}, settings={"vertex": {"project": "p"}})
    prep = client.prepare("vertex/gemini-3.8-flash", Q)
    with pytest.raises(MissingKeyError, match="gcloud auth application-default login"):
        await client._authorize(prep)


def test_google_auth_is_imported_only_when_adc_is_used() -> None:
    code = (
        "import sys\n"
        "from providers.client import AsyncClient\n"
        "c = AsyncClient(env={}, api_keys={'vertex': 't'}, settings={'vertex': {'project': 'p'}})\n"
        "c.prepare('vertex/gemini-3.8-flash', 'hi')\n"
        "c = AsyncClient(env={}, settings={'vertex': {'project': 'p'}})\n"
        "assert c.prepare('vertex/gemini-3.8-flash', 'hi').conn.auth == 'google-adc'\n"
        "print(sorted(m for m in sys.modules if m.startswith('google.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=ENV)
    assert out.stdout.strip() == "[]", out.stdout
