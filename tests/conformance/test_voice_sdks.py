"""Voice conformance: deepgram-sdk, elevenlabs and openai (realtime) against the sandbox server, and ours against theirs.

1. The official SDKs, pointed at the sandbox server (`python -m providers.sandbox`), parse its answers:
   Deepgram pre-recorded, live WebSocket and speak; ElevenLabs convert, stream and speech-to-text;
   the OpenAI Realtime client in both dialects (GA and Grok's).
2. For the same call, the request our AsyncClient builds equals the SDK's (captured with
   httpx.MockTransport, or the SDK's WebSocket connect patched): method, path, query, auth, body.
3. Our client over real HTTP and WebSockets against the same server.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

deepgram = pytest.importorskip("deepgram")
elevenlabs = pytest.importorskip("elevenlabs")
openai = pytest.importorskip("openai")

from deepgram.environment import DeepgramClientEnvironment  # noqa: E402
from deepgram.listen.v1.types.listen_v1results import ListenV1Results  # noqa: E402
from deepgram.types.listen_v1response import ListenV1Response  # noqa: E402
from elevenlabs.types.speech_to_text_chunk_response_model import SpeechToTextChunkResponseModel  # noqa: E402

from providers.audio.wav import read_wav  # noqa: E402
from providers.chat.base import auth_headers  # noqa: E402
from providers.client import AsyncClient  # noqa: E402
from providers.registry import provider_spec  # noqa: E402
from providers.sandbox.audio import read_watermark  # noqa: E402
from tests.conformance.test_sdk_oracles import sandbox_url  # noqa: E402,F401  (the server fixture)
from tests.helpers import FIXTURES, fixture_json  # noqa: E402

pytestmark = pytest.mark.conformance

TEXT = "Conformance speaks. The SDK listens!"
GEORGE = "JBFqnCBsd6RMkjVDRZzb"
WAV = (FIXTURES / "audio" / "speech.wav").read_bytes()


@pytest.fixture
def dg(sandbox_url: str) -> Any:  # noqa: F811
    port = urlsplit(sandbox_url).port
    env = DeepgramClientEnvironment(
        base=f"{sandbox_url}/deepgram",
        production=f"ws://127.0.0.1:{port}/deepgram",
        agent=f"ws://127.0.0.1:{port}/none",
        agent_rest=f"{sandbox_url}/none",
    )
    return deepgram.DeepgramClient(api_key="dg-test", environment=env, max_retries=0)


@pytest.fixture
def el(sandbox_url: str) -> Any:  # noqa: F811
    return elevenlabs.ElevenLabs(api_key="el-test", base_url=f"{sandbox_url}/elevenlabs")


# --- 1. the SDKs parse the sandbox ------------------------------------------------------------------


def test_sdk_fixtures_are_valid_sdk_types() -> None:
    """The unit tests' JSON fixtures are what the SDK types accept."""
    assert ListenV1Response.model_validate(fixture_json("deepgram_listen.json")).results.utterances
    assert ListenV1Results.model_validate(fixture_json("deepgram_live_results.json")).is_final
    assert SpeechToTextChunkResponseModel.model_validate(fixture_json("elevenlabs_stt.json")).words


def test_deepgram_sdk_speak_then_transcribe(dg: Any) -> None:
    audio = b"".join(
        dg.speak.v1.audio.generate(
            text=TEXT, model="aura-2-thalia-en", encoding="linear16", container="wav", sample_rate=16000
        )
    )
    info = read_wav(audio)
    assert info is not None and info.sample_rate == 16000 and info.info["ICMT"] == TEXT
    response = dg.listen.v1.media.transcribe_file(
        request=audio, model="nova-3", smart_format=True, utterances=True, diarize=True
    )
    assert isinstance(response, ListenV1Response)
    alternative = response.results.channels[0].alternatives[0]
    assert alternative.transcript == TEXT
    assert [w.punctuated_word for w in alternative.words] == TEXT.split()
    assert all(w.speaker == 0 for w in alternative.words)
    assert [u.transcript for u in response.results.utterances] == ["Conformance speaks.", "The SDK listens!"]
    assert response.metadata.duration == pytest.approx(info.duration, abs=0.01)


