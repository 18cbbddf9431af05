"""Conformance for tools and structured output: anthropic 2.17, google-genai 3.6.1 and mistralai 3.7.

1. The SDKs, pointed at the sandbox server, parse its tool calls (plain and streamed, through their own
   stream accumulators: anthropic's `messages.stream`, google-genai's chunks and its automatic function
   calling loop, mistralai's `chat.stream`), send the results back in their own shapes (accepted by the
   strict sandbox), and parse structured answers (`messages.parse`, `response_json_schema`/
   `response_schema`, `chat.parse`).
2. For the same tool and structured-output calls our request equals the SDK's: method, URL, headers
   and body (captured with httpx2.MockTransport). Gemini bodies are compared after the spelling
   differences the SDK makes (snake_case inside declarations and tool config; see test_gemini_sdk.py).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import date
from typing import Any, Literal

import httpx2
import pytest
from pydantic import BaseModel

anthropic = pytest.importorskip("anthropic")
genai = pytest.importorskip("google.genai")
mistralai = pytest.importorskip("mistralai.client")
from google.genai import types  # noqa: E402

from providers.client import AsyncClient  # noqa: E402
from providers.output import output_plan  # noqa: E402
from providers.schemas import for_gemini  # noqa: E402
from providers.tools import as_tool  # noqa: E402
from providers.types import Message  # noqa: E402
from tests.conformance.test_gemini_sdk import GEMINI_KEY, assert_same, capture, gemini_sdk  # noqa: E402
from tests.conformance.test_sdk_oracles import (  # noqa: E402
    _assert_same_request,
    _capture,
    sandbox_url,  # noqa: F401  (the module-scoped server fixture)
)
from tests.conformance.test_sdk_thinking_vendors import _capture_mistral  # noqa: E402

pytestmark = pytest.mark.conformance

FACTORS = {"m": 1.0, "km": 1000.0, "ft": 0.3048}
CALL = 'sandbox: call convert {"value": 3.2, "from_unit": "km"} How many feet is 3.2 km?'
CONTRACT = "The Supplier shall deliver the goods to the Buyer by 1 March 2026."


def convert(
    value: float, from_unit: Literal["m", "km", "ft"], to_unit: Literal["m", "km", "ft"] = "ft"
) -> float:
    """Convert between units of length."""
    return round(value * FACTORS[from_unit] / FACTORS[to_unit], 2)


def km_to_feet(km: float) -> float:
    """Convert kilometres to feet."""
    return round(km * 1000 / 0.3048, 2)


class Clause(BaseModel):
    """One obligation in a contract."""

    party: str
    obligation: str
    deadline: date | None


SPEC = as_tool(convert).spec()
ANT_TOOL = {"name": SPEC.name, "description": SPEC.description, "input_schema": SPEC.parameters}
MIS_TOOL = {
    "type": "function",
    "function": {"name": SPEC.name, "description": SPEC.description, "parameters": SPEC.parameters},
}
ADAPTIVE = {"thinking": {"type": "adaptive", "display": "summarized"}, "output_config": {"effort": "high"}}


def gem_declaration() -> types.Tool:
    schema = for_gemini(SPEC.parameters).schema
    return types.Tool(
        function_declarations=[
            types.FunctionDeclaration(
                name=SPEC.name, description=SPEC.description, parameters_json_schema=schema
            )
        ]
    )


def gem_thinking(**kw: Any) -> types.GenerateContentConfig:
    return types.GenerateContentConfig(
        thinking_config=types.ThinkingConfig(thinking_level="HIGH", include_thoughts=True), **kw
    )


# --- 1. the SDKs against the sandbox ---------------------------------------------------------------


@pytest.fixture
def ant(sandbox_url: str) -> Iterator[Any]:  # noqa: F811
    client = anthropic.Anthropic(base_url=f"{sandbox_url}/anthropic", api_key="sk-test", max_retries=0)
    yield client
    client.close()


@pytest.fixture
def gem(sandbox_url: str) -> Iterator[Any]:  # noqa: F811
    client = genai.Client(
        api_key="AIza-test", http_options=types.HttpOptions(base_url=f"{sandbox_url}/gemini")
    )
    yield client
    client.close()


@pytest.fixture
def vertex(sandbox_url: str) -> Iterator[Any]:  # noqa: F811
    from google.oauth2.credentials import Credentials

    client = genai.Client(
        vertexai=True,
        project="demo-proj",
        location="europe-west4",
        credentials=Credentials(token="ya29.conformance-token"),
        http_options=types.HttpOptions(base_url=f"{sandbox_url}/vertex"),
    )
    yield client
    client.close()


@pytest.fixture
def mis(sandbox_url: str) -> Iterator[Any]:  # noqa: F811
    with mistralai.Mistral(api_key="m-test", server_url=f"{sandbox_url}/mistral") as client:
        yield client


def test_anthropic_sdk_tool_use_and_result_round_trip(ant: Any) -> None:
    user = {"role": "user", "content": CALL}
    kw = {"model": "claude-sonnet-5-5", "max_tokens": 2048, "tools": [ANT_TOOL], **ADAPTIVE}
    first = ant.messages.create(messages=[user], **kw)
    assert first.stop_reason == "tool_use"
    assert [b.type for b in first.content] == ["thinking", "tool_use"] and first.content[0].signature
    use = first.content[1]
    assert use.name == "convert" and use.input == {"value": 3.2, "from_unit": "km"}
    result = {"type": "tool_result", "tool_use_id": use.id, "content": str(convert(**use.input))}
    history = [user, {"role": "assistant", "content": first.content}, {"role": "user", "content": [result]}]
    second = ant.messages.create(messages=history, **kw)  # thinking block and signature checked
    assert second.stop_reason == "end_turn" and "convert returned 10498.69" in second.content[-1].text


def test_anthropic_stream_accumulator_builds_the_tool_use(ant: Any) -> None:
    kw = {"model": "claude-sonnet-5-5", "max_tokens": 2048, "tools": [ANT_TOOL], **ADAPTIVE}
    with ant.messages.stream(messages=[{"role": "user", "content": CALL}], **kw) as stream:
        events = list(stream)
        final = stream.get_final_message()
    json_events = [e for e in events if e.type == "input_json"]
    assert json_events and json_events[-1].snapshot == {"value": 3.2, "from_unit": "km"}
    assert final.stop_reason == "tool_use" and final.content[-1].input == {"value": 3.2, "from_unit": "km"}
    assert final.content[0].type == "thinking" and final.content[0].signature


def test_anthropic_sdk_parse_reads_the_structured_answer(ant: Any) -> None:
    r = ant.messages.parse(
        model="claude-sonnet-5-5",
        max_tokens=2048,
        messages=[{"role": "user", "content": CONTRACT}],
        output_format=Clause,
        **ADAPTIVE,
    )
    assert isinstance(r.parsed_output, Clause) and isinstance(r.parsed_output.deadline, date)


@pytest.mark.parametrize("door", ["gem", "vertex"])
def test_gemini_sdk_function_call_and_response(door: str, request: pytest.FixtureRequest) -> None:
    client = request.getfixturevalue(door)
    config = gem_thinking(tools=[gem_declaration()])
    r = client.models.generate_content(model="gemini-3.8-flash", contents=CALL, config=config)
    (call,) = r.function_calls
    assert call.name == "convert" and call.args == {"value": 3.2, "from_unit": "km"}
    assert (call.id is not None) == (door == "vertex")  # (the sandbox's choice: ids on Vertex only)
    content = r.candidates[0].content
    part = next(p for p in content.parts if p.function_call)
    assert part.thought_signature  # bytes: the SDK decoded it
    answer = types.Part(
        function_response=types.FunctionResponse(id=call.id, name=call.name, response={"output": 10498.69})
    )
    contents = [CALL, content, types.Content(role="user", parts=[answer])]
    second = client.models.generate_content(model="gemini-3.8-flash", contents=contents, config=config)
    assert "convert returned 10498.69" in second.text


@pytest.mark.parametrize("door", ["gem", "vertex"])
def test_gemini_sdk_automatic_function_calling_runs_against_the_sandbox(
    door: str, request: pytest.FixtureRequest
) -> None:
    client = request.getfixturevalue(door)
    config = types.GenerateContentConfig(tools=[km_to_feet])
    r = client.models.generate_content(
        model="gemini-3.8-flash", contents="How many feet is 3.2 km?", config=config
    )
    # google-genai's loop sends the result as {"result": ...} (tools-batch.md 11): the whole response
    assert 'km_to_feet returned {"result": 10498.69}' in r.text
    history = r.automatic_function_calling_history
    assert history and any(p.function_response for c in history for p in c.parts or [])


def test_gemini_sdk_stream_carries_whole_calls(gem: Any) -> None:
    config = gem_thinking(tools=[gem_declaration()])
    chunks = list(gem.models.generate_content_stream(model="gemini-3.8-flash", contents=CALL, config=config))
    calls = [c for chunk in chunks for c in chunk.function_calls or []]
    assert [(c.name, c.args) for c in calls] == [("convert", {"value": 3.2, "from_unit": "km"})]
    assert chunks[-1].candidates[0].finish_reason == types.FinishReason.STOP


def test_gemini_sdk_structured_output_both_ways(gem: Any) -> None:
    r = gem.models.generate_content(
        model="gemini-3.8-flash",
        contents=CONTRACT,
        config=types.GenerateContentConfig(
            response_mime_type="application/json", response_json_schema=Clause.model_json_schema()
        ),
    )
    assert Clause.model_validate_json(r.text).party
    legacy = gem.models.generate_content(
        model="gemini-3.8-flash",
        contents=CONTRACT,
        config=types.GenerateContentConfig(response_mime_type="application/json", response_schema=Clause),
    )
    assert isinstance(legacy.parsed, Clause)


def test_mistral_sdk_tool_calls_results_and_stream(mis: Any) -> None:
    user = {"role": "user", "content": CALL}
    first = mis.chat.complete(
        model="mistral-medium-3-5", messages=[user], tools=[MIS_TOOL], reasoning_effort="high"
    )
    message = first.choices[0].message
    (call,) = message.tool_calls
    assert re.fullmatch(r"[a-zA-Z0-9]{9}", call.id) and json.loads(call.function.arguments)["value"] == 3.2
    assert first.choices[0].finish_reason == "tool_calls"
    tool = {"role": "tool", "tool_call_id": call.id, "name": "convert", "content": "10498.69"}
    second = mis.chat.complete(
        model="mistral-medium-3-5", messages=[user, message, tool], tools=[MIS_TOOL], reasoning_effort="high"
    )
    assert "convert returned 10498.69" in second.choices[0].message.content[-1].text
    deltas = [
        c
        for event in mis.chat.stream(model="mistral-medium-3-5", messages=[user], tools=[MIS_TOOL])
        for c in event.data.choices[0].delta.tool_calls or []
    ]
    assert [d.function.name for d in deltas] == ["convert"]  # the call whole, in one delta
    assert re.fullmatch(r"[a-zA-Z0-9]{9}", deltas[0].id or "") and json.loads(deltas[0].function.arguments)


def test_mistral_sdk_parse_reads_the_structured_answer(mis: Any) -> None:
    r = mis.chat.parse(
        response_format=Clause, model="mistral-medium-3-5", messages=[{"role": "user", "content": CONTRACT}]
    )
    assert isinstance(r.choices[0].message.parsed, Clause)


# --- 2. our request equals the SDK's ---------------------------------------------------------------

ANT_REPLY: dict[str, Any] = {  # wire/tools-batch.md 3.3, as the API answers it
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-5-5",
    "content": [
        {"type": "thinking", "thinking": "need weather", "signature": "EqQB"},
        {"type": "tool_use", "id": "toolu_01", "name": "convert", "input": {"value": 3.2, "from_unit": "km"}},
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {"input_tokens": 10, "output_tokens": 20},
}


def _ant(send: Any) -> httpx2.Request:
    return _capture(anthropic.Anthropic, ANT_REPLY, os.environ["ANTHROPIC_API_KEY"], send)


def test_anthropic_tool_request_matches_sdk() -> None:
    ours = AsyncClient().prepare(
        "anthropic/claude-haiku-5-5",
        "hi",
        tools=[SPEC],
        tool_choice="convert",
        parallel_tool_calls=False,
        thinking="high",
        max_tokens=2048,
    )
    theirs = _ant(
        lambda c: c.messages.create(
            model="claude-haiku-5-5",
            max_tokens=2048,
            messages=[{"role": "user", "content": "hi"}],
            tools=[ANT_TOOL],
            tool_choice={"type": "tool", "name": "convert", "disable_parallel_tool_use": True},
            **ADAPTIVE,
        )
    )
    _assert_same_request(ours.call, theirs, version=True)


def test_anthropic_tool_result_turn_matches_sdk() -> None:
    client = AsyncClient()
    first = client.prepare(
        "anthropic/claude-sonnet-5-5", "hi", tools=[SPEC], thinking="high", max_tokens=2048
    )
    parsed = first.codec.parse(ANT_REPLY, first.request)
    history = [Message.user("hi"), parsed, parsed.tool_results({"convert": 10498.69})]
    ours = client.prepare(
        "anthropic/claude-sonnet-5-5", history, tools=[SPEC], thinking="high", max_tokens=2048
    )
    message = anthropic.types.Message.model_validate(ANT_REPLY)
    result = {"type": "tool_result", "tool_use_id": "toolu_01", "content": "10498.69"}
    theirs = _ant(
        lambda c: c.messages.create(
            model="claude-sonnet-5-5",
            max_tokens=2048,
            messages=[
                {"role": "user", "content": "hi"},
                {"role": "assistant", "content": message.content},
                {"role": "user", "content": [result]},
            ],
            tools=[ANT_TOOL],
            **ADAPTIVE,
        )
    )
    _assert_same_request(ours.call, theirs, version=True)


def test_anthropic_structured_output_request_matches_sdk_parse() -> None:
    ours = AsyncClient().prepare(
        "anthropic/claude-sonnet-5-5", "hi", output=output_plan(Clause).spec, thinking="high", max_tokens=2048
    )
    reply = {
        **ANT_REPLY,
        "content": [{"type": "text", "text": '{"party":"a","obligation":"b","deadline":null}'}],
    }
    theirs = _capture(
        anthropic.Anthropic,
        reply,
        os.environ["ANTHROPIC_API_KEY"],
        lambda c: c.messages.parse(
            model="claude-sonnet-5-5",
            max_tokens=2048,
            messages=[{"role": "user", "content": "hi"}],
            output_format=Clause,
            **ADAPTIVE,
        ),
    )
    _assert_same_request(ours.call, theirs, version=True)


def _camel(key: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m[1].upper(), key)


def gem_normalized(body: dict[str, Any]) -> dict[str, Any]:
    """The SDK copies declarations and tool config in snake_case: spell those keys as REST does (the
    schemas inside stay as they are: their property names are the user's)."""
    body = json.loads(json.dumps(body))
    for tool in body.get("tools") or []:
        for key in list(tool):
            tool[_camel(key)] = tool.pop(key)
        for decl in tool.get("functionDeclarations") or []:
            for key in list(decl):
                decl[_camel(key)] = decl.pop(key)
    if "toolConfig" in body:
        body["toolConfig"] = json.loads(
            re.sub(r'"(\w+)":', lambda m: f'"{_camel(m[1])}":', json.dumps(body["toolConfig"]))
        )
    return body


def gem_same(ours: Any, theirs: httpx2.Request) -> None:
    their_body = gem_normalized(json.loads(theirs.content))
    theirs_fixed = httpx2.Request(theirs.method, theirs.url, headers=theirs.headers, json=their_body)
    assert_same(ours, theirs_fixed)


def _gem_ours(*args: Any, **kw: Any) -> Any:
    return AsyncClient(env={}, api_keys={"gemini": GEMINI_KEY}).prepare(*args, **kw)


def test_gemini_tool_request_matches_sdk() -> None:
    ours = _gem_ours("gemini/gemini-3.8-flash", "hi", tools=[SPEC], tool_choice="convert", thinking="high")
    config = gem_thinking(
        tools=[gem_declaration()],
        tool_config=types.ToolConfig(
            function_calling_config=types.FunctionCallingConfig(
                mode="ANY", allowed_function_names=["convert"]
            )
        ),
    )
    theirs = capture(
        gemini_sdk,
        lambda c: c.models.generate_content(model="gemini-3.8-flash", contents="hi", config=config),
    )
    gem_same(ours.call, theirs)


GEM_REPLY: dict[str, Any] = {  # wire/tools-batch.md 4.2, a signed call with an id
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [
                    {"text": "thinking", "thought": True},
                    {
                        "functionCall": {
                            "id": "fc1",
                            "name": "convert",
                            "args": {"value": 3.2, "from_unit": "km"},
                        },
                        "thoughtSignature": "CiQBVKhc",
                    },
                ],
            },
            "finishReason": "STOP",
        }
    ],
    "responseId": "r1",
}


