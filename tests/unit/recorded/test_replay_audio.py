"""Replay the recorded Deepgram and ElevenLabs transcripts through our codecs and client.

Each is compared with the values the manifest states (checked by hand) and with the provider's official
SDK model of the same body (deepgram-sdk `ListenV1Response` / `ListenV1Results`, elevenlabs
`SpeechToTextChunkResponseModel`): transcript, every word with its timing, confidence and speaker.
"""

from __future__ import annotations

from typing import Any

import pytest

from providers.audio.deepgram import Deepgram
from providers.audio.elevenlabs import ElevenLabs
from providers.client import AsyncClient

from . import corpus
from .corpus import Recording

AUDIO = (corpus.ROOT.parent / "audio" / "speech.wav").read_bytes()
REST = [r for r in corpus.load() if r.provider in corpus.AUDIO_PROVIDERS and r.api != "live"]
LIVE = [r for r in corpus.load() if r.provider == "deepgram" and r.api == "live"]


def _sdk_words(rec: Recording) -> list[tuple[str, str, float | None, float | None, float | None, Any]]:
    """(word, written form, start, end, confidence, speaker) of each word, read by the provider's SDK."""
    if rec.provider == "deepgram":
        from deepgram.types.listen_v1response import ListenV1Response

        alt = ListenV1Response.model_validate(rec.payload()).results.channels[0].alternatives[0]
        return [
            (w.word, w.punctuated_word, w.start, w.end, w.confidence, getattr(w, "speaker", None))
            for w in alt.words
        ]
    from elevenlabs.types.speech_to_text_chunk_response_model import SpeechToTextChunkResponseModel

    model = SpeechToTextChunkResponseModel.model_validate(rec.payload())
    # spacing and audio-event entries are not words; the logprob becomes a 0..1 confidence (exp)
    return [(w.text, w.text, w.start, w.end, None, w.speaker_id) for w in model.words if w.type == "word"]


def _ours(transcript: Any) -> list[tuple[str, str, float | None, float | None, float | None, Any]]:
    return [(w.word, w.text, w.start, w.end, w.confidence, w.speaker) for w in transcript.words]


def _check(rec: Recording, transcript: Any) -> None:
    want = rec.expect
    if "text" in want:
        assert transcript.text == want["text"]
    else:
        assert transcript.text.startswith(want["text_start"])
    assert len(transcript.words) == want["words"]
    first = transcript.words[0]
    assert [first.shown, first.start, first.end] == want["first_word"]
    assert transcript.duration == want["duration"]
    if rec.provider == "deepgram":
        assert transcript.request_id == want["request_id"] and transcript.model == want["model"]
        assert transcript.confidence == want["confidence"]
        assert _ours(transcript) == _sdk_words(rec)
    else:
        assert transcript.language == want["language"] and transcript.speakers == want["speakers"]
        theirs = _sdk_words(rec)
        assert [w[:4] + w[5:] for w in _ours(transcript)] == [w[:4] + w[5:] for w in theirs]
        assert all(0 < (w.confidence or 0) <= 1 for w in transcript.words)
        assert transcript.request_id == rec.payload()["transcription_id"]


@pytest.mark.parametrize("rec", REST, ids=[r.file for r in REST])
def test_codec_alone(rec: Recording) -> None:
    codec = Deepgram() if rec.provider == "deepgram" else ElevenLabs()
    _check(rec, codec.parse_transcript(rec.payload(), model="recorded"))


@pytest.mark.parametrize("seed", [None, 7])
@pytest.mark.parametrize("rec", REST, ids=[r.file for r in REST])
async def test_client_end_to_end(rec: Recording, seed: int | None) -> None:
    """transcribe() through a MockTransport answering with the recorded body (whole, or in small pieces)."""
    seen: list[Any] = []
    async with corpus.mock_client(rec.path.read_bytes(), "application/json", seed=seed, seen=seen) as http:
        client = AsyncClient(http_client=http, max_retries=0, api_keys={rec.provider: corpus.KEY})
        model = "deepgram/nova-3" if rec.provider == "deepgram" else corpus.scribe_model()
        transcript = await client.transcribe(AUDIO, model=model)
    assert len(seen) == 1
    _check(rec, transcript)


@pytest.mark.parametrize("rec", LIVE, ids=[r.file for r in LIVE])
def test_deepgram_live_results(rec: Recording) -> None:
    from deepgram.listen.v1.types.listen_v1results import ListenV1Results

    result = Deepgram().parse_live(rec.payload())
    theirs = ListenV1Results.model_validate(rec.payload())
    want = rec.expect
    assert result is not None and not isinstance(result, Exception)
    assert result.text == want["text"] == theirs.channel.alternatives[0].transcript
    assert len(result.words) == want["words"]
    assert result.is_final is want["is_final"] is theirs.is_final
    assert result.speech_final is want["speech_final"]
    assert (result.start, result.duration) == (want["start"], want["duration"])
    assert [(w.word, w.text, w.start, w.end) for w in result.words] == [
        (w.word, w.punctuated_word, w.start, w.end) for w in theirs.channel.alternatives[0].words
    ]
    assert result.request_id == theirs.metadata.request_id


def test_three_recordings_each() -> None:
    for provider in corpus.AUDIO_PROVIDERS:
        assert sum(r.provider == provider for r in corpus.load()) >= 3, provider
