"""Voice end to end through the sandbox: speak -> play -> transcribe, streaming, live, realtime, faults, bad input."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from llmkit_nb import LLMKit
from llmkit_nb.display.audio import render_realtime, render_speech, render_transcript
from providers.asgi_transport import StreamingASGITransport
from providers.audio.types import AudioChunk, SpeechDone
from providers.client import AsyncClient
from providers.errors import (
    AuthenticationError,
    ConfigurationError,
    IncompleteSessionError,
    InvalidParameterError,
)
from providers.sandbox import Fault, SandboxApp
from providers.sandbox.audio import read_watermark
from providers.transport import default_http_client
from providers.ws import open_websocket

SENTENCE = "The sandbox speaks real audio. It carries its own words!"


@pytest.fixture
def kit() -> Iterator[LLMKit]:
    k = LLMKit(sandbox=True)
    yield k
    k.close()


def _requests(kit: LLMKit) -> int:
    return len(kit.client.sandbox_app.requests)


# --- the loop: speak, play, transcribe ---------------------------------------------------------


@pytest.mark.parametrize(
    ("speaker", "fmt"),
    [
        ("elevenlabs/eleven_flash_v2_5", "wav_24000"),
        ("elevenlabs/eleven_multilingual_v2", "pcm_16000"),
        ("deepgram/aura-2", "wav_16000"),
    ],
)
@pytest.mark.parametrize("listener", ["deepgram/nova-3", "elevenlabs/scribe_v2"])
def test_speak_then_transcribe_returns_the_words(kit: LLMKit, speaker: str, fmt: str, listener: str) -> None:
    speech = kit.speak(SENTENCE, model=speaker, output_format=fmt)
    assert speech.sandbox and speech.duration and speech.duration > 2
    html = render_speech(speech)
    assert "<audio controls" in html and "data:audio/wav;base64," in html and "SANDBOX" in html
    audio: Any = speech if speech.format != "pcm" else speech.wav()  # raw PCM travels as WAV to be sniffed
    heard = kit.transcribe(
        audio, model=listener, **({"smart_format": True} if listener.startswith("deepgram") else {})
    )
    assert heard.text == SENTENCE
    assert [w.shown for w in heard.words] == SENTENCE.split()
    starts = [w.start for w in heard.words]
    assert starts == sorted(starts) and all(
        w.end and w.start is not None and w.end > w.start for w in heard.words
    )
    assert heard.words[-1].end <= (heard.duration or 0) + 1e-6
    assert heard.duration == pytest.approx(speech.duration, abs=0.01)
    assert "SANDBOX" in render_transcript(heard)


def test_formats_the_sandbox_cannot_encode_come_back_as_labelled_wav(kit: LLMKit) -> None:
    speech = kit.speak("An MP3, please.", output_format="mp3_44100_128")
    assert speech.format == "wav" and speech.media_type == "audio/wav"
    assert speech.audio[:4] == b"RIFF"
    assert any("cannot encode mp3" in n for n in speech.notes)


def test_mu_law_is_real_g711(kit: LLMKit) -> None:
    speech = kit.speak("Telephone quality.", output_format="ulaw_8000")
    assert speech.format == "ulaw" and speech.sample_rate == 8000
    assert speech.duration == pytest.approx(len(speech.audio) / 8000, abs=1e-3)
    assert speech.wav()[:4] == b"RIFF"


# --- streaming speech ------------------------------------------------------------------------------


def test_streamed_speech_hands_chunks_over_and_reports_first_byte(kit: LLMKit) -> None:
    seen: list[AudioChunk] = []
    speech = kit.speak(
        SENTENCE, output_format="pcm_24000", latency="lowest", stream=True, on_chunk=seen.append
    )
    assert len(seen) > 3 and speech.chunks == len(seen)
    assert b"".join(c.data for c in seen) == speech.audio
    assert speech.ttfb_s is not None and speech.latency_s is not None and speech.ttfb_s <= speech.latency_s
    assert seen[0].elapsed_s == speech.ttfb_s
    assert speech.streamed and speech.latency is not None and speech.latency.level == 4
    assert kit.client.sandbox_app.requests[-1].path.endswith("/stream")
    assert "first byte" in render_speech(speech)


async def test_speech_chunks_arrive_before_the_server_finishes() -> None:
    app = SandboxApp(delay=0.005)
    body_messages: list[int] = []

    async def counting(scope, receive, send):  # type: ignore[no-untyped-def]
        async def counting_send(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.body":
                body_messages.append(len(message.get("body", b"")))
            await send(message)

        await app(scope, receive, counting_send)

    client = AsyncClient(sandbox=True, http_client=default_http_client(StreamingASGITransport(counting)))
    sent_when_first_arrived = None
    async for event in client.speak_stream(SENTENCE, output_format="wav_16000"):
        if isinstance(event, AudioChunk) and sent_when_first_arrived is None:
            sent_when_first_arrived = len(body_messages)
        if isinstance(event, SpeechDone):
            assert event.speech.chunks == 0 or event.speech.audio
    await client.aclose()
    assert sent_when_first_arrived is not None and sent_when_first_arrived < len(body_messages) - 2


def test_speech_stream_cut_short_keeps_what_arrived(kit: LLMKit) -> None:
    kit.sandbox_fault("drop")
    with pytest.raises(IncompleteSessionError) as info:
        kit.speak(SENTENCE, output_format="wav_16000", stream=True)
    partial = info.value.partial
    assert partial.audio and partial.audio[:4] == b"RIFF" and "cut short" in partial.notes


# --- live transcription ------------------------------------------------------------------------------


def test_live_transcription_from_chunks_gives_interim_and_final(kit: LLMKit) -> None:
    speech = kit.speak(SENTENCE, model="deepgram/aura-2", output_format="wav_16000")
    chunks = [speech.audio[i : i + 3200] for i in range(0, len(speech.audio), 3200)]
    live = kit.transcribe_live(iter(chunks), smart_format=True)
    results = list(live)
    kinds = {r.kind for r in results}
    assert kinds == {"interim", "final"}
    finals = [r for r in results if r.is_final]
    assert " ".join(r.text for r in finals) == SENTENCE
    assert all(r.speech_final for r in finals)  # each final ends a sentence here
    first_final = results.index(finals[0])
    assert any(r.kind == "interim" for r in results[:first_final])  # words showed up before they settled
    assert live.transcript().text == SENTENCE
    ws = kit.client.sandbox_app.requests[-1]
    assert ws.method == "WEBSOCKET" and ws.headers["authorization"] == "Token ***"


def test_live_drop_keeps_what_arrived(kit: LLMKit) -> None:
    speech = kit.speak(SENTENCE, model="deepgram/aura-2", output_format="wav_16000")
    kit.client.sandbox_app.inject(Fault("drop", provider="deepgram"))
    received = []
    with pytest.raises(IncompleteSessionError) as info:
        for result in kit.transcribe_live(speech.audio, smart_format=True):
            received.append(result)
    assert info.value.partial == received and len(received) == 2


def test_finalize_flushes_a_final_result() -> None:
    async def run() -> list[dict[str, Any]]:
        client = AsyncClient(sandbox=True)
        speech = await client.speak("Finish me now.", model="deepgram/aura-2", output_format="wav_16000")
        got: list[dict[str, Any]] = []
        async with open_websocket(
            "wss://api.deepgram.com/v1/listen?model=nova-3&smart_format=true",
            provider="deepgram",
            headers={"authorization": "Token x"},
            parse_error=lambda *a: AssertionError(a),  # type: ignore[arg-type,return-value]
            asgi_app=client.sandbox_app,
        ) as ws:
            await ws.send_bytes(speech.audio[: len(speech.audio) * 2 // 3])
            await ws.send_text(json.dumps({"type": "KeepAlive"}))
            await ws.send_text(json.dumps({"type": "Finalize"}))
            await ws.send_text(json.dumps({"type": "CloseStream"}))
            while (message := await ws.receive()) is not None:
                got.append(json.loads(message))
        await client.aclose()
        return got

    import asyncio

    messages = asyncio.run(run())
    flushed = [m for m in messages if m.get("from_finalize")]
    assert flushed and flushed[0]["is_final"] is True
    assert messages[-1]["type"] == "Metadata"


# --- realtime -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["xai/grok-voice-latest", "openai/gpt-realtime"])
def test_realtime_exchange_text_and_audio(kit: LLMKit, model: str) -> None:
    with kit.realtime(model, instructions="Be brief.") as session:
        turn = session.say("What is the capital of France?")
        assert "capital of France" in turn.text and turn.status == "completed"
        assert turn.audio and read_watermark(turn.audio) == turn.text  # the audio says the transcript
        assert turn.ttfb_s is not None
        spoken = kit.speak("Tell me about tides.", output_format="pcm_24000")
        answer = session.send_audio(spoken.pcm())
        assert answer is not None and "Tell me about tides." in answer.text
        user = session.conversation[-2]
        assert user.role == "user" and user.modality == "audio" and user.text == "Tell me about tides."
        html = session._repr_mimebundle_()["text/html"]
        assert html.count("<audio controls") == 3 and "SANDBOX" in html
    if model.startswith("openai"):
        assert turn.usage and turn.usage["total_tokens"] > 0
    else:
        assert turn.usage is None  # Grok sends usage: {}


def test_realtime_works_on_the_nest_runner() -> None:
    with LLMKit(sandbox=True, loop="nest") as kit, kit.realtime("xai/grok-voice-latest") as session:
        assert "hello" in session.say("hello").text


async def test_grok_quirks_are_on_the_wire_and_tolerated() -> None:
    client = AsyncClient(sandbox=True)
    frames: list[dict[str, Any]] = []
    async with open_websocket(
        "wss://api.x.ai/v1/realtime?model=grok-voice-latest",
        provider="xai",
        headers={"authorization": "Bearer x"},
        parse_error=lambda *a: AssertionError(a),  # type: ignore[arg-type,return-value]
        asgi_app=client.sandbox_app,
    ) as ws:
        await ws.send_json(
            {
                "type": "conversation.item.create",
                "item": {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "hi"}],
                },
            }
        )
        await ws.send_json({"type": "response.create"})
        while True:
            message = await ws.receive()
            assert isinstance(message, str)
            frames.append(json.loads(message))
            if frames[-1]["type"] == "response.done":
                break
    types = [f["type"] for f in frames]
    assert types[0] == "conversation.created" and "session.created" not in types
    assert "ping" in types
    deltas = [f for f in frames if f["type"] == "response.output_audio.delta"]
    assert deltas and all("output_index" not in f and "content_index" not in f for f in deltas)
    assert "part" not in next(f for f in frames if f["type"] == "response.content_part.done")
    assert frames[-1]["response"]["usage"] == {}
    async with client.realtime("xai/grok-voice-latest") as session:  # and our session takes all that
        turn = await session.say("hi")
    assert turn.text and turn.audio and turn.usage is None
    await client.aclose()


@pytest.mark.parametrize("provider", ["xai", "openai"])
def test_realtime_drop_keeps_the_conversation(kit: LLMKit, provider: str) -> None:
    model = {"xai": "xai/grok-voice-latest", "openai": "openai/gpt-realtime"}[provider]
    kit.client.sandbox_app.inject(Fault("drop", provider=provider))  # taken by the next handshake
    session = kit.realtime(model)
    with pytest.raises(IncompleteSessionError) as info:
        session.say("Keep what you heard.")
    partial = info.value.partial
    assert [t.role for t in partial] == ["user", "assistant"]
    assert partial[0].text == "Keep what you heard."
    assert partial[1].status == "incomplete" and (partial[1].audio or partial[1].text)
    session.close()


async def test_realtime_handshake_without_a_key_is_an_authentication_error() -> None:
    client = AsyncClient(sandbox=True)
    from providers.chat.base import error_from_body

    with pytest.raises(AuthenticationError):
        async with open_websocket(
            "wss://api.x.ai/v1/realtime",
            provider="xai",
            headers={},
            parse_error=lambda s, h, b: error_from_body(
                "xai", s, h, b, message=None, code=None, request_id_header="x"
            ),
            asgi_app=client.sandbox_app,
        ):
            pass
    await client.aclose()


def test_realtime_refuses_a_bad_session_before_connecting(kit: LLMKit) -> None:
    before = _requests(kit)
    with pytest.raises(InvalidParameterError, match="24000"):
        kit.realtime("openai/gpt-realtime", output_rate=16000)
    with pytest.raises(InvalidParameterError, match="eve"):
        kit.realtime("xai/grok-voice-latest", voice="marin")
    assert _requests(kit) == before


def test_realtime_chunk_in_the_wrong_format_is_refused_before_sending(kit: LLMKit) -> None:
    with kit.realtime("xai/grok-voice-latest") as session:
        wav = kit.speak("hello", output_format="wav_24000")
        with pytest.raises(InvalidParameterError, match="wav file"):
            session.send_audio(wav.audio)
        with pytest.raises(InvalidParameterError, match="odd length"):
            session.send_audio(b"\x01\x02\x03")
        assert session.conversation == []  # nothing went out
        assert session.say("still here?").text


# --- bad input before anything is sent ----------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda k: k.speak(""), "empty"),
        (lambda k: k.speak("   "), "empty"),
        (lambda k: k.speak("hi", voice="Bobby"), "unknown ElevenLabs voice"),
        (lambda k: k.speak("hi", model="deepgram/aura-2", voice="bobby"), "unknown Deepgram"),
        (lambda k: k.speak("hi", output_format="mp3_44100_999"), "ElevenLabs has no output_format"),
        (lambda k: k.speak("hi", output_format="flac_44100"), "ElevenLabs has no output_format"),
        (lambda k: k.speak("hi", model="deepgram/aura-2", output_format="wav_44100"), "44100"),
        (lambda k: k.speak("hi", model="deepgram/aura-2", latency="max"), "no latency tiers"),
        (lambda k: k.speak("hi", latency="warp"), "unknown latency"),
        (lambda k: k.speak("hi", region="mars"), "regions: us, eu"),
        (lambda k: k.transcribe(b""), "empty"),
        (lambda k: k.transcribe(b"this is not audio, it is text"), "not a recognised audio file"),
        (lambda k: k.transcribe("/no/such/file.wav"), "no audio file"),
        (lambda k: k.transcribe(b"RIFF\x24\x00\x00\x00WAVEdata\x00\x00\x00\x00"), "damaged WAV"),
        (lambda k: k.transcribe_live([b"plain text, not audio"]), "first audio chunk"),
        (lambda k: k.transcribe_live(["strings"]), "must be bytes"),
        (lambda k: k.transcribe(b"x", model="openai/gpt-6.1-terra"), "does not transcribe"),
    ],
)
def test_bad_input_is_refused_before_sending(kit: LLMKit, call: Any, says: str) -> None:
    before = _requests(kit)
    with pytest.raises(ConfigurationError, match=says):
        call(kit)
    assert _requests(kit) == before


def test_old_option_names_warn_at_the_callers_line(kit: LLMKit) -> None:
    speech = kit.speak("Old names still work.", output_format="wav_16000")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        heard = kit.transcribe(speech, detect_topics=True)
        kit.speak("hi", optimize_streaming_latency=3, output_format="wav_16000")
    messages = [str(w.message) for w in caught if w.category is DeprecationWarning]
    assert any("use topics=" in m for m in messages) and any("use latency=" in m for m in messages)
    assert all(w.filename == __file__ for w in caught if w.category is DeprecationWarning)
    assert heard.sent.get("topics") is True and "detect_topics" not in heard.sent
    assert any("older name" in n for n in heard.notes)


def test_regions_pick_the_regional_host(kit: LLMKit) -> None:
    speech = kit.speak("Residency.", region="eu", output_format="wav_16000")
    assert speech.endpoint.startswith("https://api.eu.residency.elevenlabs.io/")
    heard = kit.transcribe(speech, region="eu", punctuate=True)
    assert heard.endpoint == "https://api.eu.deepgram.com/v1/listen" and heard.text == "Residency."


def test_residency_policy_applies_to_voice() -> None:
    with LLMKit(sandbox=True, residency="eu") as kit:
        with pytest.raises(ConfigurationError, match="eu"):
            kit.speak("Where does my data go?", output_format="wav_16000")
        assert len(kit.client.sandbox_app.requests) == 0
        speech = kit.speak("Where does my data go?", output_format="wav_16000", region="eu")
        heard = kit.transcribe(speech, region="eu", punctuate=True)
    assert heard.text == "Where does my data go?" and "api.eu.deepgram.com" in heard.endpoint


def test_hostile_provider_text_is_escaped(kit: LLMKit) -> None:
    evil = '<img src=x onerror=alert(1)> & "quotes"'
    speech = kit.speak(evil, output_format="wav_16000")
    heard = kit.transcribe(speech, smart_format=True)
    for html in (render_speech(speech), render_transcript(heard)):
        assert "<img" not in html and "&lt;img" in html
    with kit.realtime("xai/grok-voice-latest") as session:
        session.say(evil)
        assert "<img" not in render_realtime(session.session)


def test_voice_picker_sets_the_defaults_kit_speak_uses(kit: LLMKit) -> None:
    picker = kit.voice_picker()
    assert kit.defaults.speech_model == "elevenlabs/eleven_flash_v2_5" and kit.defaults.voice == "George"
    picker.provider.value = "deepgram"
    assert kit.defaults.speech_model.startswith("deepgram/aura") and picker.latency.disabled
    assert kit.defaults.latency is None and kit.defaults.voice == "thalia-en"
    picker.provider.value = "elevenlabs"
    picker.voice.value = "Sarah"
    picker.latency.value = "strong"
    speech = kit.speak("Defaults from the picker.", output_format="wav_16000")
    assert speech.voice == "Sarah" and speech.latency is not None and speech.latency.value == "strong"
    assert speech.sent["optimize_streaming_latency"] == 2


def test_realtime_events_stream_the_deltas(kit: LLMKit) -> None:
    with kit.realtime("openai/gpt-realtime") as session:
        session.send_text("Stream it to me.")
        kinds: list[str] = []
        text = ""
        for event in session.events():
            kinds.append(event.kind)
            if event.kind == "transcript":
                text += event.text
            if event.kind == "done":
                assert event.turn is not None and event.turn.text == text
                break
    assert {"transcript", "audio", "done"} <= set(kinds) and "Stream it to me." in text