def test_gemini_function_response_turn_matches_sdk() -> None:
    first = _gem_ours("gemini/gemini-3.8-flash", "hi", tools=[SPEC], thinking="high")
    parsed = first.codec.parse(GEM_REPLY, first.request)
    history = [Message.user("hi"), parsed, parsed.tool_results({"convert": 10498.69})]
    ours = _gem_ours("gemini/gemini-3.8-flash", history, tools=[SPEC], thinking="high")
    content = types.GenerateContentResponse.model_validate(GEM_REPLY).candidates[0].content
    answer = types.Part(
        function_response=types.FunctionResponse(id="fc1", name="convert", response={"output": 10498.69})
    )
    contents = ["hi", content, types.Content(role="user", parts=[answer])]
    config = gem_thinking(tools=[gem_declaration()])
    theirs = capture(
        gemini_sdk,
        lambda c: c.models.generate_content(model="gemini-3.8-flash", contents=contents, config=config),
    )
    gem_same(ours.call, theirs)


def test_gemini_structured_output_request_matches_sdk() -> None:
    ours = _gem_ours("gemini/gemini-3.8-flash", "hi", output=output_plan(Clause).spec, thinking="high")
    config = gem_thinking(
        response_mime_type="application/json",
        response_json_schema=for_gemini(Clause.model_json_schema()).schema,
    )
    theirs = capture(
        gemini_sdk,
        lambda c: c.models.generate_content(model="gemini-3.8-flash", contents="hi", config=config),
    )
    gem_same(ours.call, theirs)


