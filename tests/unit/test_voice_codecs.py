"""Speech codecs, dict/bytes in and out: sniffing, WAV/G.711, formats, latency tiers, Deepgram, ElevenLabs.

Audio fixtures in tests/fixtures/audio were made with espeak-ng + ffmpeg on this machine (see the
fixtures README); JSON fixtures follow the SDKs' types and are validated by the SDK models in
tests/conformance/test_voice_sdks.py.
"""

from __future__ import annotations

import json
import math
import struct
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx2
import pytest

from providers.audio.deepgram import Deepgram
from providers.audio.elevenlabs import ElevenLabs, multipart
from providers.audio.formats import deepgram_params, format_for_elevenlabs, parse_format
from providers.audio.sniff import sniff
from providers.audio.source import load_audio
from providers.audio.types import Latency, Speech
from providers.audio.voices import deepgram_voice_model, elevenlabs_voice, realtime_voice
from providers.audio.wav import alaw_encode, mulaw_decode, mulaw_encode, read_wav, write_wav
from providers.chat.base import Connection
from providers.credentials import Secret
from providers.errors import AuthenticationError, BadRequestError, InvalidParameterError
from providers.realtime.grok import grok_session
from providers.realtime.openai import openai_session
from providers.realtime.session import check_pcm16
from tests.helpers import FIXTURES, fixture_json

AUDIO = FIXTURES / "audio"
KEY = "dg-test-key-0123456789"


def dg_conn(base: str = "https://api.deepgram.com") -> Connection:
    return Connection("deepgram", base, Secret(KEY), auth="token")


def el_conn() -> Connection:
    return Connection("elevenlabs", "https://api.elevenlabs.io", Secret(KEY), auth="xi-api-key")


def query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


# --- sniffing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "media"),
    [
        ("speech.wav", "wav", "audio/wav"),
        ("speech.mp3", "mp3", "audio/mpeg"),
        ("speech_frames.mp3", "mp3", "audio/mpeg"),
        ("speech.flac", "flac", "audio/flac"),
        ("speech.ogg", "ogg", "audio/ogg"),
        ("speech.webm", "webm", "audio/webm"),
        ("speech.m4a", "mp4", "audio/mp4"),
        ("speech.aac", "aac", "audio/aac"),
    ],
)
def test_sniff_reads_the_type_from_the_bytes(name: str, fmt: str, media: str) -> None:
    info = sniff((AUDIO / name).read_bytes())
    assert (info.format, info.media_type) == (fmt, media)


def test_sniff_ignores_the_file_name(tmp_path: Path) -> None:
    misnamed = tmp_path / "recording.wav"
    misnamed.write_bytes((AUDIO / "speech.mp3").read_bytes())
    source = load_audio(misnamed)
    assert source.media_type == "audio/mpeg"
    assert sniff((AUDIO / "speech.ogg").read_bytes()).codec == "opus"


def test_wav_header_gives_rate_and_duration() -> None:
    info = sniff((AUDIO / "speech.wav").read_bytes())
    assert (info.sample_rate, info.channels, info.bits) == (16000, 1, 16)
    assert info.duration == pytest.approx(55016 / 16000, abs=1e-3)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"hello, this is not audio at all", "plain text"),
        (b'{"text": "json"}', "JSON"),
        (b"<html><body>nope</body></html>", "HTML"),
        (b"\x89PNG\r\n\x1a\n" + bytes(32), "image"),
        (bytes(range(256)) * 4, "no known audio signature"),
        (b"RIFF\x24\x00\x00\x00WAVEdata\x00\x00\x00\x00", "damaged WAV"),
    ],
)
def test_sniff_refuses_what_is_not_audio(data: bytes, says: str) -> None:
    with pytest.raises(InvalidParameterError, match=says):
        sniff(data)


# --- WAV and G.711 -------------------------------------------------------------------------------


def test_wav_round_trip_keeps_samples_and_info_text() -> None:
    samples = struct.pack("<4h", 0, 1000, -1000, 32767)
    data = write_wav(samples, sample_rate=8000, info={"ICMT": "héllo, wörld"})
    info = read_wav(data)
    assert info is not None
    assert data[info.data_offset : info.data_offset + info.data_size] == samples
    assert info.info["ICMT"] == "héllo, wörld"
    assert info.duration == pytest.approx(4 / 8000)


