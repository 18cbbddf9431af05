"""Mistral codec: dict in, dict out, from the documented shapes mistralai 3.7.0 parses (tests/fixtures/README.md)."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from providers.chat.base import Connection
from providers.chat.mistral import Mistral
from providers.credentials import Secret
from providers.errors import (
    AuthenticationError,
    BadRequestError,
    InvalidParameterError,
    ThinkingNotSupportedError,
)
from providers.registry import provider_spec
from providers.types import ChatRequest, Message, TextDelta, TextPart, ThinkingDelta, ThinkingPart
from tests.helpers import FIXTURES, codec_call, fixture_json, sse_events

CODEC = Mistral()
CONN = Connection(provider="mistral", base_url="https://api.mistral.ai/v1", key=Secret("mistral-test"))


def build(
    model: str,
    thinking: object = None,
    *,
    messages: list[Message] | None = None,
    stream: bool = False,
    max_tokens: int | None = None,
    **options: Any,
) -> tuple[dict[str, Any], list[str]]:
    call, notes = codec_call(
        CODEC,
        CONN,
        "mistral",
        model,
        thinking,
        messages=messages,
        stream=stream,
        max_tokens=max_tokens,
        options=options,
    )
    assert call.url == "https://api.mistral.ai/v1/chat/completions"
    assert call.headers["authorization"] == "Bearer mistral-test"
    assert call.json_body is not None
    return call.json_body, notes


def knobs(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k in ("reasoning_effort", "prompt_mode")}


@pytest.mark.parametrize(
    ("model", "thinking", "expected"),
    [
        ("mistral-medium-3-5", "high", {"reasoning_effort": "high"}),
        ("mistral-medium-3-5", "low", {"reasoning_effort": "high"}),  # closest of none|high
        ("mistral-medium-3-5", "max", {"reasoning_effort": "high"}),
        ("mistral-medium-3-5", True, {"reasoning_effort": "high"}),
        ("mistral-medium-3-5", False, {"reasoning_effort": "none"}),
        ("mistral-medium-3-5", None, {}),  # Mistral's default
        ("mistral-small-2603", "medium", {"reasoning_effort": "high"}),
        ("mistral-large-4-0", "high", {"reasoning_effort": "high"}),
        ("devstral-latest", False, {"reasoning_effort": "none"}),
        ("magistral-medium-latest", True, {"prompt_mode": "reasoning"}),
        ("magistral-small-latest", "high", {"prompt_mode": "reasoning"}),  # effort noted, not sent
        ("magistral-small-latest", None, {}),
        ("mistral-large-2512", None, {}),
    ],
)
def test_reasoning_effort_and_prompt_mode(model: str, thinking: object, expected: dict[str, Any]) -> None:
    body, notes = build(model, thinking)
    assert knobs(body) == expected
    if thinking in ("low", "max", "medium"):
        assert any("closest 'high'" in n for n in notes), notes


def test_the_body_matches_what_the_sdk_sends() -> None:
    body, _ = build("mistral-medium-3-5", "high", max_tokens=100)
    assert body == {
        "model": "mistral-medium-3-5",
        "messages": [{"role": "user", "content": "hi"}],
        "max_tokens": 100,
        "stream": False,  # explicit, as mistralai 3.7.0 sends it
        "reasoning_effort": "high",
    }
    body, _ = build("mistral-medium-3-5", "high", stream=True)
    assert body["stream"] is True and "stream_options" not in body


def test_notes_for_magistral() -> None:
    _, notes = build("magistral-medium-latest", "high")
    assert any("'high' not sent" in n for n in notes)
    assert any("deprecated by Mistral; use mistral/mistral-medium-3-5" in n for n in notes)


@pytest.mark.parametrize(
    ("field", "fix"),
    [("max_completion_tokens", "max_tokens"), ("stream_options", "usage always"), ("seed", "random_seed")],
)
def test_openai_only_fields_are_refused_with_the_fix(field: str, fix: str) -> None:
    with pytest.raises(InvalidParameterError, match=f"Mistral rejects {field}.*{fix}"):
        build("mistral-small-2603", **{field: 1})


def test_thinking_on_a_model_that_cannot_think_fails_first() -> None:
    with pytest.raises(ThinkingNotSupportedError):
        build("ministral-8b-2512", "high")
    with pytest.raises(InvalidParameterError, match="always reasons"):
        build("magistral-medium-latest", False)


def test_regions_are_one_map_in_the_catalog() -> None:
    # a region is a URL or (issue 4) an object carrying one
    regions = {name: getattr(r, "base_url", r) for name, r in provider_spec("mistral").regions.items()}
    assert regions == {
        "global": "https://api.mistral.ai/v1",
        "eu": "https://api.eu.mistral.ai/v1",
        "us": "https://api.us.mistral.ai/v1",
    }
    assert provider_spec("mistral").base_url == regions["global"]


# --- responses -----------------------------------------------------------------------------------


def request(stream: bool = False) -> ChatRequest:
    return ChatRequest(
        provider="mistral", model="mistral-medium-3-5", messages=[Message.user("hi")], stream=stream
    )


def test_parse_thinking_chunks() -> None:
    r = CODEC.parse(fixture_json("mistral_chat.json"), request())
    assert [type(p) for p in r.parts] == [ThinkingPart, TextPart]
    assert r.reasoning == "Let me compute 6 times 7 step by step." and r.text == "The answer is 42."
    assert r.visibility == "full" and r.usage.output_tokens == 500 and r.usage.reasoning_tokens is None


def test_parse_plain_string_content() -> None:
    payload = fixture_json("mistral_chat.json")
    payload["choices"][0]["message"]["content"] = "Just 42."
    payload["choices"][0]["finish_reason"] = "model_length"
    r = CODEC.parse(payload, request())
    assert r.text == "Just 42." and not r.thinking_parts and r.visibility == "none"
    assert r.finish_reason == "length" and r.raw_finish_reason == "model_length"


def test_cached_prompt_tokens_are_kept() -> None:
    """Issue 11, defect 2: the live API's usage.prompt_tokens_details.cached_tokens, plain and streamed."""
    payload = fixture_json("mistral_chat.json")
    payload["usage"]["prompt_tokens_details"] = {"cached_tokens": 6}
    assert CODEC.parse(payload, request()).usage.cached_tokens == 6
    decoder = CODEC.decoder(request(stream=True))
    for event, data in sse_events("mistral_stream.sse"):
        if '"usage"' in data:
            chunk = json.loads(data)
            chunk["usage"]["prompt_tokens_details"] = {"cached_tokens": 8}
            data = json.dumps(chunk)
        decoder.feed(event, data)
    assert decoder.result().usage.cached_tokens == 8 and decoder.result().usage.input_tokens == 10


