"""OpenAI codecs (Responses and Chat Completions): dict in, dict out, from SDK-parsed fixtures."""

from __future__ import annotations

import pytest

from providers.chat.base import Connection
from providers.chat.openai import OpenAI
from providers.credentials import Secret
from providers.errors import AuthenticationError, InvalidParameterError, StreamError
from providers.types import (
    ChatRequest,
    Message,
    TextDelta,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    ToolResultPart,
    ToolSpec,
)
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


def test_reasoning_item_without_its_following_item_is_not_sent() -> None:
    # issue 11 defect 1: a reasoning item followed by a message without an id is refused live
    # ("Item 'rs_...' of type 'reasoning' was provided without its required following item.")
    prior = Message(
        role="assistant",
        parts=[
            ThinkingPart(text="s", id="rs_1", encrypted="enc", provider="openai"),
            *Message.assistant("42").parts,
        ],
    )
    body, notes = build("gpt-6.1-terra", "low", messages=[Message.user("a"), prior, Message.user("b")])
    assert body["input"][1] == {"role": "assistant", "content": [{"type": "output_text", "text": "42"}]}
    assert not any(item.get("type") == "reasoning" for item in body["input"])
    assert any("without their reasoning items" in n for n in notes)


TWO_SUMMARIES = {
    "id": "resp_02",
    "status": "completed",
    "model": "gpt-6.1",
    "output": [
        {
            "type": "reasoning",
            "id": "rs_02",
            "summary": [
                {"type": "summary_text", "text": "**First** part."},
                {"type": "summary_text", "text": "**Second** part."},
            ],
            "encrypted_content": "gAAAA-2",
        },
        {
            "type": "function_call",
            "id": "fc_02",
            "call_id": "call_02",
            "name": "get_weather",
            "arguments": '{"city": "Paris"}',
            "status": "completed",
        },
        {"type": "reasoning", "id": "rs_03", "summary": [], "encrypted_content": "gAAAA-3"},
        {
            "type": "message",
            "id": "msg_02",
            "role": "assistant",
            "status": "completed",
            "phase": "final_answer",
            "content": [{"type": "output_text", "text": "20C", "annotations": []}],
        },
    ],
}


def test_every_output_item_goes_back_in_order_with_its_id() -> None:
    # issue 11 defect 1: keep each item's id and type, each reasoning item followed by what it produced
    req = ChatRequest(provider="openai", model="gpt-6.1", messages=[Message.user("6x7")])
    r = CODEC.responses.parse(TWO_SUMMARIES, req)
    assert [p.text for p in r.thinking_parts] == ["**First** part.", "**Second** part.", ""]
    assert r.finish_reason == "tool_calls" and r.tool_calls[0].arguments == {"city": "Paris"}
    body, notes = build(
        "gpt-6.1-terra", "low", messages=[Message.user("a"), r.to_message(), Message.user("b")]
    )
    assert body["input"][1:5] == [
        {
            "type": "reasoning",
            "id": "rs_02",
            "summary": [
                {"type": "summary_text", "text": "**First** part."},
                {"type": "summary_text", "text": "**Second** part."},
            ],
            "encrypted_content": "gAAAA-2",
        },
        {
            "type": "function_call",
            "id": "fc_02",
            "call_id": "call_02",
            "name": "get_weather",
            "arguments": '{"city": "Paris"}',
        },
        {"type": "reasoning", "id": "rs_03", "summary": [], "encrypted_content": "gAAAA-3"},
        {
            "type": "message",
            "id": "msg_02",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "20C", "annotations": []}],
            "phase": "final_answer",
        },
    ]
    assert not notes


def test_fixture_turn_goes_back_with_the_message_id() -> None:
    req = ChatRequest(provider="openai", model="gpt-6.1", messages=[Message.user("6x7")])
    r = CODEC.responses.parse(fixture_json("openai_response.json"), req)
    body, _ = build("gpt-6.1-terra", "low", messages=[Message.user("a"), r.to_message(), Message.user("b")])
    assert [i.get("type") for i in body["input"][1:3]] == ["reasoning", "message"]
    assert body["input"][2]["id"] == "msg_01" and body["input"][1]["id"] == "rs_01"
    # another provider's items never carry their ids here
    xreq = ChatRequest(provider="xai", model="grok-4.3", messages=[Message.user("6x7")])
    foreign = CODEC.responses.parse(fixture_json("openai_response.json"), xreq).to_message()
    body, notes = build("gpt-6.1-terra", "low", messages=[Message.user("a"), foreign, Message.user("b")])
    assert body["input"][1] == {"role": "assistant", "content": [{"type": "output_text", "text": "42"}]}
    assert any("other providers not sent" in n for n in notes)


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


# --- tools (wire/tools-batch.md 1 and 2: bodies captured from openai 3.60) ------------------------

