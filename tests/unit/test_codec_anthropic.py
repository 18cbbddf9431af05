"""Anthropic Messages codec: dict in, dict out, from the SDK-parsed fixtures in wire/."""

from __future__ import annotations

from typing import Any

import pytest

from providers.chat.anthropic import Anthropic
from providers.chat.base import Connection
from providers.credentials import Secret
from providers.errors import InvalidParameterError, OverloadedError, RateLimitError
from providers.registry import lookup_model
from providers.thinking import resolve
from providers.types import ChatRequest, Message, TextDelta, ThinkingDelta, ThinkingPart
from tests.helpers import codec_call, fixture_json, sse_events

CODEC = Anthropic()
CONN = Connection(
    provider="anthropic",
    base_url="https://api.anthropic.com",
    key=Secret("sk-ant-test-key"),
    api_version="2026-10-21",
)


def build(model: str, thinking: object = None, **kw: Any) -> dict:
    call, _ = codec_call(CODEC, CONN, "anthropic", model, thinking, **kw)
    assert call.url == "https://api.anthropic.com/v1/messages"
    assert call.headers["anthropic-version"] == "2026-10-21"
    assert call.headers["authorization"] == "Bearer sk-ant-test-key"
    assert call.json_body is not None
    return call.json_body


def test_adaptive_with_effort_and_summarized_display() -> None:
    body = build("claude-sonnet-5-5", "high", max_tokens=1024)
    assert body["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert body["output_config"] == {"effort": "high"}
    assert body["max_tokens"] == 1024


def test_budget_models_get_budget_tokens() -> None:
    body = build("claude-haiku-4-5", 2048, max_tokens=8000)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}


def test_claude_47_never_gets_budget_tokens() -> None:
    with pytest.warns(DeprecationWarning, match="use thinking='high'"):
        body = build("claude-opus-4-7", 20000)
    assert body["thinking"]["type"] == "adaptive"
    assert body["output_config"]["effort"] == "high"


def test_models_that_think_by_default_are_asked_to_show_it() -> None:
    assert build("claude-opus-5-5")["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert "thinking" not in build("claude-opus-4-8")


def test_budget_not_below_max_tokens_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="below max_tokens"):
        build("claude-haiku-4-5", 4096, max_tokens=4096)


def test_sampling_removed_by_api_version() -> None:
    with pytest.raises(InvalidParameterError, match="2026-10-21"):
        build("claude-haiku-5-5", options={"temperature": 0.5})


def test_thinking_blocks_round_trip_only_to_anthropic() -> None:
    info = lookup_model("anthropic", "claude-sonnet-5-5")
    prior = Message(
        role="assistant",
        parts=[
            ThinkingPart(text="mine", signature="sig", provider="anthropic"),
            ThinkingPart(text="theirs", signature="x", provider="gemini"),
            ThinkingPart(text="cut", provider="anthropic", truncated=True),
            ThinkingPart(encrypted="blob", redacted=True, provider="anthropic"),
        ],
    )
    req = ChatRequest(
        provider="anthropic",
        model="claude-sonnet-5-5",
        messages=[Message.user("a"), prior, Message.user("b")],
    )
    resolved = resolve(None, info.thinking, model="m")
    notes = CODEC.check(req, info, resolved)
    body = CODEC.build(req, CONN, resolved, info).json_body
    assert body is not None
    assert body["messages"][1]["content"] == [
        {"type": "thinking", "thinking": "mine", "signature": "sig"},
        {"type": "redacted_thinking", "data": "blob"},
    ]
    assert any("2 thinking part(s) not sent back" in n for n in notes)


def test_parse_message_fixture() -> None:
    req = ChatRequest(provider="anthropic", model="claude-opus-5-5", messages=[Message.user("6x7")])
    r = CODEC.parse(fixture_json("anthropic_message.json"), req)
    assert r.text == "42"
    assert r.thinking_parts[0].signature == "EqQB…"
    assert r.usage.reasoning_tokens == 52 and r.usage.output_tokens == 61 and r.usage.input_tokens == 28
    assert r.finish_reason == "stop" and r.visibility == "summary"


@pytest.mark.parametrize("name", ["anthropic_stream.sse", "anthropic_stream_refusal_fixture.sse"])
def test_stream_fixture(name: str) -> None:
    req = ChatRequest(provider="anthropic", model="claude-opus-5-5", messages=[Message.user("6x7")])
    dec = CODEC.decoder(req)
    deltas = []
    for event, data in sse_events(name):
        if event != "ping":
            deltas += dec.feed(event, data)
    assert dec.done
    r = dec.result()
    assert any(isinstance(d, ThinkingDelta) for d in deltas) and any(isinstance(d, TextDelta) for d in deltas)
    assert r.thinking_parts[0].signature and not r.thinking_parts[0].truncated
    assert r.usage.reasoning_tokens in (52, 67)


def test_cut_stream_drops_the_signature_of_an_open_block() -> None:
    req = ChatRequest(provider="anthropic", model="claude-opus-5-5", messages=[Message.user("6x7")])
    dec = CODEC.decoder(req)
    events = [e for e in sse_events("anthropic_stream.sse") if e[0] != "ping"]
    for event, data in events[:4]:  # start, block start, thinking delta, signature delta: no block stop
        dec.feed(event, data)
    part = dec.result().thinking_parts[0]
    assert part.truncated and part.signature is None and part.text == "6 times 7 is 42."


def test_stream_error_event_is_typed() -> None:
    req = ChatRequest(provider="anthropic", model="claude-opus-5-5", messages=[Message.user("x")])
    with pytest.raises(OverloadedError):
        CODEC.decoder(req).feed(
            "error", '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'
        )


def test_error_body_maps_to_typed_error() -> None:
    import httpx2

    body = b'{"type":"error","error":{"type":"rate_limit_error","message":"slow down"},"request_id":"req_9"}'
    err = CODEC.parse_error("anthropic", 429, httpx2.Headers({"retry-after": "3"}), body)
    assert isinstance(err, RateLimitError)
    assert (err.status, err.request_id, err.retry_after, err.code) == (429, "req_9", 3.0, "rate_limit_error")
