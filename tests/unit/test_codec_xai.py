"""xAI codec (Responses API): dict in, dict out, from live and documented shapes (tests/fixtures/README.md)."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from llmkit_nb.display.render import render_chat
from providers.chat.base import Connection
from providers.chat.xai import XAI
from providers.credentials import Secret
from providers.errors import (
    BadRequestError,
    InvalidParameterError,
    ModelRetiredError,
    ThinkingNotSupportedError,
)
from providers.registry import lookup_model
from providers.types import ChatRequest, Message, TextDelta, ThinkingDelta, ThinkingPart
from tests.helpers import FIXTURES, codec_call, fixture_json, sse_events

CODEC = XAI()
CONN = Connection(provider="xai", base_url="https://api.x.ai/v1", key=Secret("xai-test"))
ENCRYPTED = ["reasoning.encrypted_content"]


def build(
    model: str, thinking: object = None, *, messages: list[Message] | None = None, **options: Any
) -> tuple[dict[str, Any], list[str]]:
    call, notes = codec_call(CODEC, CONN, "xai", model, thinking, messages=messages, options=options)
    assert call.url == "https://api.x.ai/v1/responses"
    assert call.headers["authorization"] == "Bearer xai-test"
    assert call.json_body is not None
    return call.json_body, notes


def knobs(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k in ("reasoning", "include")}


@pytest.mark.parametrize(
    ("model", "thinking", "expected"),
    [
        ("grok-4.7", "high", {"reasoning": {"effort": "high"}, "include": ENCRYPTED}),
        ("grok-4.7", "xhigh", {"reasoning": {"effort": "xhigh"}, "include": ENCRYPTED}),
        ("grok-4.7", "max", {"reasoning": {"effort": "xhigh"}, "include": ENCRYPTED}),  # closest
        ("grok-4.7", "minimal", {"reasoning": {"effort": "low"}, "include": ENCRYPTED}),  # closest
        ("grok-4.7", None, {"include": ENCRYPTED}),  # xAI's default (high), kept for the next turn
        ("grok-4.7", True, {"include": ENCRYPTED}),
        ("grok-4.5", "xhigh", {"reasoning": {"effort": "high"}, "include": ENCRYPTED}),
        ("grok-4.3", "medium", {"reasoning": {"effort": "medium"}, "include": ENCRYPTED}),
        ("grok-4.3", False, {"reasoning": {"effort": "none"}}),  # off: nothing to keep
        ("grok-4.20-reasoning", "high", {"include": ENCRYPTED}),  # the model is the knob: no effort
        ("grok-4.20-0309-reasoning", None, {"include": ENCRYPTED}),
        ("grok-4.20-non-reasoning", None, {}),
    ],
)
def test_effort_only_where_the_model_takes_it(model: str, thinking: object, expected: dict[str, Any]) -> None:
    body, notes = build(model, thinking)
    assert knobs(body) == expected
    assert body["input"] == [{"role": "user", "content": "hi"}]
    if model.startswith("grok-4.20-") and model.endswith("-reasoning") and thinking:
        assert any("'high' not sent" in n for n in notes), notes
    if thinking in ("max", "minimal"):
        assert any("closest" in n for n in notes), notes


def test_notes_say_which_default_applies() -> None:
    _, notes = build("grok-4.7")
    assert any("xAI's default applies: reasoning effort 'high'" in n for n in notes)
    _, notes = build("grok-4.3")
    assert any("reasoning effort 'low'" in n for n in notes)


def test_bad_thinking_requests_fail_before_sending() -> None:
    with pytest.raises(ThinkingNotSupportedError, match="cannot think"):
        build("grok-4.20-non-reasoning", "high")
    with pytest.raises(InvalidParameterError, match="non-reasoning model"):
        build("grok-4.20-reasoning", False)
    with pytest.raises(InvalidParameterError, match="cannot turn it off"):
        build("grok-4.7", False)
    with pytest.raises(ModelRetiredError, match=r"2026-05-15; use xai/grok-4\.3"):
        lookup_model("xai", "grok-4-1-fast-reasoning")


@pytest.mark.parametrize("param", ["presence_penalty", "frequency_penalty", "stop"])
def test_penalties_and_stop_are_refused_before_sending(param: str) -> None:
    value: Any = ["\n"] if param == "stop" else 0.5
    with pytest.raises(InvalidParameterError, match=f"rejects {param}"):
        build("grok-4.7", "high", **{param: value})
    with pytest.raises(InvalidParameterError, match=f"rejects {param}"):
        build("grok-4.20-non-reasoning", **{param: value})  # the grok-4 family, per LiteLLM
    body, _ = build("grok-4.7", "high", temperature=0.7, top_p=0.95)  # these are accepted
    assert body["temperature"] == 0.7


def test_no_chat_completions_switch() -> None:
    with pytest.raises(InvalidParameterError, match="Responses API only"):
        build("grok-4.7", api="chat")


# --- responses -----------------------------------------------------------------------------------


def request(model: str = "grok-4.7", stream: bool = False) -> ChatRequest:
    return ChatRequest(provider="xai", model=model, messages=[Message.user("hi")], stream=stream)


def test_encrypted_only_reasoning_is_kept_hidden_and_counted() -> None:
    r = CODEC.parse(fixture_json("xai_response_encrypted.json"), request())
    part = r.thinking_parts[0]
    assert part.text == "" and part.encrypted == "Hfq+g7jQ...4QfQnY" and part.id.startswith("rs_")
    assert r.visibility == "encrypted" and r.reasoning == "" and r.text == "hello"
    assert r.usage.reasoning_tokens == 110 and r.usage.output_tokens == 111 and r.usage.cached_tokens == 128
    html = render_chat(r)
    assert "hides its reasoning" in html and "encrypted" in html and "110 reasoning tokens" in html


def test_a_summary_is_shown_when_xai_sends_one() -> None:
    """A live grok-4.3 response carried a reasoning summary: shown, not hidden."""
    r = CODEC.parse(fixture_json("xai_response.json"), request("grok-4.3"))
    assert r.visibility == "summary" and r.reasoning.startswith("The user says")
    assert r.text == "hello" and r.finish_reason == "stop"


def test_stream_keeps_the_encrypted_item_from_the_final_event() -> None:
    decoder = CODEC.decoder(request(stream=True))
    deltas: list[Any] = []
    for event, data in sse_events("xai_response_stream.sse"):
        deltas += decoder.feed(event, data)
    assert decoder.done
    thinking = "".join(d.text for d in deltas if isinstance(d, ThinkingDelta))
    text = "".join(d.text for d in deltas if isinstance(d, TextDelta))
    r = decoder.result()
    assert r.reasoning == thinking and r.text == text
    assert r.thinking_parts[0].encrypted and r.thinking_parts[0].encrypted.startswith("WjtnRFdC")
    assert r.usage.reasoning_tokens == 253


def test_the_encrypted_item_goes_back_next_turn_and_only_to_xai() -> None:
    first = CODEC.parse(fixture_json("xai_response_encrypted.json"), request())
    claude = Message(role="assistant", parts=[ThinkingPart(text="t", signature="sig", provider="anthropic")])
    body, notes = build(
        "grok-4.7",
        "high",
        messages=[
            Message.user("hi"),
            first.to_message(),
            Message.user("again"),
            claude,
            Message.user("and?"),
        ],
    )
    item = body["input"][1]
    assert item == {
        "type": "reasoning",
        "id": "rs_868f6a34-085d-9629-8087-7d49ed5bd476",
        "summary": [],
        "encrypted_content": "Hfq+g7jQ...4QfQnY",
    }
    assert "sig" not in json.dumps(body)
    assert any("from other providers not sent" in n for n in notes)


def test_errors_in_both_envelopes() -> None:
    responses_shape = json.dumps(
        {
            "code": "Client specified an invalid argument",
            "error": "Model grok-4.20-reasoning does not support parameter reasoningEffort.",
        }
    ).encode()
    err = CODEC.parse_error("xai", 400, httpx2.Headers(), responses_shape)
    assert isinstance(err, BadRequestError)
    assert err.message.startswith("Client specified an invalid argument: Model grok-4.20")
    chat_shape = json.dumps(
        {"error": {"message": "bad temperature", "type": "invalid_request_error"}}
    ).encode()
    assert CODEC.parse_error("xai", 400, httpx2.Headers(), chat_shape).message == "bad temperature"


def test_the_sdk_parses_the_fixtures() -> None:
    openai = pytest.importorskip("openai")

    def client(body: bytes, content_type: str) -> Any:
        handler = httpx2.MockTransport(
            lambda r: httpx2.Response(200, headers={"content-type": content_type}, content=body)
        )
        return openai.OpenAI(
            api_key="k", base_url="https://api.x.ai/v1", http_client=httpx2.Client(transport=handler)
        )

    for name in ("xai_response.json", "xai_response_encrypted.json"):
        response = client(json.dumps(fixture_json(name)).encode(), "application/json").responses.create(
            model="grok-4.7", input="hi"
        )
        assert response.output_text == "hello"
    events = list(
        client((FIXTURES / "xai_response_stream.sse").read_bytes(), "text/event-stream").responses.create(
            model="grok-4.7", input="hi", stream=True
        )
    )
    assert events[-1].type == "response.completed" and events[-1].response.output[0].encrypted_content
