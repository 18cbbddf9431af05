"""Every chat provider in the catalog, end to end through the sandbox over the real request path.

Each call goes through LLMKit -> AsyncClient.prepare (catalog, codec, connection, region) -> transport ->
the sandbox reached by the provider's real host name -> back through the codec's parser and stream decoder.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from llmkit_nb import LLMKit
from providers.registry import ProviderSpec, list_models, list_provider_specs

PROMPT = "Olá! Quanto é 2+2? Explique em português, com acentos: ação, coração, pão 🍞"
OPT_IN = [s.name for s in list_provider_specs() if s.status == "opt-in"]


def _chat_providers() -> list[ProviderSpec]:
    return [s for s in list_provider_specs() if "chat" in s.modalities and s.status != "unavailable"]


def _model(spec: ProviderSpec) -> str:
    if spec.example_model:
        return spec.example_model
    served = sorted(list_models(spec.name), key=lambda m: (m.status != "current", m.thinking.always_on))
    # a self-hosted server serves whatever name it was started with
    return served[0].id if served else "served-model"


@pytest.fixture(scope="module")
def kit() -> Iterator[LLMKit]:
    k = LLMKit(sandbox=True, opt_in=OPT_IN)
    yield k
    k.close()


@pytest.mark.parametrize("spec", _chat_providers(), ids=lambda s: s.name)
def test_every_chat_provider_round_trips_through_the_sandbox(kit: LLMKit, spec: ProviderSpec) -> None:
    app = kit.client.sandbox_app
    app.reset()
    model = f"{spec.name}/{_model(spec)}"
    whole = kit.chat(model, PROMPT)
    assert PROMPT in whole.text and whole.sandbox and whole.provider == spec.name
    streamed = kit.chat(model, PROMPT, stream=True)
    assert streamed.text == whole.text and not streamed.incomplete
    # the sandbox answered on the provider's own host and path, as the real API would be called
    expected = urlsplit(kit.client.connection(spec).base_url)
    endpoint = urlsplit(whole.endpoint)
    assert (endpoint.hostname, endpoint.port) == (expected.hostname, expected.port)
    assert endpoint.path.startswith(expected.path.replace("{model}", ""))
    first = app.requests[0]
    assert first.headers["host"].split(":")[0] == expected.hostname
    assert first.path == endpoint.path
    sent_auth = {
        k
        for k in first.headers
        if k in ("authorization", "api-key", "x-api-key", "api-subscription-key", "x-goog-api-key")
    }
    assert sent_auth, f"{spec.name}: no credential header was sent"
    assert whole.usage.output_tokens
    if spec.codec.startswith("providers.chat.compat:") and not spec.wire.get("stream_usage", True):
        return  # the catalog does not ask this vendor for a usage chunk when streaming
    assert streamed.usage.output_tokens == whole.usage.output_tokens


def test_the_catalog_is_broad_and_every_entry_is_sourced() -> None:
    from providers.registry import list_providers

    providers = list_providers()
    assert len(providers) >= 70  # across all modalities (chat, speech, video)
    chat = _chat_providers()
    assert len(chat) >= 55
    for spec in list_provider_specs():
        assert spec.sources and spec.docs.startswith("https://"), spec.name
        if spec.codec == "providers.chat.compat:OpenAICompatible":
            assert spec.confidence in ("high", "medium", "low"), spec.name
            assert spec.example_model, spec.name
