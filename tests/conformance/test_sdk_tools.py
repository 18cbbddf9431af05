"""Tools and structured output against the official openai SDK (3.60): our requests equal its requests,
and it parses the sandbox's tool calls, streams (its own accumulators) and structured answers.

Models in these tests have only required or `X | None` fields: for a field with another default the
SDK's strict helper keeps it required and non-nullable, while ours makes it nullable (the function's
default then applies) -- both are valid strict schemas; tests/unit/test_tools_schema.py covers ours.
"""

from __future__ import annotations

import json
import os
from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel

openai = pytest.importorskip("openai")

from providers.client import AsyncClient  # noqa: E402
from providers.output import output_plan  # noqa: E402
from providers.tools import as_tool  # noqa: E402
from providers.types import ToolCallPart  # noqa: E402
from tests.conformance.test_sdk_oracles import (  # noqa: E402,F401
    _assert_same_request,
    _capture,
    _chat_completion_body,
    sandbox_url,
)
from tests.helpers import fixture_json  # noqa: E402

pytestmark = pytest.mark.conformance


class GetWeather(BaseModel):
    """Get the weather for a city."""

    city: str
    unit: str | None


class Clause(BaseModel):
    """One obligation in a contract."""

    party: str
    obligation: str
    deadline: date | None


CONTRACT = "The Supplier shall deliver the goods by 1 March 2026."


def _key() -> str:
    return os.environ["OPENAI_API_KEY"]


# --- our request equals the SDK's ------------------------------------------------------------------


def test_responses_tool_request_matches_sdk() -> None:
    ours = AsyncClient().prepare(
        "openai/gpt-6.1-terra",
        "weather?",
        thinking="low",
        tools=[as_tool(GetWeather).spec()],
        tool_choice="required",
        parallel_tool_calls=False,
    )
    theirs = _capture(
        openai.OpenAI,
        fixture_json("openai_response.json"),
        _key(),
        lambda c: c.responses.create(
            model="gpt-6.1-terra",
            input=[{"role": "user", "content": "weather?"}],
            reasoning={"effort": "low", "summary": "auto"},
            tools=[openai.pydantic_responses_function_tool(GetWeather)],
            tool_choice="required",
            parallel_tool_calls=False,
        ),
    )
    _assert_same_request(ours.call, theirs)


def test_chat_tool_request_matches_sdk() -> None:
    ours = AsyncClient().prepare(
        "openai/gpt-6.1-terra",
        "weather?",
        thinking="high",
        api="chat",
        max_tokens=500,
        tools=[as_tool(GetWeather).spec()],
        tool_choice="GetWeather",
    )
    theirs = _capture(
        openai.OpenAI,
        _chat_completion_body(),
        _key(),
        lambda c: c.chat.completions.create(
            model="gpt-6.1-terra",
            messages=[{"role": "user", "content": "weather?"}],
            reasoning_effort="high",
            max_completion_tokens=500,
            tools=[openai.pydantic_function_tool(GetWeather)],
            tool_choice={"type": "function", "function": {"name": "GetWeather"}},
        ),
    )
    _assert_same_request(ours.call, theirs)


def test_responses_structured_output_request_matches_sdk() -> None:
    ours = AsyncClient().prepare(
        "openai/gpt-6.1-terra", CONTRACT, thinking="low", output=output_plan(Clause).spec
    )
    answer = fixture_json("openai_response.json")
    answer["output"][1]["content"][0]["text"] = json.dumps(
        {"party": "Supplier", "obligation": "deliver", "deadline": "2026-03-01"}
    )
    theirs = _capture(
        openai.OpenAI,
        answer,
        _key(),
        lambda c: c.responses.parse(
            model="gpt-6.1-terra",
            input=[{"role": "user", "content": CONTRACT}],
            reasoning={"effort": "low", "summary": "auto"},
            text_format=Clause,
        ),
    )
    _assert_same_request(ours.call, theirs)


def test_chat_structured_output_request_matches_sdk() -> None:
    ours = AsyncClient().prepare(
        "openai/gpt-6.1-terra", CONTRACT, api="chat", max_tokens=500, output=output_plan(Clause).spec
    )
    body = _chat_completion_body()
    body["choices"][0]["message"]["content"] = json.dumps(
        {"party": "Supplier", "obligation": "deliver", "deadline": None}
    )
    theirs = _capture(
        openai.OpenAI,
        body,
        _key(),
        lambda c: c.chat.completions.parse(
            model="gpt-6.1-terra",
            messages=[{"role": "user", "content": CONTRACT}],
            max_completion_tokens=500,
            response_format=Clause,
        ),
    )
    # chat.completions.parse spells out the default "stream": false; create() (which we match) does not
    body = json.loads(theirs.content)
    assert body.pop("stream") is False
    assert ours.call.json_body == body
    theirs.headers.pop("content-length", None)
    _assert_same_request(ours.call.model_copy(update={"json_body": json.loads(theirs.content)}), theirs)


# --- the SDK parses the sandbox's tool calls and structured answers ----------------------------------


@pytest.fixture
def oai(sandbox_url: str) -> Any:  # noqa: F811
    client = openai.OpenAI(base_url=f"{sandbox_url}/openai/v1", api_key="sk-test", max_retries=0)
    yield client
    client.close()