def test_deepgram_sdk_live_socket(dg: Any) -> None:
    audio = b"".join(
        dg.speak.v1.audio.generate(
            text=TEXT, model="aura-2-thalia-en", encoding="linear16", container="wav", sample_rate=16000
        )
    )
    kinds: list[str] = []
    finals: list[str] = []
    with dg.listen.v1.connect(model="nova-3", smart_format="true", interim_results="true") as socket:
        for i in range(0, len(audio), 4000):
            socket.send_media(audio[i : i + 4000])
        socket.send_close_stream()
        for message in socket:
            kinds.append(type(message).__name__)
            if isinstance(message, ListenV1Results) and message.is_final:
                finals.append(message.channel.alternatives[0].transcript)
    assert "ListenV1Results" in kinds and kinds[-1] == "ListenV1Metadata"
    assert " ".join(finals) == TEXT


def test_deepgram_sdk_sees_errors(dg: Any) -> None:
    from deepgram.core.api_error import ApiError

    with pytest.raises(ApiError) as info:
        dg.listen.v1.media.transcribe_file(request=b"not audio at all", model="nova-3")
    assert info.value.status_code == 400


def test_elevenlabs_sdk_convert_stream_and_transcribe(el: Any) -> None:
    audio = b"".join(
        el.text_to_speech.convert(
            voice_id=GEORGE, text=TEXT, model_id="eleven_flash_v2_5", output_format="wav_16000"
        )
    )
    assert audio[:4] == b"RIFF"
    chunks = list(
        el.text_to_speech.stream(
            voice_id=GEORGE,
            text=TEXT,
            model_id="eleven_flash_v2_5",
            output_format="pcm_16000",
            optimize_streaming_latency=3,
        )
    )
    assert len(chunks) > 1 and read_watermark(b"".join(chunks)) == TEXT
    result = el.speech_to_text.convert(
        model_id="scribe_v2", file=("speech.wav", audio, "audio/wav"), diarize=True
    )
    assert isinstance(result, SpeechToTextChunkResponseModel)
    assert result.text == TEXT
    assert [w.text for w in result.words if w.type == "word"] == TEXT.split()


def test_elevenlabs_sdk_sees_errors(el: Any) -> None:
    from elevenlabs.core.api_error import ApiError

    with pytest.raises(ApiError) as info:
        b"".join(el.text_to_speech.convert(voice_id=GEORGE, text=TEXT, output_format="mp3_44100_999"))
    assert info.value.status_code == 422


@pytest.mark.parametrize(("path", "model"), [("openai/v1", "gpt-realtime"), ("xai/v1", "grok-voice-latest")])
async def test_openai_realtime_client_parses_both_dialects(sandbox_url: str, path: str, model: str) -> None:  # noqa: F811
    client = openai.AsyncOpenAI(base_url=f"{sandbox_url}/{path}", api_key="sk-test", max_retries=0)
    session = (
        {"type": "realtime", "audio": {"input": {"turn_detection": None}}}
        if path.startswith("openai")
        else {"voice": "eve", "turn_detection": None}
    )
    types: list[str] = []
    transcript = ""
    async with client.realtime.connect(model=model) as connection:
        await connection.session.update(session=session)  # type: ignore[arg-type]
        await connection.conversation.item.create(
            item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hello SDK"}]}
        )
        await connection.response.create()
        async for event in connection:
            types.append(event.type)
            if event.type == "response.output_audio_transcript.delta":
                transcript += event.delta
            if event.type == "response.done":
                assert event.response.status == "completed"
                break
    await client.close()
    assert types[0] == ("session.created" if path.startswith("openai") else "conversation.created")
    assert "response.output_audio.delta" in types and "Hello SDK" in transcript


# --- 2. our requests equal the SDKs' ---------------------------------------------------------------


class Capture:
    def __init__(self, body: bytes = b"{}", content_type: str = "application/json") -> None:
        self.requests: list[httpx.Request] = []
        self.body, self.content_type = body, content_type

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return httpx.Response(200, content=self.body, headers={"content-type": self.content_type})


def _pairs(url: str) -> list[tuple[str, str]]:
    return sorted(parse_qsl(urlsplit(url).query))


def _same(ours: Any, theirs: httpx.Request, *, auth: str) -> None:
    assert ours.method == theirs.method
    assert urlsplit(ours.url).path == theirs.url.path
    assert urlsplit(ours.url).netloc == theirs.url.host
    assert _pairs(ours.url) == sorted(parse_qsl(theirs.url.query.decode()))
    assert ours.headers[auth] == theirs.headers[auth]


