"""Property: replies recorded from the live APIs (tests/fixtures/recorded/), broken in places, end in a
result or a typed error through the real client, plain and streamed. They are the most realistic seeds
the fuzzers have: tool calls, redacted thinking, encrypted reasoning, cached-token usage."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.errors import LLMKitError
from providers.types import ChatResult
from tests.fuzzing import ChatTarget, bodies, chat_case, frames_of, fuzz_settings, mutated_stream, sse_bytes
from tests.unit.recorded.corpus import Recording, chat_recordings, request_model

RECORDINGS = chat_recordings()


def _target(rec: Recording) -> ChatTarget:
    options = {"api": "chat"} if rec.provider == "openai" and rec.api == "chat" else {}
    return ChatTarget(rec.file, request_model(rec.provider), None, "", None, options=options)


@pytest.mark.parametrize("rec", RECORDINGS, ids=[r.file for r in RECORDINGS])
@fuzz_settings
@given(data=st.data())
def test_recorded_replies_broken_in_places(rec: Recording, data: Any) -> None:
    target = _target(rec)
    if rec.streamed:
        body = sse_bytes(data.draw(mutated_stream(frames_of(rec.wire())), label="frames"))
    else:
        body = data.draw(bodies(rec.payload()), label="body")
    outcome = chat_case(target, status=200, body=body, headers={}, stream=rec.streamed)
    if outcome.kind == "escape":
        raise AssertionError(f"{rec.file}: {outcome.label} escaped") from outcome.value
    assert isinstance(outcome.value, ChatResult | LLMKitError)
    if isinstance(outcome.value, LLMKitError):
        assert outcome.value.provider == rec.provider
