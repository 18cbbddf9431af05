"""The registry and the dated catalog: names, retirement, pass-through of unknown models."""

from __future__ import annotations

import datetime as dt

import pytest

from providers.errors import ModelRetiredError, UnknownProviderError
from providers.registry import catalog_date, list_models, list_providers, lookup_model, split_model


def test_split_model() -> None:
    assert split_model("anthropic/claude-sonnet-5-5") == ("anthropic", "claude-sonnet-5-5")
    with pytest.raises(UnknownProviderError, match="provider/model"):
        split_model("claude-sonnet-5-5")


def test_unknown_provider_lists_known() -> None:
    with pytest.raises(UnknownProviderError, match=r"known providers: .*anthropic, .*openai"):
        lookup_model("nope", "x")


def test_retired_model_names_successor_and_date() -> None:
    with pytest.raises(ModelRetiredError) as info:
        lookup_model("anthropic", "claude-3-7-sonnet-20250219")
    assert info.value.successor == "claude-sonnet-5-5"
    assert info.value.retired_on == "2026-02-19"
    assert "2026-02-19" in str(info.value) and "claude-sonnet-5-5" in str(info.value)


def test_aliases_resolve_to_the_same_row() -> None:
    assert lookup_model("anthropic", "claude-opus-4-7-20260416").id == "claude-opus-4-7"


def test_unknown_model_passes_through_marked() -> None:
    info = lookup_model("openai", "gpt-7-preview")
    assert not info.known
    assert info.thinking.can_think


def test_catalog_rows_are_complete() -> None:
    assert catalog_date() == "2026-12-04"
    as_of = dt.date.fromisoformat(catalog_date())
    for info in list_models(include_retired=True, on=as_of):
        assert info.sources, info.id
        if info.status == "retired":
            assert info.retired_on and info.successor, info.id
        soon = info.retires_on and info.retires_on <= "2026-12-31"
        if soon:  # retiring within the month: its error must name a successor
            assert info.successor, info.id
        if info.thinking.style.startswith("anthropic_budget"):
            assert info.thinking.budget_min == 1024


def test_thinking_filter_and_providers() -> None:
    thinkers = {m.id for m in list_models(thinking=True)}
    assert "claude-sonnet-5-5" in thinkers and "gpt-6.1-terra" in thinkers
    assert "gpt-4.1" not in thinkers
    names = {p["name"] for p in list_providers()}
    assert {"openai", "anthropic"} <= names