def _dg_sdk(handler: Capture) -> Any:
    return deepgram.DeepgramClient(
        api_key=os.environ["DEEPGRAM_API_KEY"],
        httpx_client=httpx.Client(transport=httpx.MockTransport(handler)),
        max_retries=0,
    )


def test_deepgram_transcribe_request_matches_sdk() -> None:
    handler = Capture(json.dumps(fixture_json("deepgram_listen.json")).encode())
    _dg_sdk(handler).listen.v1.media.transcribe_file(
        request=WAV, model="nova-3", smart_format=True, diarize=True, keyterm=["fox", "dog"]
    )
    ours = (
        AsyncClient()
        .prepare_transcription(
            WAV, model="deepgram/nova-3", smart_format=True, diarize=True, keyterm=["fox", "dog"]
        )
        .call
    )
    theirs = handler.requests[0]
    _same(ours, theirs, auth="authorization")
    assert ours.content == theirs.content
    # by design: we send the sniffed type (Deepgram's docs do the same); the SDK sends octet-stream
    assert (ours.headers["content-type"], theirs.headers["content-type"]) == (
        "audio/wav",
        "application/octet-stream",
    )


def test_deepgram_transcribe_url_request_matches_sdk() -> None:
    handler = Capture(json.dumps(fixture_json("deepgram_listen.json")).encode())
    _dg_sdk(handler).listen.v1.media.transcribe_url(
        url="https://example.com/a.wav", model="nova-3", punctuate=True
    )
    ours = (
        AsyncClient()
        .prepare_transcription("https://example.com/a.wav", model="deepgram/nova-3", punctuate=True)
        .call
    )
    theirs = handler.requests[0]
    _same(ours, theirs, auth="authorization")
    assert ours.json_body == json.loads(theirs.content)
    assert ours.headers["content-type"] == theirs.headers["content-type"] == "application/json"


def test_deepgram_speak_request_matches_sdk() -> None:
    handler = Capture(b"RIFF", "audio/wav")
    for _ in _dg_sdk(handler).speak.v1.audio.generate(
        text="Hi there", model="aura-2-thalia-en", encoding="linear16", container="wav", sample_rate=24000
    ):
        pass
    ours = (
        AsyncClient()
        .prepare_speech("Hi there", model="deepgram/aura-2", voice="thalia", output_format="wav_24000")
        .call
    )
    theirs = handler.requests[0]
    _same(ours, theirs, auth="authorization")
    assert ours.json_body == json.loads(theirs.content)


def test_deepgram_live_url_matches_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    import deepgram.listen.v1.raw_client as raw

    seen: dict[str, Any] = {}

    def fake_connect(url: str, additional_headers: dict[str, str]) -> Any:
        seen.update(url=url, headers=additional_headers)
        raise ConnectionAbortedError("captured")

    monkeypatch.setattr(raw.websockets_sync_client, "connect", fake_connect)
    with (
        pytest.raises(Exception, match="captured"),
        deepgram.DeepgramClient(api_key=os.environ["DEEPGRAM_API_KEY"]).listen.v1.connect(
            model="nova-3",
            interim_results="true",
            smart_format="true",
            encoding="linear16",
            sample_rate="16000",
        ),
    ):
        pass
    plan = AsyncClient().prepare_live(
        iter([bytes(3200)]),
        model="deepgram/nova-3",
        smart_format=True,
        encoding="linear16",
        sample_rate=16000,
    )
    assert plan.url.split("?")[0] == seen["url"].split("?")[0] == "wss://api.deepgram.com/v1/listen"
    assert _pairs(plan.url) == _pairs(seen["url"])
    assert plan.headers["authorization"] == seen["headers"]["Authorization"]


def _el_sdk(handler: Capture) -> Any:
    return elevenlabs.ElevenLabs(
        api_key=os.environ["ELEVENLABS_API_KEY"],
        httpx_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )


