"""Regions and residency: one data-driven model, resolved and enforced before any request is sent."""

from __future__ import annotations

import pytest

from llmkit_nb.choices import providers_for, regions_for
from providers.client import AsyncClient
from providers.errors import ConfigurationError, ResidencyError, UnknownProviderError
from providers.regions import eu_options, known_residencies
from providers.registry import list_provider_specs, provider_spec

MISTRAL = "mistral/mistral-medium-3-5"


def _host(prep: object) -> str:
    from urllib.parse import urlsplit

    return urlsplit(prep.call.url).hostname or ""  # type: ignore[attr-defined]


def test_mistral_eu_from_each_place_a_region_can_come_from() -> None:
    assert _host(AsyncClient(sandbox=True).prepare(MISTRAL, "hi")) == "api.mistral.ai"
    assert (
        _host(AsyncClient(sandbox=True, region={"mistral": "eu"}).prepare(MISTRAL, "hi"))
        == "api.eu.mistral.ai"
    )
    assert (
        _host(AsyncClient(sandbox=True, env={"MISTRAL_REGION": "eu"}).prepare(MISTRAL, "hi"))
        == "api.eu.mistral.ai"
    )
    assert _host(AsyncClient(sandbox=True).prepare(MISTRAL, "hi", region="eu")) == "api.eu.mistral.ai"
    # the call beats the kit, the kit beats the environment
    client = AsyncClient(sandbox=True, region={"mistral": "eu"}, env={"MISTRAL_REGION": "global"})
    assert _host(client.prepare(MISTRAL, "hi")) == "api.eu.mistral.ai"
    assert _host(client.prepare(MISTRAL, "hi", region="global")) == "api.mistral.ai"


def test_a_real_client_uses_the_regional_host_too() -> None:
    client = AsyncClient(api_keys={"mistral": "k-123456"}, region={"mistral": "eu"}, env={})
    assert client.prepare(MISTRAL, "hi").call.url == "https://api.eu.mistral.ai/v1/chat/completions"


def test_announced_region_refuses_with_the_live_ones_and_a_way_around() -> None:
    with pytest.raises(ConfigurationError, match="announced but not live") as info:
        AsyncClient(region={"mistral": "us"})
    assert "global, eu" in str(info.value) and "base_urls=" in str(info.value)
    with pytest.raises(ConfigurationError, match="announced"):
        AsyncClient(sandbox=True, env={"MISTRAL_REGION": "US"}).prepare(MISTRAL, "hi")


def test_bad_region_names_list_what_exists() -> None:
    with pytest.raises(ConfigurationError, match=r"unknown region 'mars'.*global, eu, us \(announced\)"):
        AsyncClient(region={"mistral": "mars"})
    with pytest.raises(ConfigurationError, match=r"mistral has no region 'jp'.*it has: global, eu"):
        AsyncClient(region={"mistral": "jp"})  # jp exists elsewhere (OpenAI), not at Mistral
    with pytest.raises(
        ConfigurationError, match=r"deepseek has no regions: one endpoint.*providers with regions: .*mistral"
    ):
        AsyncClient(sandbox=True).prepare("deepseek/deepseek-v4-flash", "hi", region="eu")
    with pytest.raises(UnknownProviderError, match="known providers"):
        AsyncClient(region={"mistrall": "eu"})
    with pytest.raises(ConfigurationError, match=r"region=\{'mistral': 'eu'\}.*residency='eu'"):
        AsyncClient(region="eu")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=r"residency=.mars.*use one of: .*eu"):
        AsyncClient(residency="mars")


def test_residency_refuses_before_sending_and_names_the_eu_options() -> None:
    client = AsyncClient(sandbox=True, residency="eu")
    with pytest.raises(ResidencyError) as info:
        client.prepare(MISTRAL, "hi")
    message = str(info.value)
    assert "api.mistral.ai" in message and "region={'mistral': 'eu'}" in message
    assert "openai (eu)" in message and "vertex (eu, " in message
    assert info.value.options[0].startswith("mistral region 'eu'")
    prep = client.prepare(MISTRAL, "hi", region="eu")
    assert _host(prep) == "api.eu.mistral.ai"
    assert any("residency='eu'" in n for n in prep.notes)


