"""Tool calls and structured output in the Anthropic, Gemini and Mistral codecs: dict in, dict out, from
the wire shapes captured in wire/tools-batch.md (sections 3, 4 and 7)."""

from __future__ import annotations

import json
from typing import Any

from providers.chat.anthropic import Anthropic
from providers.chat.base import Connection
from providers.chat.gemini import Gemini
from providers.chat.mistral import Mistral
from providers.credentials import Secret
from providers.types import (
    ChatRequest,
    Message,
    OutputSpec,
    TextPart,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    ToolResultPart,
    ToolSpec,
)
from tests.helpers import codec_call

WEATHER = ToolSpec(
    name="get_weather",
    description="Get weather",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


def _request(provider: str, model: str, **kw: Any) -> ChatRequest:
    return ChatRequest(provider=provider, model=model, messages=[Message.user("hi")], **kw)


def _feed(decoder: Any, events: list[dict[str, Any]], *, named: bool = False) -> list[Any]:
    out: list[Any] = []
    for event in events:
        out += decoder.feed(event.get("type", "") if named else "", json.dumps(event))
    return out


# --- Anthropic -----------------------------------------------------------------------------------

ANT = Anthropic()
ANT_CONN = Connection(provider="anthropic", base_url="https://api.anthropic.com", key=Secret("k"))


def ant_body(messages: list[Message] | None = None, **kw: Any) -> dict[str, Any]:
    call, _ = codec_call(ANT, ANT_CONN, "anthropic", "claude-haiku-5-5", messages=messages, **kw)
    return call.json_body


def test_anthropic_tool_definitions_and_choices() -> None:
    body = ant_body(tools=[WEATHER], tool_choice="get_weather", parallel_tool_calls=False)
    assert body["tools"] == [
        {"name": "get_weather", "description": "Get weather", "input_schema": WEATHER.parameters}
    ]
    assert body["tool_choice"] == {"type": "tool", "name": "get_weather", "disable_parallel_tool_use": True}
    assert ant_body(tools=[WEATHER], tool_choice="required")["tool_choice"] == {"type": "any"}
    assert ant_body(tools=[WEATHER], tool_choice="auto")["tool_choice"] == {"type": "auto"}
    assert "tool_choice" not in ant_body(tools=[WEATHER])
    strict = ToolSpec(
        name="f",
        parameters={"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}},
        strict=True,
    )
    (tool,) = ant_body(tools=[strict])["tools"]
    assert tool["strict"] is True and tool["input_schema"]["additionalProperties"] is False
    assert tool["input_schema"]["properties"]["n"] == {"type": "integer", "description": "{minimum: 1}"}


def test_anthropic_tool_use_parsed_and_results_sent_first() -> None:
    payload = {
        "id": "msg_1",
        "model": "claude-haiku-5-5",
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": "need weather", "signature": "EqQB"},
            {"type": "redacted_thinking", "data": "EmwK"},
            {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}},
        ],
        "stop_reason": "tool_use",
        "usage": {"input_tokens": 5, "output_tokens": 7},
    }
    r = ANT.parse(payload, _request("anthropic", "claude-haiku-5-5"))
    assert r.finish_reason == "tool_calls"
    assert [type(p).__name__ for p in r.parts] == ["ThinkingPart", "ThinkingPart", "ToolCallPart"]
    call = r.parts[2]
    assert (call.id, call.name, call.arguments) == ("toolu_01", "get_weather", {"city": "Paris"})
    results = Message(
        role="user",
        parts=[
            TextPart(text="and now?"),
            ToolResultPart(call_id="toolu_01", name="get_weather", content="boom", is_error=True),
        ],
    )
    body = ant_body(messages=[Message.user("weather in Paris?"), r.to_message(), results], tools=[WEATHER])
    # the turn goes back as it came (thinking, redacted thinking, tool_use, in order) ...
    assert body["messages"][1]["content"] == payload["content"]
    # ... and the result comes first in the next user message
    assert body["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": "toolu_01", "content": "boom", "is_error": True},
        {"type": "text", "text": "and now?"},
    ]


