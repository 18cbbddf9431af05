"""Every refusal for missing set-up (a key, a project, an endpoint, a server) offers the sandbox as well.

`LLMKit()` stays strict: without keys it talks to no emulator behind the user's back. Instead each error
that stops a real call for want of set-up names the fix and the way to try the call offline.
"""

from __future__ import annotations

import pytest

from llmkit_nb import LLMKit
from providers.errors import ConfigurationError, LLMKitError, MissingKeyError
from providers.registry import list_models, list_provider_specs

OFFLINE = "sandbox=True"
LOCAL = ("localhost", "127.0.0.1", "[::1]")


def chat_providers() -> list[tuple[str, str]]:
    out = []
    for spec in list_provider_specs():
        if "chat" not in spec.modalities or any(host in spec.base_url for host in LOCAL):
            continue  # a local server needs no set-up: it is called (and refused by the network guard)
        models = [m.id for m in list_models(spec.name) if m.status in ("current", "preview")]
        out.append((spec.name, models[0] if models else "some-model"))
    return out


def refusal(kit: LLMKit, model: str) -> LLMKitError | None:
    try:
        kit.chat(model, "hi")
    except LLMKitError as exc:
        return exc
    except Exception:
        return None  # e.g. the network guard: not a set-up refusal
    return None


@pytest.mark.parametrize(("provider", "model"), chat_providers(), ids=lambda v: v)
def test_a_missing_set_up_names_the_sandbox(provider: str, model: str) -> None:
    with LLMKit(env={}) as kit:
        exc = refusal(kit, f"{provider}/{model}")
    if isinstance(exc, MissingKeyError) or (
        isinstance(exc, ConfigurationError) and ("needs" in exc.message or "no hosted API" in exc.message)
    ):
        assert OFFLINE in exc.message, exc.message


def test_the_cases_the_issue_named(monkeypatch: pytest.MonkeyPatch) -> None:
    google_auth = pytest.importorskip("google.auth")
    import google.auth.exceptions

    def no_credentials(*args: object, **kwargs: object) -> None:  # as on a machine without a gcloud login
        raise google.auth.exceptions.DefaultCredentialsError("Your default credentials were not found.")

    monkeypatch.setattr(google_auth, "default", no_credentials)
    with LLMKit(env={}) as kit:
        azure = refusal(kit, "azure/my-deployment")
        vertex = refusal(kit, "vertex/gemini-3.8-flash")
    with LLMKit(env={}, settings={"vertex": {"project": "my-project"}}) as kit:
        vertex_token = refusal(kit, "vertex/gemini-3.8-flash")  # a project, but no token or credentials
    for exc in (azure, vertex, vertex_token):
        assert isinstance(exc, ConfigurationError) and OFFLINE in exc.message, exc
    assert isinstance(vertex_token, MissingKeyError)


def test_llmkit_without_keys_stays_strict() -> None:
    kit = LLMKit(env={})
    assert kit.sandbox is False
    exc = refusal(kit, "openai/gpt-6.1-terra")
    assert isinstance(exc, MissingKeyError) and "OPENAI_API_KEY" in exc.message and OFFLINE in exc.message
    kit.close()
