"""DeepSeek codec: dict in, dict out, from documented wire shapes (see tests/fixtures/README.md)."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from providers.chat.base import Connection
from providers.chat.deepseek import DeepSeek, reasoning_back
from providers.client import AsyncClient
from providers.credentials import Secret
from providers.errors import BadRequestError, ModelRetiredError
from providers.thinking import WIRE
from providers.transport import Reply
from providers.types import (
    ChatRequest,
    Message,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallPart,
)
from tests.helpers import FIXTURES, codec_call, fixture_json, sse_events

CODEC = DeepSeek()
CONN = Connection(provider="deepseek", base_url="https://api.deepseek.com", key=Secret("sk-ds-test"))


def build(
    thinking: object = None,
    *,
    model: str = "deepseek-flash",
    messages: list[Message] | None = None,
    stream: bool = False,
    max_tokens: int | None = None,
    **options: Any,
) -> tuple[dict[str, Any], list[str]]:
    call, notes = codec_call(
        CODEC,
        CONN,
        "deepseek",
        model,
        thinking,
        messages=messages,
        stream=stream,
        max_tokens=max_tokens,
        options=options,
    )
    assert call.url == "https://api.deepseek.com/chat/completions"
    assert call.headers["authorization"] == "Bearer sk-ds-test"
    assert call.json_body is not None
    return call.json_body, notes


def knobs(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k in ("thinking", "reasoning_effort")}


@pytest.mark.parametrize(
    ("thinking", "expected"),
    [
        (None, {}),  # DeepSeek's own default: on, effort high
        (True, {"thinking": {"type": "enabled"}}),
        (False, {"thinking": {"type": "disabled"}}),
        ("low", {"thinking": {"type": "enabled"}, "reasoning_effort": "low"}),
        ("high", {"thinking": {"type": "enabled"}, "reasoning_effort": "high"}),
        ("max", {"thinking": {"type": "enabled"}, "reasoning_effort": "max"}),
        ("minimal", {"thinking": {"type": "enabled"}, "reasoning_effort": "low"}),
        ("medium", {"thinking": {"type": "enabled"}, "reasoning_effort": "high"}),
        ("xhigh", {"thinking": {"type": "enabled"}, "reasoning_effort": "max"}),
        (40000, {"thinking": {"type": "enabled"}, "reasoning_effort": "max"}),
    ],
)
def test_the_toggle_and_effort(thinking: object, expected: dict[str, Any]) -> None:
    body, notes = build(thinking)
    assert knobs(body) == expected
    if thinking in ("minimal", "medium", "xhigh"):
        assert any("closest" in n for n in notes), notes


def test_the_footer_says_which_default_applies() -> None:
    _, unset = build(None)
    _, on = build(True)
    _, off = build(False)
    assert any("DeepSeek's default applies: thinking on at effort 'high'" in n for n in unset)
    assert any("default effort" in n for n in on)
    assert any("thinking off" in n for n in off)


def test_sampling_is_noted_not_refused_in_thinking_mode() -> None:
    body, notes = build("high", temperature=0.2, top_p=0.9)
    assert body["temperature"] == 0.2 and body["top_p"] == 0.9  # sent as given
    assert sum("ignored by DeepSeek in thinking mode" in n for n in notes) == 2
    _, off_notes = build(False, temperature=0.2)
    assert not any("ignored" in n for n in off_notes)


def test_body_fields_and_stream_usage() -> None:
    body, _ = build("high", max_tokens=300, stream=True)
    assert body["max_tokens"] == 300 and "max_completion_tokens" not in body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["messages"] == [{"role": "user", "content": "hi"}]


def test_old_names_are_aliases_and_retired_names_name_the_successor() -> None:
    body, _ = build("high", model="deepseek-v4-flash")
    assert body["model"] == "deepseek-v4-flash"  # still served, by V4.1 Flash
    for old in ("deepseek-chat", "deepseek-reasoner"):
        with pytest.raises(
            ModelRetiredError, match=r"retired on 2026-07-24; use deepseek/deepseek-flash"
        ) as info:
            AsyncClient(sandbox=True).prepare(f"deepseek/{old}", "hi")
        assert info.value.successor == "deepseek-flash"


def test_wire_row_documents_the_style() -> None:
    assert WIRE["deepseek"]["off"] == 'thinking={"type":"disabled"}'
    assert "xhigh->max" in WIRE["deepseek"]["effort"]


# --- responses -----------------------------------------------------------------------------------


def request(stream: bool = False) -> ChatRequest:
    return ChatRequest(
        provider="deepseek", model="deepseek-flash", messages=[Message.user("hi")], stream=stream
    )


def test_parse_keeps_reasoning_content_and_cache_hits() -> None:
    payload = fixture_json("deepseek_chat.json")
    payload["usage"]["prompt_cache_hit_tokens"] = 9  # the fixture's 0 would not show which field is read
    payload["usage"]["prompt_tokens_details"]["cached_tokens"] = 0
    r = CODEC.parse(payload, request())
    assert [type(p) for p in r.parts] == [ThinkingPart, TextPart]
    assert r.reasoning.startswith("Compare 9.11 vs 9.8") and r.text == "9.8 is larger."
    assert r.thinking_parts[0].provider == "deepseek" and r.visibility == "full"
    assert r.usage.reasoning_tokens == 380 and r.usage.output_tokens == 400
    assert r.usage.cached_tokens == 9 and r.finish_reason == "stop"


def test_leading_blank_lines_before_a_json_body_are_tolerated() -> None:
    body = b"\n\n\n" + (FIXTURES / "deepseek_chat.json").read_bytes()
    reply = Reply(
        status=200,
        headers=httpx2.Headers(),
        body=body,
        url="https://api.deepseek.com/chat/completions",
        elapsed_s=0.0,
    )
    assert CODEC.parse(reply.json(), request()).text == "9.8 is larger."


def test_stream_with_keep_alives_and_a_leading_blank_line() -> None:
    raw = (FIXTURES / "deepseek_stream.sse").read_text()
    assert raw.startswith("\n: keep-alive\n\n")  # the fixture really has them
    decoder = CODEC.decoder(request(stream=True))
    deltas: list[Any] = []
    for event, data in sse_events("deepseek_stream.sse"):
        deltas += decoder.feed(event, data)
    assert decoder.done
    kinds = [type(d) for d in deltas]
    assert kinds.index(TextDelta) > kinds.index(ThinkingDelta) and kinds.count(ThinkingDelta) == 3
    r = decoder.result()
    assert r.reasoning == "Compare 9.11 vs 9.8: 9.8 = 9.80 > 9.11." and r.text == "9.8 is larger."
    assert r.usage.cached_tokens == 8 and r.usage.reasoning_tokens == 30


# --- sending reasoning back ------------------------------------------------------------------------


def test_reasoning_content_goes_back_only_on_tool_call_turns() -> None:
    own = ThinkingPart(text="I should look it up.", provider="deepseek")
    plain = Message(role="assistant", parts=[own, TextPart(text="It is 42.")])
    assert reasoning_back(plain, "deepseek") is None  # DeepSeek ignores it on turns without tool calls
    call = ToolCallPart(id="call_0", name="lookup", arguments={}, provider="deepseek")
    turn = Message(role="assistant", parts=[own, call])
    assert reasoning_back(turn, "deepseek") == "I should look it up."
    foreign = Message(role="assistant", parts=[ThinkingPart(text="secret", provider="anthropic"), call])
    assert (
        reasoning_back(foreign, "deepseek") == ""
    )  # the key is required; another provider's text never goes


def test_multi_turn_sends_no_reasoning_and_says_why() -> None:
    first = CODEC.parse(fixture_json("deepseek_chat.json"), request())
    claude = Message(
        role="assistant",
        parts=[ThinkingPart(text="x", signature="s", provider="anthropic"), TextPart(text="y")],
    )
    messages = [
        Message.user("Which is larger?"),
        first.to_message(),
        Message.user("Why?"),
        claude,
        Message.user("ok"),
    ]
    body, notes = build("high", messages=messages)
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user", "assistant", "user"]
    assert body["messages"][1] == {"role": "assistant", "content": "9.8 is larger."}
    assert "reasoning_content" not in json.dumps(body)
    assert any("1 earlier DeepSeek reasoning part(s) kept but not sent back" in n for n in notes)
    assert any("1 thinking part(s) from other providers not sent" in n for n in notes)


def test_the_pass_back_error_is_a_bad_request() -> None:
    body = json.dumps(
        {
            "error": {
                "message": "The `reasoning_content` in the thinking mode must be passed back to the API.",
                "type": "invalid_request_error",
                "param": None,
                "code": "invalid_request_error",
            }
        }
    ).encode()
    err = CODEC.parse_error("deepseek", 400, httpx2.Headers({"x-request-id": "r1"}), body)
    assert (
        isinstance(err, BadRequestError) and "must be passed back" in err.message and err.request_id == "r1"
    )


def test_the_sdk_parses_the_fixtures() -> None:
    openai = pytest.importorskip("openai")
    completion = openai.types.chat.ChatCompletion.model_validate(fixture_json("deepseek_chat.json"))
    assert completion.choices[0].message.model_extra["reasoning_content"].startswith("Compare")
    for _, data in sse_events("deepseek_stream.sse"):
        if data != "[DONE]":
            openai.types.chat.ChatCompletionChunk.model_validate(json.loads(data))