@pytest.mark.parametrize("stream", [False, True])
def test_elevenlabs_speak_request_matches_sdk(stream: bool) -> None:
    handler = Capture(b"RIFF", "audio/wav")
    sdk = _el_sdk(handler).text_to_speech
    kwargs: dict[str, Any] = {
        "voice_id": GEORGE,
        "text": "Hi there",
        "model_id": "eleven_flash_v2_5",
        "output_format": "wav_24000",
        "optimize_streaming_latency": 4,
        "voice_settings": elevenlabs.VoiceSettings(stability=0.5, similarity_boost=0.75),
    }
    for _ in sdk.stream(**kwargs) if stream else sdk.convert(**kwargs):
        pass
    ours = (
        AsyncClient()
        .prepare_speech(
            "Hi there",
            model="elevenlabs/eleven_flash_v2_5",
            voice="George",
            latency="max_no_normalizer",
            output_format="wav_24000",
            voice_settings={"stability": 0.5, "similarity_boost": 0.75},
            stream=stream,
        )
        .call
    )
    theirs = handler.requests[0]
    _same(ours, theirs, auth="xi-api-key")
    assert ours.json_body == json.loads(theirs.content)


def _form(content_type: str, body: bytes) -> dict[str, Any]:
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    out: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        out[name] = (part.get_filename(), payload) if part.get_filename() else payload.decode()
    return out


def test_elevenlabs_transcribe_request_matches_sdk() -> None:
    handler = Capture(json.dumps(fixture_json("elevenlabs_stt.json")).encode())
    _el_sdk(handler).speech_to_text.convert(
        model_id="scribe_v2", file=("audio.wav", WAV, "audio/wav"), diarize=True
    )
    ours = AsyncClient().prepare_transcription(WAV, model="elevenlabs/scribe_v2", diarize=True).call
    theirs = handler.requests[0]
    _same(ours, theirs, auth="xi-api-key")
    our_form = _form(ours.headers["content-type"], ours.content)
    their_form = _form(theirs.headers["content-type"], theirs.content)
    # the SDK also sends JSON "null"s for unset object fields; every field we send, it sends alike
    assert {k: v for k, v in their_form.items() if v != "null"} == our_form


@pytest.mark.parametrize(("provider", "model"), [("openai", "gpt-realtime"), ("xai", "grok-voice-latest")])
async def test_realtime_handshake_matches_the_openai_client(
    monkeypatch: pytest.MonkeyPatch, provider: str, model: str
) -> None:
    import openai.lib._websocket as ws_module

    seen: dict[str, Any] = {}

    async def fake_connect(url: str, **kwargs: Any) -> Any:
        seen.update(url=url, headers=kwargs.get("additional_headers", {}))
        raise ConnectionAbortedError("captured")

    monkeypatch.setattr(ws_module, "_WebSocketConnect", fake_connect)
    spec = provider_spec(provider)
    key = os.environ[spec.env[0]]
    client = openai.AsyncOpenAI(api_key=key, base_url=spec.base_url)
    with pytest.raises(ConnectionAbortedError):
        async with client.realtime.connect(model=model):
            pass
    ours = AsyncClient().realtime(f"{provider}/{model}")
    conn = ours.client.connection(spec)
    assert ours.dialect.url(conn.base_url, model) == seen["url"]
    assert auth_headers(conn)["authorization"] == seen["headers"]["Authorization"]
    assert not any(
        k.lower() == "openai-beta" for k in seen["headers"]
    )  # GA: no beta header, nor do we send one


# --- 3. our client over real HTTP and WebSockets -------------------------------------------------------


@pytest.fixture
def ours(sandbox_url: str) -> Iterator[AsyncClient]:  # noqa: F811
    yield AsyncClient(
        base_urls={
            "deepgram": f"{sandbox_url}/deepgram",
            "elevenlabs": f"{sandbox_url}/elevenlabs",
            "xai": f"{sandbox_url}/xai/v1",
            "openai": f"{sandbox_url}/openai/v1",
        },
        max_retries=0,
    )


async def test_our_voice_calls_over_http(ours: AsyncClient) -> None:
    speech = await ours.speak(TEXT, output_format="pcm_24000", latency="strong", stream=True)
    assert not speech.sandbox and speech.endpoint.startswith("http://127.0.0.1")
    assert speech.ttfb_s is not None and read_watermark(speech.audio) == TEXT
    heard = await ours.transcribe(speech.wav(), smart_format=True)
    assert heard.text == TEXT
    finals = [r.text async for r in ours.transcribe_live(speech.wav(), smart_format=True) if r.is_final]
    assert " ".join(finals) == TEXT
    for model in ("xai/grok-voice-latest", "openai/gpt-realtime"):
        async with ours.realtime(model) as session:
            turn = await session.say("Over the wire?")
            assert "Over the wire?" in turn.text and read_watermark(turn.audio) == turn.text
    await ours.aclose()
