"""Live voice calls. Skipped unless the provider's key is set; never run in CI.

Run: ELEVENLABS_API_KEY=... DEEPGRAM_API_KEY=... XAI_API_KEY=... pytest -m live tests/live/test_live_voice.py
"""

from __future__ import annotations

import os

import pytest

from llmkit_nb import LLMKit

pytestmark = pytest.mark.live

SAY = "The quick brown fox jumps over the lazy dog."


def need(*names: str) -> None:
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not set")


@pytest.mark.parametrize("latency", [None, "lowest"])
def test_elevenlabs_speech_comes_back_as_text_from_deepgram(latency: str | None) -> None:
    need("ELEVENLABS_API_KEY", "DEEPGRAM_API_KEY")
    with LLMKit() as kit:
        speech = kit.speak(SAY, latency=latency, output_format="mp3_44100_128", stream=True)
        assert speech.format == "mp3" and speech.ttfb_s is not None and not speech.sandbox
        heard = kit.transcribe(speech, smart_format=True)
    assert "lazy dog" in heard.text.lower() and heard.words and heard.words[0].start is not None


def test_deepgram_speaks_and_listens_live() -> None:
    need("DEEPGRAM_API_KEY")
    with LLMKit() as kit:
        speech = kit.speak(SAY, model="deepgram/aura-2", voice="thalia", output_format="wav_16000")
        finals = [r.text for r in kit.transcribe_live(speech.audio, smart_format=True) if r.is_final]
    assert "lazy dog" in " ".join(finals).lower()


def test_grok_realtime_answers_in_voice() -> None:
    need("XAI_API_KEY")
    with LLMKit() as kit, kit.realtime("xai/grok-voice-latest") as session:
        turn = session.say("Say the word 'hello' and nothing else.")
    assert "hello" in turn.text.lower() and turn.audio