def test_g711_reference_values() -> None:
    # ITU-T G.711: silence is 0xFF in mu-law and 0xD5 in A-law; full scale saturates at the top code
    assert mulaw_encode(struct.pack("<h", 0)) == b"\xff"
    assert alaw_encode(struct.pack("<h", 0)) == b"\xd5"
    assert mulaw_encode(struct.pack("<h", 32767)) == b"\x80"
    assert mulaw_encode(struct.pack("<h", -32768)) == b"\x00"
    ramp = struct.pack("<5h", -20000, -300, 0, 300, 20000)
    back = struct.unpack("<5h", mulaw_decode(mulaw_encode(ramp)))
    assert all(
        abs(a - b) <= max(8, abs(a) // 16) for a, b in zip(struct.unpack("<5h", ramp), back, strict=True)
    )


# --- latency tiers and formats --------------------------------------------------------------------


def test_latency_tiers_follow_the_documented_direction() -> None:
    # elevenlabs-python: 0 = default (no optimisation) ... 4 = max optimisation with the normaliser off
    assert [t.level for t in Latency] == [0, 1, 2, 3, 4]
    assert Latency.DEFAULT.level == 0 and Latency.MAX_NO_NORMALIZER.level == 4
    assert Latency.coerce("lowest") is Latency.MAX_NO_NORMALIZER
    assert Latency.coerce("quality") is Latency.DEFAULT
    assert Latency.coerce(2) is Latency.STRONG and Latency.coerce("max") is Latency.MAX
    assert "normaliser off" in Latency.MAX_NO_NORMALIZER.description


@pytest.mark.parametrize("bad", [5, -1, "ludicrous", True, 1.5])
def test_latency_refuses_unknown_tiers(bad: object) -> None:
    with pytest.raises(InvalidParameterError):
        Latency.coerce(bad)


def test_output_formats_map_onto_deepgram_parameters() -> None:
    assert deepgram_params(parse_format("wav_24000")) == {
        "encoding": "linear16",
        "sample_rate": "24000",
        "container": "wav",
    }
    assert deepgram_params(parse_format("pcm_16000"))["container"] == "none"
    assert deepgram_params(parse_format("mp3_22050_32")) == {"encoding": "mp3", "bit_rate": "32000"}
    assert deepgram_params(parse_format("ulaw_8000"))["encoding"] == "mulaw"
    with pytest.raises(InvalidParameterError, match="44100"):
        deepgram_params(parse_format("wav_44100"))
    with pytest.raises(InvalidParameterError, match="kbps"):
        deepgram_params(parse_format("mp3_22050_128"))


def test_elevenlabs_formats_are_its_own_list() -> None:
    assert format_for_elevenlabs("pcm_44100").bytes_per_second == 88200
    with pytest.raises(InvalidParameterError, match="mp3_44100_128"):
        format_for_elevenlabs("mp3_44100_256")
    with pytest.raises(InvalidParameterError, match="codec"):
        parse_format("midi_8000")


# --- Deepgram ---------------------------------------------------------------------------------


def test_deepgram_transcribe_sends_audio_with_its_sniffed_type() -> None:
    audio = load_audio((AUDIO / "speech.flac").read_bytes())
    opts, notes = Deepgram().listen_options(
        "nova-3", {"smart_format": True, "diarize": False, "keyterm": ["fox", "dog"]}
    )
    call = Deepgram().transcribe_call(audio, "nova-3", opts, dg_conn())
    assert call.method == "POST" and urlsplit(call.url).path == "/v1/listen"
    assert query(call.url) == [
        ("model", "nova-3"),
        ("smart_format", "true"),
        ("diarize", "false"),
        ("keyterm", "fox"),
        ("keyterm", "dog"),
    ]
    assert call.headers["authorization"] == f"Token {KEY}"
    assert call.headers["content-type"] == "audio/flac"
    assert call.content == (AUDIO / "speech.flac").read_bytes() and call.json_body is None
    assert not notes


def test_deepgram_transcribe_url_goes_as_json() -> None:
    call = Deepgram().transcribe_call(load_audio("https://example.com/a.mp3"), "nova-3", {}, dg_conn())
    assert call.json_body == {"url": "https://example.com/a.mp3"}
    assert call.headers["content-type"] == "application/json"


def test_deepgram_old_option_names_warn_and_move() -> None:
    with pytest.warns(DeprecationWarning, match="use topics="):
        opts, notes = Deepgram().listen_options("nova-3", {"detect_topics": True})
    assert opts == {"topics": True} and notes
    with pytest.warns(DeprecationWarning, match="keyterm"):
        opts, _ = Deepgram().listen_options("nova-3", {"keywords": ["fox:2", "dog"]})
    assert opts == {"keyterm": ["fox", "dog"]}
    with pytest.warns(DeprecationWarning, match="model name"):
        opts, _ = Deepgram().listen_options("nova-3", {"tier": "enhanced"})
    assert opts == {}
    # on older models keywords is still today's name: no warning, sent as given
    opts, _ = Deepgram().listen_options("nova-2", {"keywords": "fox:2"})
    assert opts == {"keywords": "fox:2"}


def test_deepgram_unknown_option_names_the_close_one() -> None:
    with pytest.raises(InvalidParameterError, match="smart_format"):
        Deepgram().listen_options("nova-3", {"smartformat": True})
    with pytest.raises(InvalidParameterError, match="sample_rate"):
        Deepgram().listen_options("nova-3", {"encoding": "linear16"})


def test_deepgram_parses_a_transcript_with_speakers_and_utterances() -> None:
    t = Deepgram().parse_transcript(fixture_json("deepgram_listen.json"), model="nova-3")
    assert t.text == "Hello world. How are you?"
    assert [w.shown for w in t.words] == ["Hello", "world.", "How", "are", "you?"]
    assert t.words[0].start == 0.08 and t.words[0].end == 0.4 and t.words[0].confidence == 0.99
    assert t.speakers == [0, 1]
    assert [u.text for u in t.turns()] == ["Hello world.", "How are you?"]
    assert t.duration == 4.2 and t.model == "nova-3"
    assert t.request_id == "9b1c9d0e-5f4a-4c3b-8e2a-1d2c3b4a5f60"


def test_deepgram_parses_live_results() -> None:
    result = Deepgram().parse_live(fixture_json("deepgram_live_results.json"))
    assert result is not None and not isinstance(result, Exception)
    assert result.kind == "final" and result.speech_final and not result.from_finalize
    assert result.text == "Tell me more about this." and result.start == 5.99
    assert Deepgram().parse_live({"type": "Metadata", "request_id": "x"}) is None


def test_deepgram_live_url_and_control_messages() -> None:
    url, headers = Deepgram().live_url(
        dg_conn("https://api.eu.deepgram.com"), "nova-3", {"encoding": "linear16", "sample_rate": 16000}
    )
    assert url.startswith("wss://api.eu.deepgram.com/v1/listen?")
    assert ("interim_results", "true") in query(url) and ("sample_rate", "16000") in query(url)
    assert headers == {"authorization": f"Token {KEY}"}
    assert [
        json.loads(m)["type"] for m in (Deepgram.keep_alive(), Deepgram.finalize(), Deepgram.close_stream())
    ] == [
        "KeepAlive",
        "Finalize",
        "CloseStream",
    ]


def test_deepgram_speak_names_the_voice_in_the_model() -> None:
    call, voice, fmt = Deepgram().speak_call(
        "Hi",
        model="aura-2",
        voice="thalia",
        output_format="mp3_22050_48",
        options={"speed": 1.1},
        conn=dg_conn(),
    )
    assert voice == "thalia" and fmt.codec == "mp3"
    assert query(call.url) == [
        ("model", "aura-2-thalia-en"),
        ("encoding", "mp3"),
        ("bit_rate", "48000"),
        ("speed", "1.1"),
    ]
    assert call.json_body == {"text": "Hi"}
    with pytest.raises(InvalidParameterError, match="thalia"):
        deepgram_voice_model("aura-2", "nobody")
    with pytest.raises(InvalidParameterError, match="output_format"):
        Deepgram().speak_call(
            "Hi", model="aura-2", voice=None, output_format=None, options={"encoding": "mp3"}, conn=dg_conn()
        )


def test_deepgram_errors_map_to_the_tree() -> None:
    headers = httpx2.Headers({"dg-request-id": "req-9"})
    legacy = Deepgram().parse_error(
        "deepgram", 400, headers, b'{"err_code":"Bad Request","err_msg":"corrupt data"}'
    )
    assert (
        isinstance(legacy, BadRequestError) and "corrupt data" in str(legacy) and legacy.request_id == "req-9"
    )
    modern = Deepgram().parse_error(
        "deepgram",
        401,
        headers,
        b'{"category":"INVALID_AUTH","message":"Invalid credentials.","request_id":"r1"}',
    )
    assert (
        isinstance(modern, AuthenticationError)
        and modern.code == "INVALID_AUTH"
        and modern.request_id == "r1"
    )


# --- ElevenLabs ------------------------------------------------------------------------------


def test_elevenlabs_speak_builds_the_documented_request() -> None:
    call, fmt, notes = ElevenLabs().speak_call(
        "Hello",
        model="eleven_flash_v2_5",
        voice_id="JBFqnCBsd6RMkjVDRZzb",
        output_format="pcm_24000",
        latency=Latency.MAX,
        options={"voice_settings": {"stability": 0.4, "speed": 1.1}, "seed": 7, "enable_logging": False},
        conn=el_conn(),
        stream=True,
    )
    assert urlsplit(call.url).path == "/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb/stream"
    assert query(call.url) == [
        ("output_format", "pcm_24000"),
        ("optimize_streaming_latency", "3"),
        ("enable_logging", "false"),
    ]
    assert call.json_body == {
        "text": "Hello",
        "model_id": "eleven_flash_v2_5",
        "voice_settings": {"stability": 0.4, "speed": 1.1},
        "seed": 7,
    }
    assert call.headers["xi-api-key"] == KEY and fmt.raw
    assert any("deprecated" in n for n in notes)


def test_elevenlabs_without_a_tier_sends_no_latency_parameter() -> None:
    call, _, notes = ElevenLabs().speak_call(
        "Hi",
        model="eleven_v3",
        voice_id="JBFqnCBsd6RMkjVDRZzb",
        output_format=None,
        latency=None,
        options={},
        conn=el_conn(),
        stream=False,
    )
    assert urlsplit(call.url).path == "/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb"
    assert query(call.url) == [("output_format", "mp3_44100_128")] and not notes


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"voice_settings": {"stability": 3}}, "0 to 1"),
        ({"voice_settings": {"stabilty": 0.5}}, "stability"),
        ({"voice_settings": {"speed": 2.0}}, "0.7 to 1.2"),
        ({"sead": 1}, "seed"),
    ],
)
def test_elevenlabs_refuses_bad_options(options: dict[str, object], says: str) -> None:
    with pytest.raises(InvalidParameterError, match=says):
        ElevenLabs().speak_call(
            "Hi",
            model="eleven_flash_v2_5",
            voice_id="JBFqnCBsd6RMkjVDRZzb",
            output_format=None,
            latency=None,
            options=options,
            conn=el_conn(),
            stream=False,
        )


