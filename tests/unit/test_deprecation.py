"""Old names that still work warn once per process, at the caller's line, naming the new name;
old names that cannot work raise a typed error naming the new one (docs/migration.md)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from llmkit_nb import LLMKit, ThinkingConfig
from providers import AsyncClient, deprecation
from providers.audio.deepgram import Deepgram
from providers.audio.types import Latency
from providers.errors import InvalidParameterError, ModelRetiredError


@pytest.fixture
def kit() -> Iterator[LLMKit]:
    with LLMKit(sandbox=True) as k:
        yield k


def caught(call: Callable[[], Any]) -> tuple[Any, list[warnings.WarningMessage]]:
    """Run `call` with every warning recorded (the 'always' filter: the once-rule must be ours)."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        value = call()
    return value, [w for w in seen if w.category is DeprecationWarning]


# --- the mechanism ---------------------------------------------------------------------------------


def test_warn_once_warns_the_first_time_only_and_reset_forgets() -> None:
    assert caught(lambda: deprecation.warn_once(("t", "a"), "a is old; use b"))[1]
    assert not caught(lambda: deprecation.warn_once(("t", "a"), "a is old; use b"))[1]
    assert caught(lambda: deprecation.warn_once(("t", "other"), "other is old"))[1]
    deprecation.reset()
    _, seen = caught(lambda: deprecation.warn_once(("t", "a"), "a is old; use b"))
    assert [str(w.message) for w in seen] == ["a is old; use b"]
    assert seen[0].filename == __file__  # the caller's line, not ours


def test_flush_emits_what_background_work_queued_at_the_callers_line() -> None:
    deprecation._pending.append("queued on a loop thread")
    _, seen = caught(deprecation.flush)
    assert [str(w.message) for w in seen] == ["queued on a loop thread"]
    assert seen[0].filename == __file__
    assert not caught(deprecation.flush)[1]


@pytest.mark.parametrize("loop", ["thread", "nest"])
def test_a_warning_raised_on_the_kits_loop_reaches_the_callers_line(loop: str) -> None:
    # the thread runner prepares on its background loop (no caller's frame there: the bridge re-emits);
    # the nest runner re-enters this thread's loop through nest-asyncio2, whose frames are not the caller
    with LLMKit(sandbox=True, loop=loop) as kit:
        r, seen = caught(lambda: kit.chat("openai/gpt-6.1-terra", "hi", reasoning_effort="high"))
    assert len(seen) == 1 and seen[0].filename == __file__
    assert "use thinking='high'" in str(seen[0].message)
    assert r.sent["reasoning"]["effort"] == "high"


def test_a_loop_of_calls_warns_once_but_every_result_says_so(kit: LLMKit) -> None:
    def many() -> list[Any]:
        return [kit.chat("openai/gpt-6.1-terra", f"q{i}", reasoning_effort="low") for i in range(5)]

    results, seen = caught(many)
    assert len(seen) == 1
    assert all(any("reasoning_effort='low' taken as thinking='low'" in n for n in r.notes) for r in results)


# --- the plan's thinking names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "model", "wire"),
    [
        (
            {"reasoning_effort": "high"},
            "openai/gpt-6.1-terra",
            {"reasoning": {"effort": "high", "summary": "auto"}},
        ),
        (
            {"reasoning_effort": "max"},
            "deepseek/deepseek-flash",
            {"thinking": {"type": "enabled"}, "reasoning_effort": "max"},  # the codec's own wire field
        ),
        ({"extended_thinking": True}, "anthropic/claude-sonnet-5-5", {"thinking": {"type": "adaptive"}}),
        ({"extended_thinking": False}, "deepseek/deepseek-flash", {"thinking": {"type": "disabled"}}),
        ({"budget_tokens": 4096}, "anthropic/claude-haiku-4-5", {"thinking": {"budget_tokens": 4096}}),
    ],
)
def test_plan_thinking_keywords_become_thinking(
    old: dict[str, Any], model: str, wire: dict[str, Any]
) -> None:
    prep, seen = caught(lambda: AsyncClient(sandbox=True).prepare(model, "hi", **old))
    (key,) = old
    assert len(seen) == 1 and f"{key}=" in str(seen[0].message) and "use thinking=" in str(seen[0].message)
    body = prep.call.json_body
    for field, expected in wire.items():
        got = body[field]
        assert {k: got[k] for k in expected} == expected if isinstance(expected, dict) else got == expected
    assert key in wire or key not in body  # moved, not also sent raw
    assert any("the plan's name; use thinking=" in n for n in prep.notes)


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"thinking": "low", "reasoning_effort": "high"}, "thinking=, reasoning_effort="),
        ({"reasoning_effort": "high", "budget_tokens": 2048}, "give thinking= alone"),
        ({"extended_thinking": "yes"}, "True or False"),
        ({"budget_tokens": "2048"}, "number of tokens"),
        ({"budget_tokens": True}, "number of tokens"),
        ({"reasoning_effort": "ultra"}, "unknown thinking effort 'ultra'"),
    ],
)
def test_plan_thinking_keywords_that_cannot_work_are_refused(kwargs: dict[str, Any], says: str) -> None:
    def call() -> None:
        with pytest.raises(InvalidParameterError, match=says):
            AsyncClient(sandbox=True).prepare("openai/gpt-6.1-terra", "hi", **kwargs)

    assert not caught(call)[1]  # refused, and no warning suggesting a value that would not work


