"""The spend ledger: every call recorded with tokens and cost; renders a table and bars."""

from __future__ import annotations

import pytest

from llmkit_nb import LLMKit
from providers.errors import OverloadedError
from providers.registry import lookup_model


def test_every_call_is_recorded_with_cost_at_catalog_prices() -> None:
    with LLMKit(sandbox=True) as kit:
        r = kit.chat("anthropic/claude-sonnet-5-5", "one", thinking="low")
        kit.chat("openai/gpt-6.1-terra", "two", stream=True)
        kit.compare("three", ["openai/gpt-6.1-terra", "openai/gpt-4.1"], thinking="low")
        kit.sandbox_fault("529", times=3)
        with pytest.raises(OverloadedError):
            kit.chat("anthropic/claude-sonnet-5-5", "four")
        ledger = kit.usage()
    rows = ledger.to_dicts()
    assert [(x["provider"], x["kind"]) for x in rows] == [
        ("anthropic", "chat"),
        ("openai", "chat"),
        ("openai", "chat"),
        ("anthropic", "chat"),
    ]  # gpt-4.1 with thinking was refused before sending: nothing to record
    assert rows[-1]["error"] == "OverloadedError" and rows[-1]["cost_usd"] is None
    price = lookup_model("anthropic", "claude-sonnet-5-5").price
    assert price is not None and price.input_per_1m is not None and price.output_per_1m is not None
    expected = (r.usage.input_tokens * price.input_per_1m + r.usage.output_tokens * price.output_per_1m) / 1e6
    assert rows[0]["cost_usd"] == pytest.approx(expected)
    assert rows[0]["reasoning_tokens"] == r.usage.reasoning_tokens
    by = {x["model"]: x for x in ledger.by_model()}
    assert by["openai/gpt-6.1-terra"]["calls"] == 2 and by["anthropic/claude-sonnet-5-5"]["errors"] == 1
    html = ledger._repr_mimebundle_()["text/html"]
    assert "<svg" in html and html.count("<rect") == 2 and "sandbox" in html
    assert ledger.total_cost() == pytest.approx(sum(x["cost_usd"] or 0 for x in rows))


def test_speech_transcription_and_video_are_recorded_too() -> None:
    with LLMKit(sandbox=True) as kit:
        speech = kit.speak("Hello from the ledger.", model="elevenlabs/eleven_flash_v2_5")
        kit.transcribe(speech, model="deepgram/nova-3")
        video = kit.generate_video(
            "a red kite over a beach", model="runware/runway:1@2", duration=5, progress=False
        )
        rows = kit.usage().to_dicts()
    assert [(r["kind"], r["provider"]) for r in rows] == [
        ("speech", "elevenlabs"),
        ("transcription", "deepgram"),
        ("video", "runware"),
    ]
    assert rows[2]["cost_usd"] == video.cost_usd and all(r["sandbox"] for r in rows)
