"""The codec boundary (providers/boundary.py): what a provider sends that no codec can read becomes a
typed error with the provider, status, request id and a redacted excerpt; usable replies stay usable.

Also the regression tests of issue 11's defects 3 (usage on an error chunk), 4 (request id of a body
that is not JSON) and 5 (compare: one row per model, nothing left running)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx2
import pytest

from llmkit_nb import LLMKit
from providers.client import AsyncClient
from providers.errors import (
    BadRequestError,
    IncompleteStreamError,
    LLMKitError,
    RateLimitError,
    ResponseFormatError,
    StreamError,
)
from providers.types import ChatResult
from tests.conftest import CANARY
from tests.fuzzing import CHAT_TARGETS, DEEP, TARGETS_BY_NAME, chat_case, sse_bytes, sse_frames
from tests.helpers import FIXTURES

IDS = [t.name for t in CHAT_TARGETS]

# -- defect 4: a plain reply that is not JSON keeps its request id ---------------------------------


@pytest.mark.parametrize("target", CHAT_TARGETS, ids=IDS)
def test_body_that_is_not_json_keeps_the_request_id(target: Any) -> None:
    headers = {target.request_id_header: "req_abc123"}
    outcome = chat_case(target, status=200, body=b"<html>upstream</html>", headers=headers, stream=False)
    error = outcome.value
    assert isinstance(error, ResponseFormatError) and isinstance(error, StreamError)  # (still a StreamError)
    assert error.request_id == "req_abc123" and error.status == 200
    assert error.provider == target.model.split("/")[0] and error.where == "a reply body"
    assert "<html>upstream</html>" in error.excerpt and "req_abc123" in str(error)
    assert isinstance(error.__cause__, ValueError)


# -- the examples, for every codec ---------------------------------------------------------

BROKEN_BODIES = [
    b"null",
    b'{"usage":{"input_tokens":[]}}',
    b'{"choices":{"a":1}}',
    b'{"candidates":[null]}',
    b'{"output":[null]}',
    b'{"content":"x"}',
    DEEP,
]


@pytest.mark.parametrize("body", BROKEN_BODIES, ids=lambda b: b[:24].decode())
@pytest.mark.parametrize("target", CHAT_TARGETS, ids=IDS)
def test_broken_bodies_are_typed(target: Any, body: bytes) -> None:
    outcome = chat_case(target, status=200, body=body, headers={"x-request-id": "r1"}, stream=False)
    assert outcome.kind != "escape", outcome.label
    if outcome.kind == "typed":
        assert isinstance(outcome.value, ResponseFormatError), outcome.label
        assert outcome.value.__cause__ is not None or "not an object" in outcome.value.message


def test_a_body_that_is_json_but_not_an_object_says_what_it_is() -> None:
    outcome = chat_case(
        TARGETS_BY_NAME["anthropic"], status=200, body=b"null", headers={"request-id": "r"}, stream=False
    )
    assert isinstance(outcome.value, ResponseFormatError)
    assert "(JSON null, not an object)" in outcome.value.message and outcome.value.request_id == "r"


def test_deep_json_is_a_response_format_error() -> None:
    outcome = chat_case(TARGETS_BY_NAME["openai-chat"], status=200, body=DEEP, headers={}, stream=False)
    assert isinstance(outcome.value, ResponseFormatError)
    assert isinstance(outcome.value.__cause__, RecursionError)
    assert len(outcome.value.excerpt) <= 160 and outcome.value.excerpt.startswith("[[[")


def test_a_usage_count_of_the_wrong_shape_does_not_cost_the_answer() -> None:
    reply = json.loads((FIXTURES / "mistral_chat.json").read_text())
    reply["usage"]["prompt_tokens"] = []
    reply["id"] = {"not": "an id"}
    outcome = chat_case(
        TARGETS_BY_NAME["mistral"], status=200, body=json.dumps(reply).encode(), headers={}, stream=False
    )
    assert isinstance(outcome.value, ChatResult), outcome.label
    assert outcome.value.text and outcome.value.usage.input_tokens is None
    assert outcome.value.usage.output_tokens == reply["usage"]["completion_tokens"]
    assert outcome.value.response_id is None


def test_a_null_block_does_not_cost_the_other_blocks() -> None:
    reply = json.loads((FIXTURES / "anthropic_message.json").read_text())
    reply["content"].insert(0, None)
    outcome = chat_case(
        TARGETS_BY_NAME["anthropic"], status=200, body=json.dumps(reply).encode(), headers={}, stream=False
    )
    assert isinstance(outcome.value, ChatResult) and outcome.value.text == "42"


@pytest.mark.parametrize("target", CHAT_TARGETS, ids=IDS)
def test_frame_data_1_ends_the_stream_with_what_arrived(target: Any) -> None:
    frames = sse_frames(target.stream)
    frames.insert(len(frames) // 2, ("", "1"))
    headers = {target.request_id_header: "req_s1"}
    outcome = chat_case(target, status=200, body=sse_bytes(frames), headers=headers, stream=True)
    assert outcome.kind != "escape", outcome.label
    if outcome.kind == "typed":  # (a codec may also skip a frame it has no use for)
        error = outcome.value
        assert isinstance(error, IncompleteStreamError) and error.request_id == "req_s1"
        assert error.partial.incomplete and isinstance(error.partial, ChatResult)


def test_anthropic_delta_without_index_keeps_the_text_so_far() -> None:
    target = TARGETS_BY_NAME["anthropic"]
    frames = sse_frames(target.stream)
    at = next(i for i, (e, d) in enumerate(frames) if e == "content_block_delta" and "text_delta" in d)
    before = "".join(
        json.loads(d)["delta"]["text"]
        for e, d in frames[:at]
        if e == "content_block_delta" and "text_delta" in d
    )
    delta = json.loads(frames[at][1])
    del delta["index"]
    frames[at] = ("content_block_delta", json.dumps(delta))
    outcome = chat_case(target, status=200, body=sse_bytes(frames), headers={"request-id": "r9"}, stream=True)
    error = outcome.value
    assert isinstance(error, IncompleteStreamError), outcome.label
    assert isinstance(error.__cause__, ResponseFormatError) and isinstance(
        error.__cause__.__cause__, KeyError
    )
    assert error.__cause__.where == "a stream event 'content_block_delta'"
    assert error.partial.text == before and error.request_id == "r9"


# -- error bodies and headers no parser expects ----------------------------------------------------


@pytest.mark.parametrize("target", CHAT_TARGETS, ids=IDS)
def test_error_message_that_is_not_text(target: Any) -> None:
    body = b'{"error":{"message":123,"code":[1],"details":"x","status":{}}}'
    outcome = chat_case(
        target, status=400, body=body, headers={target.request_id_header: "req_e"}, stream=False
    )
    error = outcome.value
    assert isinstance(error, BadRequestError), outcome.label
    assert isinstance(error.message, str) and error.status == 400


@pytest.mark.parametrize("target", CHAT_TARGETS, ids=IDS)
def test_deep_error_body_and_retry_after_soon(target: Any) -> None:
    headers = {"retry-after": "soon", target.request_id_header: "req_deep"}
    outcome = chat_case(target, status=429, body=DEEP, headers=headers, stream=False)
    error = outcome.value
    assert isinstance(error, RateLimitError), outcome.label
    assert error.retry_after is None and error.request_id == "req_deep" and error.status == 429


def test_excerpts_are_redacted() -> None:
    key = f"{CANARY}-openai"
    body = ("x" * 150 + key).encode()  # the key straddles the excerpt's end: no half of it may show
    outcome = chat_case(TARGETS_BY_NAME["openai-responses"], status=200, body=body, headers={}, stream=False)
    error = outcome.value
    assert isinstance(error, ResponseFormatError)
    assert CANARY[:12] not in f"{error} {error!r} {error.excerpt}"


# -- defect 3: the usage on an OpenAI-compatible error chunk is kept ------------------------------


def test_usage_on_the_error_chunk_reaches_the_partial() -> None:
    frames = [
        (
            "",
            json.dumps({"id": "gen-1", "model": "m", "choices": [{"index": 0, "delta": {"content": "Hel"}}]}),
        ),
        (
            "",
            json.dumps(
                {
                    "id": "gen-1",
                    "model": "m",
                    "choices": [{"index": 0, "delta": {"content": "lo"}, "finish_reason": "error"}],
                    "error": {"code": 400, "message": "Token limit reached"},
                    "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
                }
            ),
        ),
        ("", "[DONE]"),
    ]
    outcome = chat_case(
        TARGETS_BY_NAME["compat"], status=200, body=sse_bytes(frames), headers={}, stream=True
    )
    error = outcome.value
    assert isinstance(error, IncompleteStreamError), outcome.label
    assert "Token limit reached" in error.message
    assert error.partial.usage.input_tokens == 11 and error.partial.usage.output_tokens == 7
    assert error.partial.text == "Hello"


# -- defect 5: compare gives one row per model and leaves nothing running --------------------------


def _compare_transport(broken_host: str) -> httpx2.MockTransport:
    good = (FIXTURES / "openai_response.json").read_bytes()

    def respond(request: httpx2.Request) -> httpx2.Response:
        if broken_host in (request.url.host or ""):
            return httpx2.Response(
                200, headers={"content-type": "application/json"}, content=b'{"content": 5}'
            )
        return httpx2.Response(200, headers={"content-type": "application/json"}, content=good)

    return httpx2.MockTransport(respond)


def test_compare_with_a_reply_that_breaks_its_codec_gives_one_row_per_model() -> None:
    http = httpx2.AsyncClient(transport=_compare_transport("anthropic"))
    models = ["openai/gpt-6.1-terra", "anthropic/claude-sonnet-5-5", "openai/gpt-6.2-sol"]
    with LLMKit(sandbox=True, http_client=http) as kit:
        comparison = kit.compare("hi", models)
    ok, broken, ok2 = comparison.results
    assert ok.text == "42" and ok2.text == "42"
    assert isinstance(broken, ResponseFormatError) and broken.provider == "anthropic"
    assert [row["model"] for row in comparison.rows()] == models


async def test_compare_cancels_the_other_calls_when_one_fails_unexpectedly(monkeypatch: Any) -> None:
    client = AsyncClient(sandbox=True)
    started, cancelled = asyncio.Event(), []

    async def chat(model: str, prompt: Any, **kwargs: Any) -> ChatResult:
        if model.startswith("openai"):
            await started.wait()
            raise RuntimeError("a bug, not a provider failure")
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append(model)
            raise
        raise AssertionError("not cancelled")

    monkeypatch.setattr(client, "chat", chat)
    before = set(asyncio.all_tasks())
    with pytest.raises(RuntimeError, match="a bug"):
        await client.compare("hi", ["openai/gpt-6.1-terra", "anthropic/claude-sonnet-5-5", "xai/grok-4.3"])
    assert sorted(cancelled) == ["anthropic/claude-sonnet-5-5", "xai/grok-4.3"]
    assert set(asyncio.all_tasks()) - before == set()  # nothing left running
    await client.aclose()


async def test_cancelling_compare_cancels_every_call(monkeypatch: Any) -> None:
    client = AsyncClient(sandbox=True)
    running, cancelled = [], []

    async def chat(model: str, prompt: Any, **kwargs: Any) -> ChatResult:
        running.append(model)
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            await asyncio.sleep(0.01)  # a call that takes a moment to unwind is waited for
            cancelled.append(model)
            raise
        raise AssertionError("not cancelled")

    monkeypatch.setattr(client, "chat", chat)
    before = set(asyncio.all_tasks())
    task = asyncio.ensure_future(client.compare("hi", ["openai/gpt-6.1-terra", "xai/grok-4.3"]))
    while len(running) < 2:
        await asyncio.sleep(0.001)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sorted(cancelled) == ["openai/gpt-6.1-terra", "xai/grok-4.3"]
    assert set(asyncio.all_tasks()) - before == set()
    await client.aclose()


def test_boundary_leaves_our_errors_and_interrupts_alone() -> None:
    from providers.boundary import reading

    with pytest.raises(KeyboardInterrupt), reading("openai", "a reply body", b""):
        raise KeyboardInterrupt
    with pytest.raises(BadRequestError), reading("openai", "a reply body", b""):
        raise BadRequestError("ours", provider="openai")
    with pytest.raises(ResponseFormatError) as info, reading("openai", "a reply body", b"{}", status=200):
        raise KeyError("choices")
    assert isinstance(info.value, LLMKitError) and info.value.status == 200
    assert "KeyError: 'choices'" in info.value.message


def test_deep_json_in_an_answer_or_tool_arguments_is_not_a_recursion_error() -> None:
    from providers.chat.openai_items import arguments_of
    from providers.errors import OutputError
    from providers.output import output_plan, parse_output
    from providers.types import TextPart

    deep = "[" * 100_000 + "]" * 100_000
    answer = ChatResult(provider="openai", model="m", parts=[TextPart(text=deep)], finish_reason="stop")
    with pytest.raises(OutputError, match="nested too deeply") as info:
        parse_output(answer, output_plan(list[int]))
    assert isinstance(info.value.__cause__, RecursionError) and info.value.raw_text == deep
    assert arguments_of(deep) == ({}, True)  # a call's broken arguments are flagged, the answer kept