def test_elevenlabs_voices_by_name_or_id() -> None:
    assert elevenlabs_voice("george") == ("George", "JBFqnCBsd6RMkjVDRZzb")
    assert elevenlabs_voice("ABCDEFGHIJ0123456789") == ("ABCDEFGHIJ0123456789", "ABCDEFGHIJ0123456789")
    with pytest.raises(InvalidParameterError, match="George"):
        elevenlabs_voice("Bobby")


def test_elevenlabs_transcribe_is_multipart_with_the_file() -> None:
    data = (AUDIO / "speech.mp3").read_bytes()
    call = ElevenLabs().transcribe_call(
        load_audio(data), "scribe_v2", {"diarize": True, "num_speakers": 2}, el_conn()
    )
    assert urlsplit(call.url).path == "/v1/speech-to-text"
    content_type = call.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    assert call.content is not None
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + call.content
    )
    parts = {p.get_param("name", header="content-disposition"): p for p in message.iter_parts()}
    assert parts["model_id"].get_payload(decode=True) == b"scribe_v2"
    assert parts["diarize"].get_payload(decode=True) == b"true"
    assert parts["file"].get_payload(decode=True) == data
    assert parts["file"].get_content_type() == "audio/mpeg" and parts["file"].get_filename() == "audio.mp3"


