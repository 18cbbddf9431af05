"""The strict sandbox refuses a strict OpenAI schema the way the API does (validate/rules_openai_strict.py):
structured output (Responses `text.format`, Chat `response_format`) and strict function tools, each a
400 naming the schema and the place in it. Schemas sent non-strict are not judged, and what our codecs
send passes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from enum import StrEnum
from typing import Any, Literal

import httpx2
import pydantic
import pytest

from providers.client import AsyncClient
from providers.sandbox import SandboxApp
from providers.sandbox.validate.rules_openai_strict import strict_problem

OPENAI = {"authorization": "Bearer sk-test"}
RESPONSES = "https://api.openai.com/v1/responses"
CHAT = "https://api.openai.com/v1/chat/completions"
CLOSED = {
    "type": "object",
    "properties": {"a": {"type": "string"}},
    "required": ["a"],
    "additionalProperties": False,
}


@pytest.fixture
async def client() -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=SandboxApp(clock=lambda: 1_764_115_200.0))
    async with httpx2.AsyncClient(transport=transport) as c:
        yield c


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        (
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            "In context=(), 'additionalProperties' is required to be supplied and to be false.",
        ),
        (
            {**CLOSED, "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}},
            "In context=(), 'required' is required to be supplied and to be an array including every key "
            "in properties. Missing 'b'.",
        ),
        (
            {**CLOSED, "required": ["a", "z"]},
            "In context=(), 'required' is required to be supplied and to be an array including every key "
            "in properties. Extra required key 'z' supplied.",
        ),
        (
            {**CLOSED, "properties": {"a": {"description": "anything"}}},
            "In context=('properties', 'a'), schema must have a 'type' key.",
        ),
        (
            {**CLOSED, "properties": {"a": {"type": "array", "items": {"anyOf": [{}, {"type": "null"}]}}}},
            "In context=('properties', 'a', 'items', 'anyOf', '0'), schema must have a 'type' key.",
        ),
        (
            {
                **CLOSED,
                "properties": {"a": {"$ref": "#/$defs/Inner"}},
                "$defs": {"Inner": {"type": "object"}},
            },
            "In context=('$defs', 'Inner'), 'additionalProperties' is required to be supplied and to be false.",
        ),
        (CLOSED, None),
    ],
)
def test_what_strict_mode_refuses(schema: dict[str, Any], problem: str | None) -> None:
    assert strict_problem(schema) == problem


async def test_responses_text_format_and_tools(client: httpx2.AsyncClient) -> None:
    loose = {"type": "object", "properties": {"a": {"type": "string"}}}
    fmt = {"type": "json_schema", "name": "Answer", "schema": loose, "strict": True}
    body = {"model": "gpt-6.1-terra", "input": "hi", "text": {"format": fmt}}
    r = await client.post(RESPONSES, json=body, headers=OPENAI)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["message"] == (
        "Invalid schema for response_format 'Answer': In context=(), 'additionalProperties' is required to be "
        "supplied and to be false."
    )
    assert error["type"] == "invalid_request_error" and error["param"] == "text.format.schema"
    tool = {"type": "function", "name": "look", "description": "", "parameters": loose, "strict": True}
    r = await client.post(
        RESPONSES, json={"model": "gpt-6.1-terra", "input": "hi", "tools": [tool]}, headers=OPENAI
    )
    assert r.status_code == 400 and r.json()["error"]["message"].startswith(
        "Invalid schema for function 'look': "
    )
    for relaxed in ({**fmt, "strict": False}, {"type": "json_object"}):  # not strict: not judged
        r = await client.post(RESPONSES, json={**body, "text": {"format": relaxed}}, headers=OPENAI)
        assert r.status_code == 200, r.text


async def test_chat_response_format_and_tools(client: httpx2.AsyncClient) -> None:
    untyped = {**CLOSED, "properties": {"a": {}}}
    fmt = {"type": "json_schema", "json_schema": {"name": "Answer", "schema": untyped, "strict": True}}
    body = {"model": "gpt-6.1-terra", "messages": [{"role": "user", "content": "hi"}], "response_format": fmt}
    r = await client.post(CHAT, json=body, headers=OPENAI)
    assert r.status_code == 400 and r.json()["error"]["param"] == "response_format"
    assert "In context=('properties', 'a'), schema must have a 'type' key." in r.json()["error"]["message"]
    tool = {"type": "function", "function": {"name": "look", "parameters": untyped, "strict": True}}
    plain = {k: v for k, v in body.items() if k != "response_format"}
    r = await client.post(CHAT, json={**plain, "tools": [tool]}, headers=OPENAI)
    assert r.status_code == 400 and r.json()["error"]["param"] == "tools[0].function.parameters"


class Color(StrEnum):
    red = "red"
    green = "green"


class Address(pydantic.BaseModel):
    street: str
    zip: str | None = None


class Person(pydantic.BaseModel):
    name: str = pydantic.Field(min_length=1)
    born: date
    color: Color
    kind: Literal["a", "b"]
    tags: list[str] = []
    address: Address
    others: list[Address] = []
    anything: Any = None
    mapping: dict[str, int] | None = None


class Loose(pydantic.BaseModel):
    value: Any
    kind: Literal["k"] = "k"


def describe(person: Person, note: str | None = None, favourite: Literal["x"] = "x") -> str:
    """Describe a person."""
    return person.name


def store(key: str, value: Any) -> str:
    """Store any value."""
    return key


@pytest.mark.parametrize("api", ["responses", "chat"])
async def test_what_our_codecs_send_passes(api: str) -> None:
    """Nested models, optional fields, enums, dates, literals, Any and free-form mappings: strict where
    strict mode can take them, non-strict (and noted) where it cannot -- never a 400."""
    async with AsyncClient(sandbox=True) as c:
        r = await c.chat("openai/gpt-6.1-terra", "Ann, born 1990-01-02", output=Person, api=api)
        assert isinstance(r.output, Person)
        r = await c.chat("openai/gpt-6.1-terra", "sandbox: answer", tools=[describe], output=Address, api=api)
        assert isinstance(r.output, Address)
        r = await c.chat("openai/gpt-6.1-terra", "x", output=list[Address], api=api)
        assert isinstance(r.output, list)
        r = await c.chat("openai/gpt-6.1-terra", "x", output=Loose, api=api)
        assert isinstance(r.output, Loose)
        r = await c.chat(
            "openai/gpt-6.1-terra", 'sandbox: call store {"key": "k", "value": 1}', tools=[store], api=api
        )
        assert r.tool_calls[0].output == "k"
