"""Catalog facts checked end to end against the sandbox (issue 11): each fact with its source in the catalog.

ElevenLabs removed scribe_v1 / eleven_monolingual_v1 on 2026-07-09 and added eleven_v4, eleven_v4_turbo
and scribe_v3; Deepgram serves India and Australia; AssemblyAI's EU LLM gateway is live for Claude and
Gemini only; Lambda's inference API is winding down (opt-in); Runware's Veo 3.1 Fast takes 4, 6, 7 or 8 s;
OpenAI's gpt-5 family and o3-pro are priced; retired models can be tried with allow_retired=True.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from llmkit_nb import LLMKit
from providers.errors import BadRequestError, ConfigurationError, ModelRetiredError
from providers.registry import lookup_model
from providers.video.catalog import media_model
from providers.video.plan import plan


@pytest.fixture
def kit() -> Iterator[LLMKit]:
    with LLMKit(sandbox=True) as k:
        yield k


def test_elevenlabs_removed_models_are_refused_before_sending(kit: LLMKit) -> None:
    speech = kit.speak("Hello there.", output_format="wav_16000")
    before = len(kit.client.sandbox_app.requests)
    with pytest.raises(ModelRetiredError, match="retired on 2026-07-09; use elevenlabs/scribe_v2"):
        kit.transcribe(speech, model="elevenlabs/scribe_v1")
    with pytest.raises(ModelRetiredError, match="use elevenlabs/eleven_multilingual_v2"):
        kit.speak("Hello.", model="elevenlabs/eleven_monolingual_v1")
    assert len(kit.client.sandbox_app.requests) == before


def test_elevenlabs_new_models_work(kit: LLMKit) -> None:
    for model in ("elevenlabs/eleven_v4", "elevenlabs/eleven_v4_turbo"):
        speech = kit.speak("Hello there.", model=model, output_format="wav_16000")
        assert speech.sent["model_id"] == model.split("/")[1]
    heard = kit.transcribe(speech, model="elevenlabs/scribe_v3")
    assert heard.text == "Hello there."


def test_a_removed_model_tried_anyway_gets_the_providers_own_answer() -> None:
    # allow_retired sends it; the API (and so the sandbox) then refuses it in its own words
    with LLMKit(sandbox=True, allow_retired=True) as kit:
        speech = kit.speak("Hello there.", output_format="wav_16000")
        with pytest.raises(BadRequestError, match="Invalid model_id: scribe_v1"):
            kit.transcribe(speech, model="elevenlabs/scribe_v1")


def test_a_chat_model_retired_by_date_can_be_tried_anyway(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMKIT_TODAY", "2026-12-04")
    with LLMKit(sandbox=True) as kit, pytest.raises(ModelRetiredError, match="2026-11-30"):
        kit.chat("anthropic/claude-sonnet-4-5", "hi")
    with LLMKit(sandbox=True, allow_retired=True) as kit:
        r = kit.chat("anthropic/claude-sonnet-4-5", "hi")
    assert r.text and any("sent anyway (allow_retired)" in n for n in r.notes)


@pytest.mark.parametrize(("region", "host"), [("in", "api.in.deepgram.com"), ("au", "api.au.deepgram.com")])
def test_deepgram_india_and_australia(kit: LLMKit, region: str, host: str) -> None:
    speech = kit.speak("Residency.", output_format="wav_16000")
    heard = kit.transcribe(speech, region=region, punctuate=True)
    assert heard.endpoint == f"https://{host}/v1/listen" and heard.text == "Residency."


def test_assemblyai_eu_gateway_serves_claude_and_gemini_only(kit: LLMKit) -> None:
    r = kit.chat("assemblyai-llm/claude-sonnet-4-6", "hi", region="eu")
    assert r.endpoint == "https://llm-gateway.eu.assemblyai.com/v1/chat/completions"
    kit.chat("assemblyai-llm/gemini-3.8-flash", "hi", region="eu")
    before = len(kit.client.sandbox_app.requests)
    with pytest.raises(ConfigurationError, match=r"serves only claude-\*, gemini-\* models.*use region 'us'"):
        kit.chat("assemblyai-llm/gpt-5.5", "hi", region="eu")
    assert len(kit.client.sandbox_app.requests) == before
    assert kit.chat("assemblyai-llm/gpt-5.5", "hi").endpoint.startswith("https://llm-gateway.assemblyai.com/")
    with LLMKit(sandbox=True, residency="eu") as eu:  # the EU gateway now satisfies an EU residency policy
        assert eu.chat("assemblyai-llm/claude-sonnet-4-6", "hi", region="eu").text


def test_lambda_is_opt_in_while_it_winds_down() -> None:
    with (
        LLMKit(sandbox=True) as kit,
        pytest.raises(ConfigurationError, match=r"winding down.*opt_in=\['lambda'\]"),
    ):
        kit.chat("lambda/llama3.3-70b-instruct-fp8", "hi")
    with LLMKit(sandbox=True, opt_in=["lambda"]) as kit:
        assert kit.chat("lambda/llama3.3-70b-instruct-fp8", "hi").text


def test_veo_3_1_fast_takes_4_6_7_and_8_seconds() -> None:
    row = media_model("runware", "google:3@3", "video")
    assert row.durations == (4, 6, 7, 8)
    assert plan(row, "a fox", duration=7, max_inline_bytes=5_000_000).duration == 7


@pytest.mark.parametrize(
    ("model", "price"),
    [
        ("gpt-5-mini", (0.25, 2.0)),
        ("gpt-5-nano", (0.05, 0.40)),
        ("gpt-5-pro", (15.0, 120.0)),
        ("o3-pro", (20.0, 80.0)),
    ],
)
def test_gpt_5_family_and_o3_pro_are_priced_in_the_ledger(
    model: str, price: tuple[float, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMKIT_TODAY", "2026-12-04")  # (they retire 2026-12-11)
    info = lookup_model("openai", model)
    assert info.price is not None and (info.price.input_per_1m, info.price.output_per_1m) == price
    with LLMKit(sandbox=True) as kit:
        r = kit.chat(f"openai/{model}", "hi")
        row = kit.usage().to_dicts()[-1]
    expected = (r.usage.input_tokens * price[0] + r.usage.output_tokens * price[1]) / 1e6
    assert row["cost_usd"] == pytest.approx(expected) and row["cost_usd"] > 0


def test_catalog_limits() -> None:
    on = dt.date(2026, 12, 4)  # (the facts as of the catalog's date; some of these models retire later)
    assert lookup_model("openai", "gpt-5-pro", on=on).max_output_tokens == 272_000
    assert lookup_model("maritaca", "sabia-4", on=on).max_output_tokens == 32_768
    medium = lookup_model("mistral", "mistral-medium-3-5", on=on)
    assert medium.retires_on == "2027-04-30"
    for alias in ("magistral-medium-latest", "magistral-small-latest"):
        assert lookup_model("mistral", alias, on=on).context_window == 262_144
    opus = lookup_model("anthropic", "claude-opus-4-5", on=on)
    assert (opus.status, opus.retires_on) == ("deprecated", "2027-01-22")
    for new in ("claude-fable-5-2", "claude-mythos-5-2"):
        row = lookup_model("anthropic", new, on=on)
        assert row.known and row.thinking.always_on and row.price and row.price.input_per_1m == 8.0