def _tool_stream(partials: list[str]) -> list[dict[str, Any]]:
    start = {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {}}
    return [
        {"type": "message_start", "message": {"id": "msg_1", "model": "m", "usage": {"input_tokens": 3}}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Let me check."}},
        {"type": "content_block_stop", "index": 0},
        {"type": "content_block_start", "index": 1, "content_block": start},
        *(
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "input_json_delta", "partial_json": p},
            }
            for p in partials
        ),
        {"type": "content_block_stop", "index": 1},
        {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 40}},
        {"type": "message_stop"},
    ]


def test_anthropic_stream_joins_input_json_per_block_and_parses_at_stop() -> None:
    decoder = ANT.decoder(_request("anthropic", "m", stream=True))
    deltas = _feed(decoder, _tool_stream(["", '{"city": "Pa', 'ris"}']), named=True)
    calls = [d for d in deltas if isinstance(d, ToolCallDelta)]
    assert (calls[0].index, calls[0].id, calls[0].name) == (0, "toolu_01", "get_weather")
    assert "".join(d.arguments_delta for d in calls) == '{"city": "Paris"}'
    r = decoder.result()
    assert r.text == "Let me check." and r.finish_reason == "tool_calls"
    assert r.parts[1].arguments == {"city": "Paris"} and not r.parts[1].invalid_json
    empty = ANT.decoder(_request("anthropic", "m", stream=True))
    _feed(empty, _tool_stream([""]), named=True)
    assert empty.result().parts[1].arguments == {} and not empty.result().parts[1].invalid_json  # "" => {}
    broken = ANT.decoder(_request("anthropic", "m", stream=True))
    _feed(broken, _tool_stream(['{"city": ']), named=True)
    part = broken.result().parts[1]
    assert part.invalid_json and part.raw_arguments == '{"city": '  # kept, never a crash


def test_anthropic_output_config_keeps_effort_and_a_refusal_says_so() -> None:
    spec = OutputSpec(name="ans", schema={"type": "object", "properties": {"a": {"type": "string"}}})
    call, notes = codec_call(ANT, ANT_CONN, "anthropic", "claude-sonnet-5-5", "low", output=spec)
    assert call.json_body["output_config"] == {
        "effort": "low",
        "format": {
            "type": "json_schema",
            "schema": {
                "type": "object",
                "properties": {"a": {"type": "string"}},
                "additionalProperties": False,
            },
        },
    }
    assert any("output_config.format" in n for n in notes)
    refused = {
        "content": [{"type": "text", "text": "I can't."}],
        "stop_reason": "refusal",
        "stop_details": {"type": "refusal", "category": "cyber", "explanation": None},
    }
    r = ANT.parse(refused, _request("anthropic", "claude-sonnet-5-5"))
    assert r.finish_reason == "refusal" and r.text == "I can't."


# --- Gemini --------------------------------------------------------------------------------------

GEM = Gemini()
GEM_CONN = Connection(
    provider="gemini",
    base_url="https://generativelanguage.googleapis.com",
    key=Secret("k"),
    auth="x-goog-api-key",
)


def gem_body(
    messages: list[Message] | None = None, model: str = "gemini-3.8-flash", **kw: Any
) -> dict[str, Any]:
    call, _ = codec_call(GEM, GEM_CONN, "gemini", model, messages=messages, **kw)
    return call.json_body


def test_gemini_declarations_and_modes() -> None:
    body = gem_body(tools=[WEATHER], tool_choice="required")
    assert body["tools"] == [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "description": "Get weather",
                    "parametersJsonSchema": WEATHER.parameters,
                }
            ]
        }
    ]
    assert body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    assert gem_body(tools=[WEATHER], tool_choice="auto")["toolConfig"]["functionCallingConfig"] == {
        "mode": "AUTO"
    }
    assert gem_body(tools=[WEATHER], tool_choice="get_weather")["toolConfig"]["functionCallingConfig"] == {
        "mode": "ANY",
        "allowedFunctionNames": ["get_weather"],
    }
    spec = OutputSpec(
        name="a", schema={"type": "object", "properties": {"a": {"type": "string", "const": "x"}}}
    )
    generation = gem_body(output=spec)["generationConfig"]
    assert generation["responseMimeType"] == "application/json"
    assert generation["responseJsonSchema"]["properties"]["a"] == {"type": "string", "enum": ["x"]}


