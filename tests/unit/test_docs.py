"""Generated docs match the code: regenerate with `python -m providers.docs`."""

from __future__ import annotations

from pathlib import Path

from providers.docs import providers_markdown, thinking_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_thinking_doc_is_current() -> None:
    assert (DOCS / "thinking.md").read_text(encoding="utf-8") == thinking_markdown(), (
        "run python -m providers.docs"
    )


def test_providers_doc_is_current() -> None:
    assert (DOCS / "PROVIDERS.md").read_text(encoding="utf-8") == providers_markdown(), (
        "run python -m providers.docs"
    )