def test_multipart_repeats_list_fields() -> None:
    content_type, body = multipart({"keyterms": ["a", "b"]}, None)
    assert body.count(b'name="keyterms"') == 2 and content_type.startswith("multipart/form-data")


def test_elevenlabs_parses_a_transcript() -> None:
    t = ElevenLabs().parse_transcript(fixture_json("elevenlabs_stt.json"), model="scribe_v2")
    assert [w.word for w in t.words] == [
        "Hello",
        "world.",
        "How",
        "are",
        "you?",
    ]  # spacing and events dropped
    assert t.words[0].confidence == pytest.approx(math.exp(-0.05), abs=1e-4)
    assert t.speakers == ["speaker_0", "speaker_1"] and len(t.turns()) == 2
    assert t.duration == 2.4 and t.language == "eng"


def test_elevenlabs_errors_map_to_the_tree() -> None:
    headers = httpx2.Headers({"request-id": "el-1"})
    auth = ElevenLabs().parse_error(
        "elevenlabs", 401, headers, b'{"detail":{"status":"invalid_api_key","message":"Invalid API key"}}'
    )
    assert (
        isinstance(auth, AuthenticationError) and auth.code == "invalid_api_key" and auth.request_id == "el-1"
    )
    invalid = ElevenLabs().parse_error(
        "elevenlabs",
        422,
        headers,
        b'{"detail":[{"loc":["body","text"],"msg":"Field required","type":"missing"}]}',
    )
    assert isinstance(invalid, BadRequestError) and "body.text: Field required" in str(invalid)


