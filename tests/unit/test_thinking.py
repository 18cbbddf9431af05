"""The thinking knob: coercion, the closest-level rule, budgets, refusals before any request."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.errors import InvalidParameterError, ThinkingNotSupportedError
from providers.thinking import EFFORTS, ThinkingCaps, ThinkingConfig, closest_effort, coerce, resolve

OPENAI = ThinkingCaps(
    style="openai_effort", efforts=("low", "medium", "high", "xhigh", "max"), can_disable=False
)
ADAPTIVE = ThinkingCaps(
    style="anthropic_adaptive",
    efforts=("low", "medium", "high", "xhigh", "max"),
    always_on=True,
    can_disable=False,
)
BUDGET = ThinkingCaps(style="anthropic_budget", budget_min=1024, budget_max=63999)
NONE = ThinkingCaps()


def test_coerce_forms() -> None:
    assert coerce(None) is None
    assert coerce("HIGH") == ThinkingConfig(effort="high")
    assert coerce(2048) == ThinkingConfig(budget_tokens=2048)
    assert coerce(False) == ThinkingConfig(effort="none")
    assert coerce(True) == ThinkingConfig()


@pytest.mark.parametrize("bad", [-5, 0, "hihg", 1.5, ["high"]])
def test_coerce_rejects_bad_values(bad: object) -> None:
    with pytest.raises(InvalidParameterError):
        coerce(bad)


def test_config_rejects_both_effort_and_budget() -> None:
    with pytest.raises(ValueError, match="not both"):
        ThinkingConfig(effort="high", budget_tokens=2048)


def test_closest_level_rule_and_tie_goes_up() -> None:
    assert closest_effort("minimal", ("low", "medium", "high")) == "low"
    assert closest_effort("max", ("low", "medium", "high")) == "high"
    # medium is equally far from low and high: the higher one wins
    assert closest_effort("medium", ("low", "high")) == "high"


@given(st.sampled_from(EFFORTS[1:]), st.lists(st.sampled_from(EFFORTS[1:]), min_size=1, unique=True))
def test_closest_is_always_accepted_and_exact_when_possible(asked: str, accepted: list[str]) -> None:
    got = closest_effort(asked, tuple(accepted))
    assert got in accepted
    if asked in accepted:
        assert got == asked


def test_unsupported_level_maps_with_a_note() -> None:
    r = resolve(ThinkingConfig(effort="minimal"), OPENAI, model="openai/gpt-6.2-sol")
    assert r.effort == "low"
    assert any("closest 'low'" in n for n in r.notes)


def test_budget_on_level_model_maps_to_nearest_level() -> None:
    with pytest.warns(DeprecationWarning, match="use thinking='high'"):  # Claude's old knob: once per model
        assert resolve(ThinkingConfig(budget_tokens=16000), ADAPTIVE, model="m").effort == "high"
    assert resolve(ThinkingConfig(budget_tokens=1500), ADAPTIVE, model="m").effort == "low"


def test_effort_on_budget_model_becomes_budget() -> None:
    r = resolve(ThinkingConfig(effort="high"), BUDGET, model="anthropic/claude-haiku-4-5")
    assert (r.mode, r.budget_tokens) == ("budget", 16384)


def test_budget_outside_range_names_it() -> None:
    with pytest.raises(InvalidParameterError, match=r"1024\.\.63999"):
        resolve(ThinkingConfig(budget_tokens=500), BUDGET, model="m")


def test_thinking_on_a_model_that_cannot_think() -> None:
    with pytest.raises(ThinkingNotSupportedError, match="cannot think"):
        resolve(ThinkingConfig(effort="high"), NONE, model="openai/gpt-4.1")
    assert resolve(ThinkingConfig(effort="none"), NONE, model="m").mode == "default"


def test_cannot_turn_off_an_always_thinking_model() -> None:
    with pytest.raises(InvalidParameterError, match="cannot turn it off"):
        resolve(ThinkingConfig(effort="none"), ADAPTIVE, model="anthropic/claude-opus-5-5")
