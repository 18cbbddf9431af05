"""docs/regions.md matches the catalog: regenerate with `python -m providers.docs`."""

from __future__ import annotations

from pathlib import Path

from providers.docs_regions import regions_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_regions_doc_is_current() -> None:
    assert (DOCS / "regions.md").read_text(encoding="utf-8") == regions_markdown(), (
        "run python -m providers.docs"
    )


def test_regions_doc_names_hosts_residency_and_sources() -> None:
    text = regions_markdown()
    assert "| `eu` (EU) | `api.eu.mistral.ai` | eu | live |" in text
    assert "| `us` (US) | `api.us.mistral.ai` | us | announced |" in text
    assert "`inference_geo: 'us'` (request parameter)" in text  # Anthropic: a parameter, not a host
    assert "docs.mistral.ai/studio-api/regional-inference" in text
    assert "`maritaca/sabia-4-br-sp` (br)" in text
    assert "| `groq` | `api.groq.com` |" in text  # providers without regions are listed too
