"""The catalog stays true as time passes (issue 11): a model whose `retires_on` date has come is retired.

"Today" is injectable: `on=` on lookup_model / list_models, or `LLMKIT_TODAY=YYYY-MM-DD`.
"""

from __future__ import annotations

import datetime as dt

import pytest

from providers.client import AsyncClient
from providers.errors import ConfigurationError, ModelRetiredError
from providers.registry import list_models, lookup_model, today

BEFORE = dt.date(2026, 11, 29)
AFTER = dt.date(2026, 12, 4)


@pytest.mark.parametrize(
    ("provider", "model", "retired_on", "successor"),
    [
        ("anthropic", "claude-sonnet-4-5", "2026-11-30", "claude-sonnet-5-5"),
        (
            "anthropic",
            "claude-sonnet-4-5-20250929",
            "2026-11-30",
            "claude-sonnet-5-5",
        ),  # its pinned alias too
        ("gemini", "gemini-2.5-pro", "2026-12-01", "gemini-3.8-flash"),
        ("gemini", "gemini-2.5-flash", "2026-12-01", "gemini-3.5-flash-lite"),
    ],
)
def test_a_passed_retirement_date_retires_the_model(
    provider: str, model: str, retired_on: str, successor: str
) -> None:
    assert lookup_model(provider, model, on=BEFORE).status == "deprecated"
    with pytest.raises(ModelRetiredError) as info:
        lookup_model(provider, model, on=AFTER)
    err = info.value
    assert err.retired_on == retired_on and err.successor == successor
    message = str(err)
    assert f"retired on {retired_on}" in message and f"use {provider}/{successor}" in message
    assert "allow_retired=True" in message and "LLMKIT_ALLOW_RETIRED=1" in message
    row = lookup_model(provider, model, on=AFTER, allow_retired=True)
    assert row.status == "retired" and row.retired_on == retired_on


def test_the_retirement_day_itself_counts() -> None:
    with pytest.raises(ModelRetiredError):
        lookup_model("anthropic", "claude-sonnet-4-5", on=dt.date(2026, 11, 30))


def test_retired_by_date_is_not_offered() -> None:
    ids = {m.id for m in list_models("anthropic", on=AFTER)}
    assert "claude-sonnet-4-5" not in ids and "claude-sonnet-5-5" in ids
    assert "claude-sonnet-4-5" in {m.id for m in list_models("anthropic", on=BEFORE)}
    retired = {m.id: m for m in list_models("anthropic", on=AFTER, include_retired=True)}
    assert retired["claude-sonnet-4-5"].status == "retired"


def test_today_is_injectable_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMKIT_TODAY", "2026-12-12")
    assert today() == dt.date(2026, 12, 12)
    with pytest.raises(ModelRetiredError, match="retired on 2026-12-11; use openai/gpt-6-luna"):
        lookup_model("openai", "gpt-5-mini")
    monkeypatch.setenv("LLMKIT_TODAY", "2026-11-01")
    assert lookup_model("anthropic", "claude-sonnet-4-5").status == "deprecated"
    monkeypatch.setenv("LLMKIT_TODAY", "soon")
    with pytest.raises(ConfigurationError, match="LLMKIT_TODAY must be a date"):
        today()


def test_without_an_injected_date_today_is_the_calendars(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLMKIT_TODAY", raising=False)
    assert today() == dt.datetime.now(dt.UTC).date()


def test_a_latest_alias_moves_on_instead_of_retiring() -> None:
    later = dt.date(2027, 5, 1)  # after mistral-medium-3-5's retires_on (2027-04-30)
    with pytest.raises(ModelRetiredError, match="2027-04-30"):
        lookup_model("mistral", "mistral-medium-3-5", on=later)
    assert lookup_model("mistral", "mistral-medium-latest", on=later).status == "current"


def test_the_client_refuses_a_retired_model_before_sending_or_tries_it_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LLMKIT_TODAY", "2026-12-04")
    with pytest.raises(ModelRetiredError, match="retired on 2026-11-30"):
        AsyncClient().prepare("anthropic/claude-sonnet-4-5", "hi")
    prep = AsyncClient(allow_retired=True).prepare("anthropic/claude-sonnet-4-5", "hi")
    assert prep.call.json_body is not None and prep.call.json_body["model"] == "claude-sonnet-4-5"
    assert any("retired on 2026-11-30" in n and "sent anyway (allow_retired)" in n for n in prep.notes)
    env = {"LLMKIT_ALLOW_RETIRED": "1", "GEMINI_API_KEY": "gm-key-123456"}
    via_env = AsyncClient(env=env).prepare("gemini/gemini-2.5-pro", "hi")
    assert any("sent anyway" in n for n in via_env.notes)
    monkeypatch.setenv("LLMKIT_TODAY", "2026-11-20")
    assert not any(
        "sent anyway" in n for n in AsyncClient().prepare("anthropic/claude-sonnet-4-5", "hi").notes
    )


def test_a_model_the_catalog_records_as_retired_is_refused_and_can_be_tried() -> None:
    with pytest.raises(ModelRetiredError, match="retired on 2026-07-09; use elevenlabs/scribe_v2"):
        lookup_model("elevenlabs", "scribe_v1")
    with pytest.raises(ModelRetiredError, match="use elevenlabs/eleven_multilingual_v2"):
        lookup_model("elevenlabs", "eleven_monolingual_v1")
    assert lookup_model("elevenlabs", "scribe_v1", allow_retired=True).retired_on == "2026-07-09"