CAPTURED = {  # wire/tools-batch.md 4.2/4.3: a signed call with an id, and a parallel one without
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [
                    {
                        "functionCall": {"id": "fc1", "name": "get_weather", "args": {"city": "Paris"}},
                        "thoughtSignature": "CiQBVKhc",
                    },
                    {"functionCall": {"id": "fc2", "name": "get_weather", "args": {"city": "Rome"}}},
                ],
            },
            "finishReason": "STOP",
        }
    ],
    "responseId": "r1",
}


def test_gemini_calls_keep_signature_and_id_and_go_back_with_results() -> None:
    r = GEM.parse(CAPTURED, _request("gemini", "gemini-3.8-flash"))
    assert r.finish_reason == "tool_calls" and r.raw_finish_reason == "STOP"
    first, second = r.parts
    assert (first.id, first.item_id, first.signature, first.arguments) == (
        "fc1",
        "fc1",
        "CiQBVKhc",
        {"city": "Paris"},
    )
    assert second.signature is None
    results = r.tool_results({"fc1": {"temp": 20}, "fc2": ValueError("no data")})
    body = gem_body(messages=[Message.user("weather?"), r.to_message(), results])
    assert body["contents"][1] == CAPTURED["candidates"][0]["content"]
    assert body["contents"][2] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"id": "fc1", "name": "get_weather", "response": {"output": {"temp": 20}}}},
            {
                "functionResponse": {
                    "id": "fc2",
                    "name": "get_weather",
                    "response": {"error": "ValueError: no data"},
                }
            },
        ],
    }


def test_gemini_calls_without_ids_get_stable_ones_of_ours_never_sent() -> None:
    payload = json.loads(json.dumps(CAPTURED))
    for part in payload["candidates"][0]["content"]["parts"]:
        del part["functionCall"]["id"]
    ids = [p.id for p in GEM.parse(payload, _request("gemini", "gemini-3.8-flash")).parts]
    again = [p.id for p in GEM.parse(payload, _request("gemini", "gemini-3.8-flash")).parts]
    assert ids == again and len(set(ids)) == 2 and all(i.startswith("gcall_") for i in ids)
    r = GEM.parse(payload, _request("gemini", "gemini-3.8-flash"))
    body = gem_body(messages=[Message.user("w?"), r.to_message(), r.tool_results({i: 1 for i in ids})])
    assert body["contents"][1] == payload["candidates"][0]["content"]
    assert all("id" not in p["functionResponse"] for p in body["contents"][2]["parts"])


def test_gemini_stream_calls_whole_and_a_late_signature_round_trips() -> None:
    decoder = GEM.decoder(_request("gemini", "gemini-3.8-flash", stream=True))
    chunks = [
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "thinking", "thought": True}]}}]},
        {
            "candidates": [
                {
                    "content": {
                        "role": "model",
                        "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}],
                    }
                }
            ]
        },
        {
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"text": "", "thoughtSignature": "U0lH"}]},
                    "finishReason": "STOP",
                }
            ]
        },
    ]
    deltas = _feed(decoder, chunks)
    (call_delta,) = [d for d in deltas if isinstance(d, ToolCallDelta)]
    assert call_delta.name == "get_weather" and json.loads(call_delta.arguments_delta) == {"city": "Paris"}
    r = decoder.result()
    assert r.finish_reason == "tool_calls" and isinstance(r.parts[1], ToolCallPart)
    body = gem_body(messages=[Message.user("w?"), r.to_message(), r.tool_results({"get_weather": "20C"})])
    # merged per candidate: the signature that came alone goes back on the call it belongs to
    assert r.parts[1].signature == "U0lH"
    assert body["contents"][1]["parts"] == [
        {"text": "thinking", "thought": True},
        {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "U0lH"},
    ]


DUMMY = "c2tpcF90aG91Z2h0X3NpZ25hdHVyZV92YWxpZGF0b3I="  # base64 of skip_thought_signature_validator


