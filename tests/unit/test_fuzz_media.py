"""Property: malformed replies to speech, live-transcription, realtime and video-job calls end in a
usable result or a typed error, never a raw Python exception (tests/fuzzing.py has the strategies)."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.errors import LLMKitError, ProviderError, ResponseFormatError
from tests.conftest import CANARY
from tests.fuzzing import (
    JOB_TARGETS,
    SPEECH_TARGETS,
    SPEECH_WAV,
    JobTarget,
    Outcome,
    SpeechTarget,
    bodies,
    dumps,
    fuzz_settings,
    json_values,
    mock_client,
    mutated,
    reply_headers,
    transcription_case,
)
from tests.fuzzing import job_case as _job_case
from tests.helpers import fixture_json

ERROR_STATUSES = st.sampled_from([400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 529])


def check(outcome: Outcome, provider: str) -> None:
    if outcome.kind == "escape":
        raise AssertionError(f"{provider}: {outcome.label} escaped") from outcome.value
    if outcome.kind == "typed":
        assert isinstance(outcome.value, LLMKitError)
        if isinstance(outcome.value, ProviderError):
            assert outcome.value.provider == provider
            assert CANARY not in f"{outcome.value} {getattr(outcome.value, 'excerpt', '')}"


@pytest.mark.parametrize("target", SPEECH_TARGETS, ids=[t.name for t in SPEECH_TARGETS])
@fuzz_settings
@given(data=st.data())
def test_transcription_replies(target: SpeechTarget, data: Any) -> None:
    status = data.draw(st.just(200) | ERROR_STATUSES, label="status")
    seed = fixture_json(target.seed) if status == 200 else {"detail": {"status": "bad", "message": "no"}}
    body = data.draw(bodies(seed), label="body")
    headers = data.draw(reply_headers(target.request_id_header), label="headers")
    outcome = transcription_case(target, status=status, body=body, headers=headers)
    check(outcome, target.name)
    if isinstance(outcome.value, ResponseFormatError):
        assert outcome.value.request_id == headers.get(target.request_id_header)


@pytest.mark.parametrize("target", JOB_TARGETS, ids=[t.name for t in JOB_TARGETS])
@fuzz_settings
@given(data=st.data())
def test_job_replies(target: JobTarget, data: Any) -> None:
    status = data.draw(st.just(200) | ERROR_STATUSES, label="status")
    seed = data.draw(st.sampled_from(target.seed_docs()), label="seed")
    body = data.draw(bodies(seed), label="body")
    step = data.draw(st.sampled_from(["submit", "poll"]), label="step")
    headers = data.draw(reply_headers(target.request_id_header), label="headers")
    check(_job_case(target, step=step, status=status, body=body, headers=headers), target.name)


# -- live transcription messages (Deepgram's socket) ----------------------------------------------

LIVE_SEEDS = [
    fixture_json("deepgram_live_results.json"),
    {"type": "Metadata", "request_id": "r-1", "duration": 1.0, "channels": 1},
    {"type": "Error", "description": "bad audio", "variant": "DATA-0000"},
    {"type": "SpeechStarted", "timestamp": 0.5, "channel": [0]},
    {"type": "UtteranceEnd", "last_word_end": 1.2, "channel": [0]},
]


def _live_plan() -> Any:
    from providers.audio.calls import prepare_live

    return prepare_live(mock_client(lambda request: None), SPEECH_WAV, model="deepgram/nova-3")  # type: ignore[arg-type,return-value]


@fuzz_settings
@given(
    message=st.sampled_from(LIVE_SEEDS).flatmap(
        lambda seed: bodies(seed).map(lambda b: b.decode("utf-8", "replace"))
    )
)
def test_live_transcription_messages(message: str) -> None:
    from providers.audio.calls import live_message
    from providers.audio.types import LiveResult

    try:
        result = live_message(_live_plan(), message)
    except LLMKitError as exc:
        assert exc.provider == "deepgram"
        return
    assert result is None or isinstance(result, LiveResult)


# -- realtime events (xAI / OpenAI realtime) ------------------------------------------------------

REALTIME_SEEDS = [
    {"type": "session.created", "session": {"id": "s-1", "voice": "Ara"}},
    {"type": "response.created", "response": {"id": "resp-1", "status": "in_progress"}},
    {"type": "response.output_audio_transcript.delta", "delta": "Hel"},
    {"type": "response.output_text.delta", "delta": "lo"},
    {"type": "response.output_audio.delta", "delta": base64.b64encode(b"\x00\x01" * 8).decode()},
    {"type": "conversation.item.input_audio_transcription.completed", "transcript": "hi"},
    {
        "type": "response.done",
        "response": {
            "id": "resp-1",
            "status": "completed",
            "output": [{"type": "message", "content": [{"type": "output_audio", "transcript": "Hello"}]}],
            "usage": {"input_tokens": 3, "output_tokens": 5, "total_tokens": 8},
        },
    },
    {"type": "error", "error": {"type": "invalid_request_error", "code": "x", "message": "bad"}},
]


@fuzz_settings
@given(
    messages=st.lists(
        st.sampled_from(REALTIME_SEEDS).flatmap(
            lambda seed: st.one_of(mutated(seed).map(dumps), st.just(dumps(seed)), json_values.map(dumps))
        ),
        min_size=1,
        max_size=6,
    )
)
def test_realtime_events(messages: list[bytes]) -> None:
    from providers.realtime.session import RealtimeSession
    from providers.realtime.types import RealtimeEvent

    async def run() -> None:
        client = mock_client(lambda request: None)  # type: ignore[arg-type,return-value]
        session = RealtimeSession(client, "xai/grok-voice-latest")
        for message in messages:
            try:
                events = session.receive(message.decode())
            except ResponseFormatError as exc:
                assert exc.provider == "xai" and exc.where == "a realtime event"
                continue
            assert all(isinstance(e, RealtimeEvent) for e in events)

    asyncio.run(run())


def test_realtime_garbled_event_is_typed() -> None:
    """An audio delta that is not base64 (bad padding) is a ResponseFormatError naming the event, not a binascii error."""
    from providers.realtime.session import RealtimeSession

    session = RealtimeSession(mock_client(lambda request: None), "xai/grok-voice-latest")  # type: ignore[arg-type,arg-type]
    with pytest.raises(ResponseFormatError, match="realtime event") as info:
        session.receive(json.dumps({"type": "response.output_audio.delta", "delta": "abc"}))
    assert info.value.__cause__ is not None