WEATHER_TOOL = openai.pydantic_responses_function_tool(GetWeather)
CHAT_TOOL = openai.pydantic_function_tool(GetWeather)


def test_sdk_parses_a_responses_tool_call_and_its_history_goes_back(oai: Any) -> None:
    first = oai.responses.create(
        model="gpt-6.1-terra",
        input="What is the weather in Paris?",
        reasoning={"effort": "low", "summary": "auto"},
        tools=[WEATHER_TOOL],
    )
    calls = [item for item in first.output if item.type == "function_call"]
    assert [type(i).__name__ for i in first.output] == ["ResponseReasoningItem", "ResponseFunctionToolCall"]
    assert calls[0].name == "GetWeather" and json.loads(calls[0].arguments)["city"]
    # the SDK's own replay of every item, ids included, then the result: the sandbox accepts it
    history = [
        {"role": "user", "content": "What is the weather in Paris?"},
        *[item.model_dump(exclude_none=True) for item in first.output],
        {"type": "function_call_output", "call_id": calls[0].call_id, "output": "20C"},
    ]
    second = oai.responses.create(
        model="gpt-6.1-terra",
        input=history,
        reasoning={"effort": "low", "summary": "auto"},
        tools=[WEATHER_TOOL],
    )
    assert "GetWeather returned 20C" in second.output_text


def test_sdk_stream_accumulator_builds_the_call(oai: Any) -> None:
    with oai.responses.stream(
        model="gpt-6.1-terra", input="weather in Oslo?", tools=[WEATHER_TOOL]
    ) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    assert "response.function_call_arguments.delta" in kinds
    call = next(i for i in final.output if i.type == "function_call")
    assert call.parsed_arguments == GetWeather.model_validate_json(call.arguments)  # the SDK's own parse


def test_sdk_chat_stream_accumulator_builds_the_call(oai: Any) -> None:
    with oai.chat.completions.stream(
        model="gpt-6.1-terra",
        messages=[{"role": "user", "content": "weather in Rome?"}],
        tools=[CHAT_TOOL],
    ) as stream:
        deltas = [e for e in stream if e.type == "tool_calls.function.arguments.delta"]
        final = stream.get_final_completion()
    assert len(deltas) > 1
    call = final.choices[0].message.tool_calls[0]
    assert final.choices[0].finish_reason == "tool_calls"
    assert isinstance(call.function.parsed_arguments, GetWeather)


def test_sdk_parses_structured_answers_and_refusals(oai: Any) -> None:
    parsed = oai.responses.parse(model="gpt-6.1-terra", input=CONTRACT, text_format=Clause)
    assert isinstance(parsed.output_parsed, Clause)
    chat = oai.chat.completions.parse(
        model="gpt-6.1-terra", messages=[{"role": "user", "content": CONTRACT}], response_format=Clause
    )
    assert isinstance(chat.choices[0].message.parsed, Clause)
    refused = oai.chat.completions.parse(
        model="gpt-6.1-terra",
        messages=[{"role": "user", "content": "sandbox: refuse " + CONTRACT}],
        response_format=Clause,
    )
    assert refused.choices[0].message.refusal and refused.choices[0].message.parsed is None


@pytest.mark.parametrize("vendor", ["xai", "deepseek"])
def test_sdk_parses_the_vendors_tool_calls(sandbox_url: str, vendor: str) -> None:  # noqa: F811
    base = {"xai": "/xai/v1", "deepseek": "/deepseek"}[vendor]
    client = openai.OpenAI(base_url=f"{sandbox_url}{base}", api_key="sk-test", max_retries=0)
    try:
        if vendor == "xai":  # Responses, each call whole in one delta
            with client.responses.stream(
                model="grok-4.3", input="weather in Lima?", tools=[WEATHER_TOOL]
            ) as s:
                deltas = [e for e in s if e.type == "response.function_call_arguments.delta"]
                final = s.get_final_response()
            call = next(i for i in final.output if i.type == "function_call")
            assert len(deltas) == 1 and deltas[0].delta == call.arguments
        else:
            with client.chat.completions.stream(
                model="deepseek-flash",
                messages=[{"role": "user", "content": "weather in Lima?"}],
                tools=[CHAT_TOOL],
            ) as s:
                final = s.get_final_completion()
            message = final.choices[0].message
            assert message.tool_calls[0].function.name == "GetWeather"
            assert message.model_extra.get("reasoning_content")  # thinking on by default
    finally:
        client.close()


async def test_our_loop_over_http_matches_what_the_sdk_sees(sandbox_url: str) -> None:  # noqa: F811
    def get_weather(city: str, unit: str | None) -> str:
        """Get the weather for a city."""
        return "20C"

    async with AsyncClient(
        base_urls={"openai": f"{sandbox_url}/openai/v1"}, api_keys={"openai": "sk-test"}
    ) as c:
        r = await c.chat("openai/gpt-6.1-terra", "weather in Paris?", tools=[get_weather], thinking="low")
    assert r.tool_calls[0].output == "20C" and "get_weather returned 20C" in r.text
    assert isinstance(r.steps[0].parts[-1], ToolCallPart) and r.steps[0].parts[-1].item_id