MIS_REPLY_MESSAGE = {
    "role": "assistant",
    "content": "",
    "tool_calls": [
        {
            "id": "D681PevKs",
            "type": "function",
            "function": {"name": "convert", "arguments": '{"value": 3.2, "from_unit": "km"}'},
        }
    ],
}


def _mistral_sdk_body(request: httpx2.Request) -> dict[str, Any]:
    """The SDK's body without the defaults it adds to assistant messages (`prefix: false`)."""
    body = json.loads(request.content)
    for message in body.get("messages") or []:
        if message.get("role") == "assistant" and message.get("prefix") is False:
            del message["prefix"]
    return body


def test_mistral_tool_requests_match_sdk() -> None:
    ours = AsyncClient().prepare(
        "mistral/mistral-medium-3-5", "hi", tools=[SPEC], tool_choice="required", parallel_tool_calls=False
    )
    theirs = _capture_mistral(
        lambda c: c.chat.complete(
            model="mistral-medium-3-5",
            messages=[{"role": "user", "content": "hi"}],
            tools=[MIS_TOOL],
            tool_choice="required",
            parallel_tool_calls=False,
        )
    )
    _assert_same_request(ours.call, theirs)
    payload = {
        "id": "c1",
        "model": "mistral-medium-3-5",
        "choices": [{"index": 0, "message": MIS_REPLY_MESSAGE, "finish_reason": "tool_calls"}],
    }
    client = AsyncClient()
    first = client.prepare("mistral/mistral-medium-3-5", "hi", tools=[SPEC])
    parsed = first.codec.parse(payload, first.request)
    history = [Message.user("hi"), parsed, parsed.tool_results({"convert": 10498.69})]
    ours = client.prepare("mistral/mistral-medium-3-5", history, tools=[SPEC])
    tool = {"role": "tool", "tool_call_id": "D681PevKs", "name": "convert", "content": "10498.69"}
    theirs = _capture_mistral(
        lambda c: c.chat.complete(
            model="mistral-medium-3-5",
            messages=[{"role": "user", "content": "hi"}, {**MIS_REPLY_MESSAGE, "content": None}, tool],
            tools=[MIS_TOOL],
        )
    )
    assert ours.call.json_body == _mistral_sdk_body(theirs)


def test_mistral_structured_output_request_matches_sdk_parse() -> None:
    ours = AsyncClient().prepare("mistral/mistral-medium-3-5", "hi", output=output_plan(Clause).spec)

    def send(c: Any) -> None:
        with pytest.raises(json.JSONDecodeError):  # (the canned reply is prose: only the request matters)
            c.chat.parse(
                response_format=Clause,
                model="mistral-medium-3-5",
                messages=[{"role": "user", "content": "hi"}],
            )

    _assert_same_request(ours.call, _capture_mistral(send))