def test_anthropic_has_no_eu_host_but_a_geo_parameter() -> None:
    with pytest.raises(ResidencyError, match="inference_geo") as info:
        AsyncClient(sandbox=True, residency="eu").prepare("anthropic/claude-sonnet-5-5", "hi")
    assert "mistral (eu)" in str(info.value)
    prep = AsyncClient(sandbox=True, region={"anthropic": "us"}).prepare("anthropic/claude-sonnet-5-5", "hi")
    assert prep.call.json_body["inference_geo"] == "us" and _host(prep) == "api.anthropic.com"
    assert prep.call.sent["inference_geo"] == "us"
    # the caller's own parameter wins over the region's
    prep = AsyncClient(sandbox=True, region={"anthropic": "us"}).prepare(
        "anthropic/claude-sonnet-5-5", "hi", inference_geo="global"
    )
    assert prep.call.json_body["inference_geo"] == "global"
    assert AsyncClient(sandbox=True, residency="us").prepare("anthropic/claude-sonnet-5-5", "hi", region="us")


def test_vertex_region_is_its_location_setting() -> None:
    client = AsyncClient(sandbox=True, residency="eu")
    with pytest.raises(ResidencyError, match=r"aiplatform\.googleapis\.com"):
        client.prepare("vertex/gemini-3.8-flash", "hi")
    prep = client.prepare("vertex/gemini-3.8-flash", "hi", region="europe-west4")
    assert _host(prep) == "europe-west4-aiplatform.googleapis.com"
    assert "/locations/europe-west4/" in prep.call.url
    with pytest.raises(ResidencyError, match=r"London|.uk."):
        client.prepare("vertex/gemini-3.8-flash", "hi", region="europe-west2")  # London: not the EU
    # a location the catalog does not list still works without a policy (the connector checks its form)
    assert (
        "/locations/asia-south1/"
        in AsyncClient(sandbox=True).prepare("vertex/gemini-3.8-flash", "hi", region="asia-south1").call.url
    )
    with pytest.raises(ConfigurationError, match="disagree"):
        AsyncClient(sandbox=True, settings={"vertex": {"location": "us-central1"}}).prepare(
            "vertex/gemini-3.8-flash", "hi", region="eu"
        )


def test_custom_base_url_counts_only_when_it_is_a_catalog_host() -> None:
    env = {"MISTRAL_BASE_URL": "https://api.eu.mistral.ai/v1", "MISTRAL_API_KEY": "k-123456"}
    assert AsyncClient(residency="eu", env=env).prepare(MISTRAL, "hi")
    env["MISTRAL_BASE_URL"] = "https://proxy.example.com/v1"
    with pytest.raises(ResidencyError, match="custom base URL"):
        AsyncClient(residency="eu", env=env).prepare(MISTRAL, "hi")


def test_every_region_is_well_formed_and_sourced() -> None:
    for spec in list_provider_specs():
        for name, region in spec.regions.items():
            assert name == name.lower() and region.source, (spec.name, name)
            assert region.base_url or region.params or spec.region_setting, (spec.name, name)
        if spec.default_region:
            assert spec.regions[spec.default_region].status == "live"
    assert {"eu", "us"} <= set(known_residencies())
    assert any(o.startswith("mistral region 'eu'") for o in eu_options())


def test_picker_choices_follow_the_region_data() -> None:
    assert regions_for("mistral") == ["global", "eu"]  # 'us' is only announced: not offered
    assert regions_for("mistral", residency="eu") == ["eu"]
    assert "europe-west4" in regions_for("vertex", residency="eu")
    assert "europe-west2" not in regions_for("vertex", residency="eu")
    eu = providers_for(residency="eu")
    assert {"mistral", "openai", "vertex"} <= set(eu) and "anthropic" not in eu
    assert provider_spec("mistral").regions["eu"].host == "api.eu.mistral.ai"
