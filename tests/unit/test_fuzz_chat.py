"""Property: no reply, however malformed, makes a chat call raise anything but a typed error.

Every chat codec (OpenAI Responses and Chat, OpenAI-compatible, Anthropic, Gemini, Vertex, DeepSeek,
xAI, Mistral), plain and streamed, plus error statuses with strange bodies and headers, through the
real AsyncClient path (tests/fuzzing.py). Quick profile in `make test`, long one in `make fuzz`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.boundary import EXCERPT_CHARS
from providers.errors import IncompleteStreamError, ProviderError, ResponseFormatError
from providers.types import ChatResult
from tests.conftest import CANARY
from tests.fuzzing import (
    CHAT_TARGETS,
    ChatTarget,
    Outcome,
    _get,
    _paths,
    bodies,
    chat_case,
    dumps,
    fuzz_settings,
    mutated_stream,
    reply_headers,
    sse_bytes,
    sse_frames,
)

IDS = [t.name for t in CHAT_TARGETS]
ERROR_STATUSES = st.sampled_from(
    [400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503, 504, 529]
) | st.integers(400, 599)


def check(
    outcome: Outcome, target: ChatTarget, headers: dict[str, str], *, status: int | None = None
) -> None:
    """A result, or a typed error that says who failed, keeps the request id and shows no key."""
    if outcome.kind == "escape":
        raise AssertionError(f"{target.name}: {outcome.label} escaped") from outcome.value
    if outcome.kind == "result":
        assert isinstance(outcome.value, ChatResult)
        return
    error = outcome.value
    assert isinstance(error, ProviderError), f"{type(error).__name__}: {error}"
    assert error.provider == target.model.split("/")[0]
    shown = f"{error} {error!r} {getattr(error, 'excerpt', '')} {error.body!r}"
    assert CANARY not in shown
    if status is not None:
        assert error.status == status
    if isinstance(error, ResponseFormatError):
        assert len(error.excerpt) <= EXCERPT_CHARS and error.where
    if isinstance(error, ResponseFormatError | IncompleteStreamError):
        assert error.request_id == headers.get(target.request_id_header)


def _echo_key(provider: str) -> st.SearchStrategy[bytes]:
    """A body that echoes the caller's key back, as some providers' 401s do."""
    key = f"{CANARY}-{provider}"
    return st.sampled_from(
        [
            json.dumps({"error": {"message": f"Incorrect API key provided: {key}"}}).encode(),
            f"invalid key {key}".encode(),
            f"data: {key}".encode(),
        ]
    )


@pytest.mark.parametrize("target", CHAT_TARGETS, ids=IDS)
@fuzz_settings
@given(data=st.data())
def test_plain_replies(target: ChatTarget, data: Any) -> None:
    headers = data.draw(reply_headers(target.request_id_header), label="headers")
    headers.pop("retry-after", None)
    provider = target.model.split("/")[0]
    body = data.draw(bodies(target.plain_seed()) | _echo_key(provider), label="body")
    check(chat_case(target, status=200, body=body, headers=headers, stream=False), target, headers)


@pytest.mark.parametrize("target", CHAT_TARGETS, ids=IDS)
@fuzz_settings
@given(data=st.data())
def test_streamed_replies(target: ChatTarget, data: Any) -> None:
    headers = data.draw(reply_headers(target.request_id_header), label="headers")
    frames = data.draw(mutated_stream(sse_frames(target.stream)), label="frames")
    outcome = chat_case(target, status=200, body=sse_bytes(frames), headers=headers, stream=True)
    check(outcome, target, headers)


@pytest.mark.parametrize("target", CHAT_TARGETS, ids=IDS)
@fuzz_settings
@given(data=st.data())
def test_error_replies(target: ChatTarget, data: Any) -> None:
    status = data.draw(ERROR_STATUSES, label="status")
    headers = data.draw(reply_headers(target.request_id_header), label="headers")
    provider = target.model.split("/")[0]
    body = data.draw(bodies(target.error) | _echo_key(provider), label="body")
    outcome = chat_case(target, status=status, body=body, headers=headers, stream=data.draw(st.booleans()))
    assert outcome.kind == "typed", outcome.label
    check(outcome, target, headers, status=status)


# -- a good answer survives a missing or null optional field ---------------------------------------

DISCRIMINATORS = {"type", "thought"}  # without these a block means something else, by design


def _answer(target: ChatTarget) -> str:
    outcome = chat_case(target, status=200, body=dumps(target.plain_seed()), headers={}, stream=False)
    assert outcome.kind == "result", outcome.label
    text: str = outcome.value.text
    return text


@st.composite
def _stripped(draw: Any, seed: Any, answer: str) -> Any:
    """The seed with one field that is not the answer's own removed or set to null."""
    paths = [
        p
        for p in _paths(seed)
        if p and p[-1] not in DISCRIMINATORS and answer[:12] not in json.dumps(_get(seed, p))
    ]
    path = draw(st.sampled_from(paths))
    doc = json.loads(json.dumps(seed))
    parent = _get(doc, path[:-1])
    if draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = None
    return doc


@pytest.mark.parametrize("target", CHAT_TARGETS, ids=IDS)
@fuzz_settings
@given(data=st.data())
def test_answer_survives_a_missing_optional_field(target: ChatTarget, data: Any) -> None:
    answer = _answer(target)
    doc = data.draw(_stripped(target.plain_seed(), answer), label="reply")
    outcome = chat_case(target, status=200, body=dumps(doc), headers={}, stream=False)
    assert outcome.kind == "result", f"{outcome.label}: {outcome.value}"
    assert outcome.value.text == answer
