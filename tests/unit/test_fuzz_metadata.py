"""Property: a reply whose metadata alone is garbled still gives its answer.

Metadata is what a reply says about itself, not what it says: ids, model, usage and its sub-objects,
finish and stop reasons and details, timestamps (tests/fuzzing.py METADATA_LEAVES / METADATA_TREES).
When only those hold values of the wrong type (a `model` that is a list, a finish reason that is an
object, token counts as text), every chat codec, plain and streamed, must return the answer: the same
text (and, for the recorded tool-call replies, the same calls) as the intact reply, with the garbled
fields as unknown. The one allowed exception: a stream whose final marker was garbled to null cannot
tell it finished, so it may end in IncompleteStreamError -- with the whole answer on `.partial`.

Before the codecs read these fields through providers/fields.py, 25.5% of such cases lost the answer
(`LLMKIT_FUZZ_TALLY=metadata python -m tests.fuzzing --examples 300`: 1,379 of 5,400).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.errors import IncompleteStreamError
from providers.types import ChatResult, ToolCallPart
from tests.fuzzing import (
    CHAT_TARGETS,
    ChatTarget,
    Outcome,
    chat_case,
    dumps,
    frames_of,
    fuzz_settings,
    metadata_garbled,
    metadata_garbled_stream,
    metadata_label,
    metadata_paths,
    sse_bytes,
    sse_frames,
)
from tests.unit.recorded.corpus import Recording, chat_recordings, request_model

IDS = [t.name for t in CHAT_TARGETS]


def _answer(target: ChatTarget, body: bytes, *, stream: bool) -> str:
    outcome = chat_case(target, status=200, body=body, headers={}, stream=stream)
    assert outcome.kind == "result", outcome.label
    text: str = outcome.value.text
    assert text
    return text


def _check(outcome: Outcome, answer: str) -> None:
    label = metadata_label(outcome, answer)
    assert label in ("kept", "kept:partial"), f"{label}: {outcome.value!r}"[:600]


@pytest.mark.parametrize("target", CHAT_TARGETS, ids=IDS)
@fuzz_settings
@given(data=st.data())
def test_plain_reply_with_garbled_metadata_keeps_its_answer(target: ChatTarget, data: Any) -> None:
    seed = target.plain_seed()
    answer = _answer(target, dumps(seed), stream=False)
    doc = data.draw(metadata_garbled(seed), label="reply")
    _check(chat_case(target, status=200, body=dumps(doc), headers={}, stream=False), answer)


@pytest.mark.parametrize("target", CHAT_TARGETS, ids=IDS)
@fuzz_settings
@given(data=st.data())
def test_streamed_reply_with_garbled_metadata_keeps_its_answer(target: ChatTarget, data: Any) -> None:
    frames = sse_frames(target.stream)
    answer = _answer(target, sse_bytes(frames), stream=True)
    garbled = data.draw(metadata_garbled_stream(frames), label="frames")
    _check(chat_case(target, status=200, body=sse_bytes(garbled), headers={}, stream=True), answer)


# -- the recorded replies: real metadata, tool calls, streamed arguments -----------------------------

RECORDINGS = [r for r in chat_recordings() if r.streamed or metadata_paths(r.payload())]


def _what(result: ChatResult) -> tuple[str, list[tuple[str, Any]]]:
    calls = [(p.name, p.arguments) for p in result.parts if isinstance(p, ToolCallPart)]
    return result.text, calls


@pytest.mark.parametrize("rec", RECORDINGS, ids=[r.file for r in RECORDINGS])
@fuzz_settings
@given(data=st.data())
def test_recorded_reply_with_garbled_metadata_keeps_its_answer_and_calls(rec: Recording, data: Any) -> None:
    options = {"api": "chat"} if rec.provider == "openai" and rec.api == "chat" else {}
    target = ChatTarget(rec.file, request_model(rec.provider), None, "", None, options=options)
    if rec.streamed:
        frames = frames_of(rec.wire())
        intact = chat_case(target, status=200, body=sse_bytes(frames), headers={}, stream=True)
        body = sse_bytes(data.draw(metadata_garbled_stream(frames), label="frames"))
    else:
        intact = chat_case(target, status=200, body=dumps(rec.payload()), headers={}, stream=False)
        body = dumps(data.draw(metadata_garbled(rec.payload()), label="reply"))
    assert intact.kind == "result", intact.label
    outcome = chat_case(target, status=200, body=body, headers={}, stream=rec.streamed)
    if isinstance(outcome.value, IncompleteStreamError):
        got = outcome.value.partial
    else:
        assert outcome.kind == "result", f"{outcome.label}: {outcome.value!r}"[:600]
        got = outcome.value
    assert _what(got) == _what(intact.value)