def test_thinking_config_enabled_is_the_plans_toggle() -> None:
    on, seen = caught(lambda: ThinkingConfig(enabled=True))
    assert on == ThinkingConfig() and len(seen) == 1 and "thinking=True" in str(seen[0].message)
    off, seen = caught(lambda: ThinkingConfig(enabled=False))
    assert off.off and not seen  # warned once already
    assert ThinkingConfig(enabled=True, budget_tokens=2048).budget_tokens == 2048
    with pytest.raises(ValidationError, match="thinking=False"):
        ThinkingConfig(enabled=False, effort="high")
    with pytest.raises(ValidationError, match="True or False"):
        ThinkingConfig(enabled="on")


def test_a_claude_budget_on_an_adaptive_model_warns_once_per_model_and_names_the_effort() -> None:
    client = AsyncClient(sandbox=True)
    prep, seen = caught(lambda: client.prepare("anthropic/claude-sonnet-5-5", "hi", thinking=16000))
    assert prep.call.json_body["output_config"] == {"effort": "high"}
    assert len(seen) == 1 and "use thinking='high'" in str(seen[0].message)
    assert not caught(lambda: client.prepare("anthropic/claude-sonnet-5-5", "hi", thinking=16000))[1]
    # Claude 4.6 still takes the budget (deprecated there): it is sent, and the warning says so
    prep, seen = caught(lambda: client.prepare("anthropic/claude-opus-4-6", "hi", thinking=16000))
    assert prep.call.json_body["thinking"]["budget_tokens"] == 16000
    assert len(seen) == 1 and "sent as budget_tokens for now" in str(seen[0].message)
    # a budget is Claude 4.5's own knob and an effort never warns
    for model, thinking in [("anthropic/claude-haiku-4-5", 16000), ("anthropic/claude-sonnet-5-5", "high")]:
        assert not caught(lambda m=model, t=thinking: client.prepare(m, "hi", thinking=t))[1]


# --- voice -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "tier"),
    [
        ("LowestLatency", Latency.MAX_NO_NORMALIZER),
        ("lowest_latency", Latency.MAX_NO_NORMALIZER),
        ("HighestQuality", Latency.DEFAULT),
        ("highest-quality", Latency.DEFAULT),
    ],
)
def test_the_plans_latency_names_map_to_elevenlabs_direction(name: str, tier: Latency) -> None:
    got, seen = caught(lambda: Latency.coerce(name))
    assert got is tier and len(seen) == 1
    assert "the plan's scale was reversed" in str(seen[0].message)


def test_a_plan_latency_name_reaches_the_wire_with_a_note_each_time(kit: LLMKit) -> None:
    def twice() -> list[Any]:
        return [kit.speak("hi", latency="LowestLatency", output_format="wav_16000") for _ in range(2)]

    speeches, seen = caught(twice)
    assert len(seen) == 1 and seen[0].filename == __file__
    for speech in speeches:
        assert speech.sent["optimize_streaming_latency"] == 4
        assert any("the plan's name; use latency='lowest'" in n for n in speech.notes)


def test_deepgram_renamed_options_warn_once_and_note_every_time() -> None:
    first, seen = caught(lambda: Deepgram().listen_options("nova-3", {"detect_topics": True}))
    second, again = caught(lambda: Deepgram().listen_options("nova-3", {"detect_topics": True}))
    assert len(seen) == 1 and not again
    assert first[0] == second[0] == {"topics": True} and first[1] and second[1]


# --- names that cannot work ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "says"),
    [
        ("deepseek/deepseek-chat", "use deepseek/deepseek-flash with thinking=False"),
        ("deepseek/deepseek-reasoner", "use deepseek/deepseek-flash with thinking=True"),
        ("vertex/medlm-large", "use vertex/gemini-3.8-flash with domain='medical'"),
        ("xai/grok-4-fast-non-reasoning", "use xai/grok-4.3 with thinking=False"),
        ("maritaca/sabia-3", "use maritaca/sabia-4. To try"),
    ],
)
def test_retired_names_say_how_to_call_the_successor(model: str, says: str) -> None:
    with pytest.raises(ModelRetiredError, match=says.replace(".", r"\.").replace("(", r"\(")):
        AsyncClient(sandbox=True).prepare(model, "hi")