def test_stream_list_form_deltas() -> None:
    decoder = CODEC.decoder(request(stream=True))
    deltas: list[Any] = []
    for event, data in sse_events("mistral_stream.sse"):
        deltas += decoder.feed(event, data)
    assert decoder.done
    assert deltas == [ThinkingDelta(text="6 times 7"), TextDelta(text="42")]
    r = decoder.result()
    assert r.reasoning == "6 times 7" and r.text == "42" and r.usage.total_tokens == 50
    assert r.finish_reason == "stop"


def test_own_thinking_goes_back_as_chunks_foreign_does_not() -> None:
    first = CODEC.parse(fixture_json("mistral_chat.json"), request())
    first.parts[0].signature = "sig-mistral"
    foreign = Message(role="assistant", parts=[ThinkingPart(text="x", signature="s", provider="deepseek")])
    messages = [Message.user("6*7?"), first.to_message(), Message.user("why?"), foreign, Message.user("ok")]
    body, notes = build("mistral-medium-3-5", "high", messages=messages)
    assert body["messages"][1] == {
        "role": "assistant",
        "content": [
            {
                "type": "thinking",
                "thinking": [{"type": "text", "text": "Let me compute 6 times 7 step by step."}],
                "signature": "sig-mistral",
                "closed": True,
            },
            {"type": "text", "text": "The answer is 42."},
        ],
    }
    assert body["messages"][3] == {"role": "assistant", "content": ""}
    assert any("from other providers not sent" in n for n in notes)


def test_a_cut_stream_keeps_no_signature() -> None:
    decoder = CODEC.decoder(request(stream=True))
    chunk = {"id": "c", "model": "m", "choices": [{"index": 0, "delta": {"content": [
        {"type": "thinking", "thinking": [{"type": "text", "text": "half a thou"}], "signature": "sig"}]}}]}  # fmt: skip
    decoder.feed("message", json.dumps(chunk))
    r = decoder.result()
    assert r.thinking_parts[0].truncated and r.thinking_parts[0].signature is None


@pytest.mark.parametrize(
    ("status", "body", "cls", "message"),
    [
        (
            400,
            {
                "object": "error",
                "message": "Invalid model: x",
                "type": "invalid_model",
                "param": None,
                "code": "1500",
            },
            BadRequestError,
            "Invalid model: x",
        ),
        (
            422,
            {
                "detail": [
                    {
                        "type": "extra_forbidden",
                        "loc": ["body", "store"],
                        "msg": "Extra inputs are not permitted",
                    }
                ]
            },
            BadRequestError,
            "store: Extra inputs are not permitted",
        ),
        (401, {"message": "Unauthorized", "request_id": "abc123"}, AuthenticationError, "Unauthorized"),
    ],
)
def test_error_envelopes(status: int, body: dict[str, Any], cls: type, message: str) -> None:
    err = CODEC.parse_error("mistral", status, httpx2.Headers(), json.dumps(body).encode())
    assert isinstance(err, cls) and err.message == message
    if status == 401:
        assert err.request_id == "abc123"
    if status == 422:
        assert err.code == "extra_forbidden"


def test_the_sdk_parses_the_fixtures() -> None:
    mistralai = pytest.importorskip("mistralai.client")

    def client(content: bytes, content_type: str) -> Any:
        handler = httpx2.MockTransport(
            lambda r: httpx2.Response(200, headers={"content-type": content_type}, content=content)
        )
        return mistralai.Mistral(api_key="k", client=httpx2.Client(transport=handler))

    completion = client(
        json.dumps(fixture_json("mistral_chat.json")).encode(), "application/json"
    ).chat.complete(model="mistral-medium-3-5", messages=[{"role": "user", "content": "hi"}])
    assert completion.choices[0].message.content[0].type == "thinking"
    stream = client((FIXTURES / "mistral_stream.sse").read_bytes(), "text/event-stream").chat.stream(
        model="mistral-medium-3-5", messages=[{"role": "user", "content": "hi"}]
    )
    assert [type(e.data.choices[0].delta.content).__name__ for e in stream] == ["str", "list", "str", "str"]