# --- realtime ---------------------------------------------------------------------------------


def test_realtime_sessions_per_dialect() -> None:
    grok = grok_session(
        model="grok-voice-latest",
        voice="eve",
        instructions="Be brief.",
        modalities=("audio",),
        input_rate=16000,
        output_rate=24000,
    )
    assert grok["voice"] == "eve" and grok["turn_detection"] is None
    assert grok["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 16000}
    ga = openai_session(
        model="gpt-realtime",
        voice="marin",
        instructions=None,
        modalities=("audio",),
        input_rate=24000,
        output_rate=24000,
    )
    assert ga["type"] == "realtime" and ga["audio"]["output"]["voice"] == "marin"
    assert ga["audio"]["input"]["turn_detection"] is None and "instructions" not in ga
    assert realtime_voice("xai", "EVE") == "eve"
    with pytest.raises(InvalidParameterError, match="marin"):
        realtime_voice("openai", "eve")


@pytest.mark.parametrize(
    ("chunk", "says"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02", "odd length"),
        ("text", "bytes"),
        (write_wav(bytes(3200), sample_rate=16000), "wav file"),
        ((AUDIO / "speech.mp3").read_bytes(), "mp3 file"),
    ],
)
def test_realtime_audio_must_be_raw_pcm16(chunk: object, says: str) -> None:
    with pytest.raises(InvalidParameterError, match=says):
        check_pcm16(chunk, 24000)
    assert check_pcm16(bytes(480), 24000) == bytes(480)


def test_speech_wraps_raw_audio_for_players() -> None:
    raw = Speech(audio=mulaw_encode(bytes(3200)), format="ulaw", media_type="audio/basic", sample_rate=8000)
    info = read_wav(raw.wav())  # 1,600 mu-law bytes are 1,600 samples: 3,200 bytes of PCM16
    assert info is not None and info.sample_rate == 8000 and info.data_size == 3200
    assert "sandbox" not in repr(raw) and "bytes ulaw" in repr(raw)
