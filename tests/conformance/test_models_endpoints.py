"""The official SDKs list models from the sandbox server: its models endpoints have each provider's real shape.

`python -m providers.catalog check` reads these endpoints; the SDKs' own `models.list()` (with their
paging) must parse what the sandbox sends, and see the same ids the catalog gives.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from providers.registry import list_models
from providers.sandbox import SandboxApp
from tests.loopback import Served, serve

openai = pytest.importorskip("openai")
anthropic = pytest.importorskip("anthropic")
mistralai = pytest.importorskip("mistralai.client")
genai = pytest.importorskip("google.genai")
elevenlabs = pytest.importorskip("elevenlabs")

pytestmark = pytest.mark.conformance


@pytest.fixture(autouse=True)
def _catalog_day(monkeypatch: pytest.MonkeyPatch) -> None:
    # the facts below (Opus 4.5 deprecated, Medium 3.5's retirement date) hold on the catalog's date
    monkeypatch.setenv("LLMKIT_TODAY", "2026-12-04")


@pytest.fixture(scope="module")
def server() -> Iterator[Served]:
    with serve(SandboxApp()) as served:
        yield served


def catalog_ids(provider: str) -> set[str]:
    return {m.id for m in list_models(provider) if m.status != "restricted"}


@pytest.mark.parametrize(
    ("provider", "path"), [("openai", "openai/v1"), ("xai", "xai/v1"), ("deepseek", "deepseek")]
)
def test_openai_sdk_lists_the_catalog(server: Served, provider: str, path: str) -> None:
    client = openai.OpenAI(base_url=f"{server.base}/{path}", api_key="sk-test-123456", max_retries=0)
    models = list(client.models.list())
    assert {m.id for m in models} == catalog_ids(provider)
    assert all(m.object == "model" and m.owned_by == provider and m.created > 0 for m in models)


def test_anthropic_sdk_pages_through_the_list(server: Served) -> None:
    client = anthropic.Anthropic(
        base_url=f"{server.base}/anthropic", api_key="sk-ant-test-123456", max_retries=0
    )
    page = client.models.list(limit=3)
    assert len(page.data) == 3 and page.has_more
    ids = [m.id for m in client.models.list(limit=3)]  # the SDK's auto-paging follows after_id
    assert set(ids) == catalog_ids("anthropic") and len(ids) == len(set(ids))
    infos = {m.id: m for m in client.models.list(limit=100)}
    assert infos["claude-opus-4-5"].lifecycle == "deprecated"
    assert (
        infos["claude-opus-4-5"].retires_at is not None and infos["claude-opus-4-5"].retires_at.year == 2027
    )


def test_genai_sdk_lists_gemini_models(server: Served) -> None:
    client = genai.Client(
        api_key="AIza-test-123456", http_options=genai.types.HttpOptions(base_url=f"{server.base}/gemini")
    )
    try:
        models = list(client.models.list(config={"page_size": 4}))  # several pages of 4
    finally:
        client.close()
    assert {m.name.removeprefix("models/") for m in models} == catalog_ids("gemini")
    assert all("generateContent" in (m.supported_actions or []) for m in models)


def test_mistral_sdk_lists_model_cards(server: Served) -> None:
    with mistralai.Mistral(api_key="m-test-123456", server_url=f"{server.base}/mistral") as client:
        cards = client.models.list().data or []
    by_id = {c.id: c for c in cards}
    assert set(by_id) == catalog_ids("mistral")
    medium = by_id["mistral-medium-3-5"]
    assert medium.capabilities.completion_chat and "mistral-medium-latest" in (medium.aliases or [])
    assert medium.deprecation is not None and medium.deprecation.date().isoformat() == "2027-04-30"


def test_elevenlabs_sdk_lists_the_speech_models(server: Served) -> None:
    client = elevenlabs.ElevenLabs(api_key="el-test-123456", base_url=f"{server.base}/elevenlabs")
    ids = {m.model_id for m in client.models.list()}
    assert ids == {i for i in catalog_ids("elevenlabs") if i.startswith("eleven_")}
    assert "eleven_v4" in ids and "eleven_monolingual_v1" not in ids