WEATHER = ToolSpec(
    name="get_weather",
    description="Get weather",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


def tool_call_history(provider: str = "openai") -> list[Message]:
    call = ToolCallPart(
        id="call_1",
        name="get_weather",
        arguments={"city": "Paris"},
        raw_arguments='{"city":"Paris"}',
        item_id="fc_1",
        provider=provider,
    )
    turn = Message(
        role="assistant", parts=[ThinkingPart(id="rs_1", encrypted="gAAA", provider=provider), call]
    )
    result = Message.tool_results(ToolResultPart(call_id="call_1", name="get_weather", content='{"temp":20}'))
    return [Message.user("weather?"), turn, result]


def test_responses_tools_forced_choice_and_replayed_history() -> None:
    call, _ = codec_call(
        CODEC,
        CONN,
        "openai",
        "gpt-6.1-terra",
        "low",
        messages=tool_call_history(),
        tools=[WEATHER],
        tool_choice="get_weather",
        parallel_tool_calls=False,
    )
    body = call.json_body
    assert body["tool_choice"] == {"type": "function", "name": "get_weather"}
    assert body["parallel_tool_calls"] is False
    assert body["tools"] == [
        {
            "type": "function",
            "name": "get_weather",
            "description": "Get weather",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
                "additionalProperties": False,
            },
            "strict": True,
        }
    ]
    assert body["input"] == [
        {"role": "user", "content": "weather?"},
        {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "gAAA"},
        {
            "type": "function_call",
            "id": "fc_1",
            "call_id": "call_1",
            "name": "get_weather",
            "arguments": '{"city":"Paris"}',
        },
        {"type": "function_call_output", "call_id": "call_1", "output": '{"temp":20}'},
    ]
    assert call.sent["tools"] == ["get_weather"]  # the footer names the tools, not their schemas


def test_chat_tool_history_shape() -> None:
    body, _ = build("gpt-6.1-terra", False, api="chat", messages=tool_call_history())
    assert body["messages"] == [
        {"role": "user", "content": "weather?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": '{"temp":20}'},
    ]


def test_foreign_arguments_are_reserialized_not_replayed() -> None:
    body, _ = build("gpt-6.1-terra", False, api="chat", messages=tool_call_history("anthropic"))
    assert body["messages"][1]["tool_calls"][0]["function"]["arguments"] == '{"city": "Paris"}'


def test_tool_choice_must_name_an_offered_tool() -> None:
    with pytest.raises(InvalidParameterError, match="tool_choice takes"):
        codec_call(CODEC, CONN, "openai", "gpt-6.1-terra", tools=[WEATHER], tool_choice="get_time")
    with pytest.raises(InvalidParameterError, match="only with reasoning effort 'none'"):
        codec_call(CODEC, CONN, "openai", "gpt-6-luna", "low", tools=[WEATHER], options={"api": "chat"})


CHAT_TOOL_STREAM = [
    {
        "choices": [
            {
                "index": 0,
                "delta": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": ""},
                        }
                    ],
                },
            }
        ]
    },
    {
        "choices": [
            {"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '{"city":'}}]}}
        ]
    },
    {
        "choices": [
            {
                "index": 0,
                "delta": {
                    "tool_calls": [
                        {
                            "index": 1,
                            "id": "call_2",
                            "type": "function",
                            "function": {"name": "get_time", "arguments": "{}"},
                        }
                    ]
                },
            }
        ]
    },
    {
        "choices": [
            {"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]}}
        ]
    },
    {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
]


def test_chat_stream_tool_fragments_by_index() -> None:
    import json

    req = ChatRequest(provider="openai", model="gpt-x", messages=[Message.user("w")])
    dec = CODEC.chat.decoder(req)
    deltas = []
    for chunk in CHAT_TOOL_STREAM:
        deltas += dec.feed("", json.dumps(chunk))
    dec.feed("", "[DONE]")
    calls = [d for d in deltas if isinstance(d, ToolCallDelta)]
    assert [(d.index, d.name) for d in calls if d.name] == [(0, "get_weather"), (1, "get_time")]
    r = dec.result()
    assert r.finish_reason == "tool_calls"
    assert [(c.id, c.name, c.arguments) for c in r.tool_calls] == [
        ("call_1", "get_weather", {"city": "Paris"}),
        ("call_2", "get_time", {}),
    ]


RESPONSES_TOOL_STREAM = [
    {
        "type": "response.output_item.added",
        "output_index": 0,
        "item": {
            "type": "function_call",
            "id": "fc_1",
            "call_id": "call_1",
            "name": "get_weather",
            "arguments": "",
            "status": "in_progress",
        },
    },
    {
        "type": "response.function_call_arguments.delta",
        "item_id": "fc_1",
        "output_index": 0,
        "delta": '{"city":',
    },
    {
        "type": "response.function_call_arguments.delta",
        "item_id": "fc_1",
        "output_index": 0,
        "delta": '"Paris"}',
    },
]


def test_responses_stream_function_call_and_a_cut_short_call_is_not_kept() -> None:
    import json

    req = ChatRequest(provider="openai", model="gpt-x", messages=[Message.user("w")])
    dec = CODEC.responses.decoder(req)
    deltas = []
    for frame in RESPONSES_TOOL_STREAM:
        deltas += dec.feed(frame["type"], json.dumps(frame))
    assert [d.arguments_delta for d in deltas] == ["", '{"city":', '"Paris"}']
    assert deltas[0].id == "call_1" and deltas[0].name == "get_weather"
    assert dec.result().tool_calls == []  # arguments never finished: nothing to run
    done = {
        "type": "function_call",
        "id": "fc_1",
        "call_id": "call_1",
        "name": "get_weather",
        "arguments": '{"city":"Paris"}',
        "status": "completed",
    }
    dec.feed("", json.dumps({"type": "response.output_item.done", "output_index": 0, "item": done}))
    dec.feed(
        "", json.dumps({"type": "response.completed", "response": {"status": "completed", "output": [done]}})
    )
    r = dec.result()
    assert r.tool_calls[0].arguments == {"city": "Paris"} and r.parts[0].item_id == "fc_1"


def test_invalid_argument_json_is_kept_raw() -> None:
    req = ChatRequest(provider="openai", model="gpt-x", messages=[Message.user("w")])
    payload = {
        "choices": [
            {
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": "c", "type": "function", "function": {"name": "f", "arguments": '{"a": '}}
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ]
    }
    part = CODEC.chat.parse(payload, req).parts[0]
    assert isinstance(part, ToolCallPart) and part.invalid_json and part.raw_arguments == '{"a": '
