"""OpenAI codecs (Responses and Chat Completions): dict in, dict out, from SDK-parsed fixtures."""

from __future__ import annotations

import pytest

from providers.chat.base import Connection
from providers.chat.openai import OpenAI
from providers.credentials import Secret
from providers.errors import AuthenticationError, InvalidParameterError, StreamError
from providers.types import ChatRequest, Message, TextDelta, ThinkingDelta, ThinkingPart
from tests.helpers import codec_call, fixture_json, sse_events

CODEC = OpenAI()
CONN = Connection(provider="openai", base_url="https://api.openai.com/v1", key=Secret("sk-openai-test"))


def build(
    model: str,
    thinking: object = None,
    *,
    api: str = "responses",
    messages: list[Message] | None = None,
    **options: object,
) -> tuple[dict, list[str]]:
    call, notes = codec_call(
        CODEC, CONN, "openai", model, thinking, messages=messages, options={"api": api, **options}
    )
    assert call.headers["authorization"] == "Bearer sk-openai-test"
    assert call.json_body is not None
    return call.json_body, notes


def test_responses_asks_for_effort_and_summary() -> None:
    body, _ = build("gpt-6.1-terra", "low")
    assert body == {
        "model": "gpt-6.1-terra",
        "input": [{"role": "user", "content": "hi"}],
        "reasoning": {"effort": "low", "summary": "auto"},
    }


def test_chat_completions_effort() -> None:
    body, _ = build("gpt-6.1-terra", "high", api="chat", max_tokens=None)
    assert body["reasoning_effort"] == "high"
    assert "reasoning" not in body


def test_unsupported_effort_maps_to_closest() -> None:
    body, notes = build("gpt-6.2-sol", "minimal")
    assert body["reasoning"]["effort"] == "low"
    assert any("closest" in n for n in notes)


def test_sampling_refused_on_reasoning_models() -> None:
    with pytest.raises(InvalidParameterError, match="rejects temperature"):
        build("gpt-6.2-sol", temperature=0.2)
    with pytest.raises(InvalidParameterError, match="only with reasoning effort 'none'"):
        build("gpt-6.1-terra", "high", temperature=0.2)
    body, _ = build("gpt-6.1-terra", False, temperature=0.2)
    assert body["reasoning"] == {"effort": "none"} and body["temperature"] == 0.2
    body, _ = build("gpt-4.1", temperature=0.2)
    assert "reasoning" not in body


def test_bad_api_switch() -> None:
    with pytest.raises(InvalidParameterError, match="'responses' or 'chat'"):
        build("gpt-6.1-terra", api="legacy")


def test_reasoning_items_go_back_with_their_id() -> None:
    prior = Message(
        role="assistant",
        parts=[
            ThinkingPart(text="s", id="rs_1", encrypted="enc", provider="openai"),
            *Message.assistant("42").parts,
        ],
    )
    body, _ = build("gpt-6.1-terra", "low", messages=[Message.user("a"), prior, Message.user("b")])
    assert body["input"][1] == {
        "type": "reasoning",
        "id": "rs_1",
        "summary": [{"type": "summary_text", "text": "s"}],
        "encrypted_content": "enc",
    }
    assert body["input"][2] == {"role": "assistant", "content": [{"type": "output_text", "text": "42"}]}


def test_parse_response_fixture() -> None:
    req = ChatRequest(provider="openai", model="gpt-6.1", messages=[Message.user("6x7")])
    r = CODEC.responses.parse(fixture_json("openai_response.json"), req)
    assert r.text == "42" and r.reasoning.startswith("**Computing 6x7**")
    assert r.usage.reasoning_tokens == 160 and r.usage.output_tokens == 180
    assert r.thinking_parts[0].id == "rs_01" and r.thinking_parts[0].encrypted == "gAAAAB..."
    assert r.visibility == "summary" and r.finish_reason == "stop"


def test_responses_stream_fixture() -> None:
    req = ChatRequest(provider="openai", model="gpt-6.1", messages=[Message.user("6x7")])
    dec = CODEC.responses.decoder(req)
    deltas = []
    for event, data in sse_events("openai_response_stream.sse"):
        deltas += dec.feed(event, data)
    assert dec.done
    assert [d.text for d in deltas if isinstance(d, ThinkingDelta)] == ["**Computing 6x7**"]
    assert [d.text for d in deltas if isinstance(d, TextDelta)] == ["42"]
    r = dec.result()
    assert r.text == "42" and r.reasoning == "**Computing 6x7**" and r.usage.reasoning_tokens == 160


def test_chat_stream_fixture_with_usage_chunk() -> None:
    req = ChatRequest(provider="openai", model="gpt-5", messages=[Message.user("hi")])
    dec = CODEC.chat.decoder(req)
    for event, data in sse_events("openai_chat_stream.sse"):
        dec.feed(event, data)
    assert dec.done
    r = dec.result()
    assert (
        r.text == "Hi"
        and r.usage.reasoning_tokens == 320
        and r.visibility == "none"
        and r.finish_reason == "stop"
    )


def test_chat_stream_malformed_frame() -> None:
    req = ChatRequest(provider="openai", model="gpt-5", messages=[Message.user("hi")])
    with pytest.raises(StreamError, match="malformed"):
        CODEC.chat.decoder(req).feed("message", '{"id": "x", "choi')


def test_error_envelope() -> None:
    import httpx2

    body = b'{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}'
    err = CODEC.chat.parse_error("openai", 401, httpx2.Headers({"x-request-id": "req_abc"}), body)
    assert isinstance(err, AuthenticationError)
    assert (err.status, err.request_id, err.code) == (401, "req_abc", "invalid_api_key")
    assert "[openai 401]" in str(err) and "req_abc" in str(err)