def test_gemini_dummy_signature_only_where_gemini_3_needs_one() -> None:
    call = ToolCallPart(id="call_1", name="get_weather", arguments={"city": "Paris"}, provider="openai")
    history = [
        Message.user("w?"),
        Message(role="assistant", parts=[ThinkingPart(text="t", provider="openai"), call]),
        Message.tool_results(ToolResultPart(call_id="call_1", name="get_weather", content="20C")),
    ]
    body = gem_body(messages=history)
    assert body["contents"][1] == {
        "role": "model",
        "parts": [
            {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": DUMMY}
        ],
    }
    assert body["contents"][2]["parts"][0]["functionResponse"] == {
        "name": "get_weather",
        "response": {"output": "20C"},
    }
    old = gem_body(messages=history, model="gemini-2.5-flash-lite")
    assert "thoughtSignature" not in old["contents"][1]["parts"][0]


# --- Mistral -------------------------------------------------------------------------------------

MIS = Mistral()
MIS_CONN = Connection(provider="mistral", base_url="https://api.mistral.ai/v1", key=Secret("k"))


def mis_body(messages: list[Message] | None = None, **kw: Any) -> dict[str, Any]:
    call, _ = codec_call(MIS, MIS_CONN, "mistral", "mistral-medium-3-5", messages=messages, **kw)
    return call.json_body


def test_mistral_tools_choice_and_response_format() -> None:
    body = mis_body(tools=[WEATHER], tool_choice="required", parallel_tool_calls=False)
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Get weather",
                "parameters": WEATHER.parameters,
            },
        }
    ]
    assert body["tool_choice"] == "required" and body["parallel_tool_calls"] is False
    spec = OutputSpec(name="Ans", schema={"type": "object", "properties": {"a": {"type": "string"}}})
    assert mis_body(output=spec)["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": "Ans",
            "schema": {
                "type": "object",
                "properties": {"a": {"type": "string"}},
                "additionalProperties": False,
            },
            "strict": True,
        },
    }


def test_mistral_calls_parsed_as_string_or_object_and_sent_back_with_thinking() -> None:
    payload = {
        "id": "c1",
        "model": "mistral-medium-3-5",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": [{"type": "thinking", "thinking": [{"type": "text", "text": "need it"}]}],
                    "tool_calls": [
                        {
                            "id": "D681PevKs",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                        },
                        {
                            "id": "Q2bWx9aLp",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": {"city": "Rome"}},
                        },
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
    }
    r = MIS.parse(payload, _request("mistral", "mistral-medium-3-5"))
    calls = [p for p in r.parts if isinstance(p, ToolCallPart)]
    assert [c.arguments for c in calls] == [
        {"city": "Paris"},
        {"city": "Rome"},
    ] and r.finish_reason == "tool_calls"
    body = mis_body(
        messages=[
            Message.user("w?"),
            r.to_message(),
            r.tool_results({"D681PevKs": "20C", "Q2bWx9aLp": "25C"}),
        ]
    )
    assistant = body["messages"][1]
    assert assistant["content"] == [
        {"type": "thinking", "thinking": [{"type": "text", "text": "need it"}], "closed": True}
    ]
    assert [c["id"] for c in assistant["tool_calls"]] == ["D681PevKs", "Q2bWx9aLp"]
    assert assistant["tool_calls"][0]["function"]["arguments"] == '{"city":"Paris"}'  # verbatim to its maker
    assert body["messages"][2:] == [
        {"role": "tool", "tool_call_id": "D681PevKs", "content": "20C", "name": "get_weather"},
        {"role": "tool", "tool_call_id": "Q2bWx9aLp", "content": "25C", "name": "get_weather"},
    ]


def test_mistral_stream_reads_whole_calls_by_index() -> None:
    decoder = MIS.decoder(_request("mistral", "mistral-medium-3-5", stream=True))
    calls = [
        {"index": 0, "id": "D681PevKs", "type": "function", "function": {"name": "a", "arguments": "{}"}},
        {"index": 1, "id": "Q2bWx9aLp", "type": "function", "function": {"name": "b", "arguments": {"x": 1}}},
    ]
    chunks = [
        {"id": "c1", "model": "m", "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
        {
            "id": "c1",
            "model": "m",
            "choices": [{"index": 0, "delta": {"tool_calls": calls}, "finish_reason": "tool_calls"}],
        },
    ]
    deltas = _feed(decoder, chunks)
    decoder.feed("", "[DONE]")
    assert [(d.index, d.name) for d in deltas if isinstance(d, ToolCallDelta)] == [(0, "a"), (1, "b")]
    r = decoder.result()
    assert [(p.id, p.arguments) for p in r.parts if isinstance(p, ToolCallPart)] == [
        ("D681PevKs", {}),
        ("Q2bWx9aLp", {"x": 1}),
    ]
