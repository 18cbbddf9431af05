"""Structured output end to end against the sandbox, alone and with tools, on the OpenAI family."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel

from providers.client import AsyncClient
from providers.errors import OutputError, RefusalError

MODELS = [
    ("openai/gpt-6.1-terra", {}),
    ("openai/gpt-6.1-terra", {"api": "chat"}),
    ("xai/grok-4.3", {}),
    ("deepseek/deepseek-flash", {}),
    ("groq/openai/gpt-oss-120b", {}),
]
IDS = ["responses", "chat", "xai", "deepseek", "compat"]
CONTRACT = "The Supplier shall deliver the goods to the Buyer by 1 March 2026."


class Clause(BaseModel):
    """One obligation in a contract."""

    party: str
    obligation: str
    deadline: date | None


def last_body(client: AsyncClient) -> dict:
    return client.sandbox_app.requests[-1].body


@pytest.mark.parametrize(("model", "kw"), MODELS, ids=IDS)
async def test_output_is_validated_into_the_model(model: str, kw: dict) -> None:
    async with AsyncClient(sandbox=True) as client:
        r = await client.chat(model, CONTRACT, output=Clause, **kw)
        assert isinstance(r.output, Clause) and isinstance(r.output.deadline, date)
        assert Clause.model_validate_json(r.text) == r.output


async def test_each_provider_gets_its_own_mechanism() -> None:
    async with AsyncClient(sandbox=True) as client:
        await client.chat("openai/gpt-6.1-terra", CONTRACT, output=Clause)
        fmt = last_body(client)["text"]["format"]
        assert fmt["type"] == "json_schema" and fmt["name"] == "Clause" and fmt["strict"] is True
        assert fmt["schema"]["required"] == ["party", "obligation", "deadline"]
        assert fmt["schema"]["additionalProperties"] is False
        await client.chat("openai/gpt-6.1-terra", CONTRACT, output=Clause, api="chat")
        rf = last_body(client)["response_format"]
        assert rf["type"] == "json_schema" and rf["json_schema"]["strict"] is True
        assert set(rf["json_schema"]) == {"name", "schema", "strict"}
        await client.chat("deepseek/deepseek-flash", CONTRACT, output=Clause)
        body = last_body(client)
        assert body["response_format"] == {"type": "json_object"}
        system = body["messages"][0]
        assert (
            system["role"] == "system"
            and "JSON Schema" in system["content"]
            and '"party"' in system["content"]
        )


@pytest.mark.parametrize(("model", "kw"), MODELS[:3], ids=IDS[:3])
async def test_refusal_is_a_typed_error_with_the_result(model: str, kw: dict) -> None:
    async with AsyncClient(sandbox=True) as client:
        with pytest.raises(RefusalError) as info:
            await client.chat(model, f"sandbox: refuse {CONTRACT}", output=Clause, **kw)
    assert "can't help" in info.value.refusal and info.value.result is not None
    assert info.value.result.finish_reason == "refusal"


@pytest.mark.parametrize(("model", "kw"), MODELS, ids=IDS)
async def test_invalid_json_keeps_the_raw_text(model: str, kw: dict) -> None:
    async with AsyncClient(sandbox=True) as client:
        with pytest.raises(OutputError, match="not JSON") as info:
            await client.chat(model, f"sandbox: bad json {CONTRACT}", output=Clause, **kw)
    assert info.value.raw_text.startswith("Here it is:")


async def test_truncated_answer_is_an_output_error() -> None:
    async with AsyncClient(sandbox=True) as client:
        with pytest.raises(OutputError, match="cut off at the token limit"):
            await client.chat("openai/gpt-6.1-terra", CONTRACT, output=Clause, max_tokens=1, thinking=False)


async def test_non_object_outputs_are_wrapped_and_unwrapped() -> None:
    async with AsyncClient(sandbox=True) as client:
        r = await client.chat("openai/gpt-6.1-terra", "three clauses", output=list[Clause])
        assert isinstance(r.output, list) and isinstance(r.output[0], Clause)
        assert last_body(client)["text"]["format"]["schema"]["required"] == ["value"]


def days_until(deadline: date) -> int:
    """Days from 2026-01-01 to a deadline."""
    return (deadline - date(2026, 1, 1)).days


class Answer(BaseModel):
    days: int
    comment: str


async def test_tools_and_output_together() -> None:
    async with AsyncClient(sandbox=True) as client:
        r = await client.chat(
            "openai/gpt-6.1-terra", "How many days until 2026-03-01?", tools=[days_until], output=Answer
        )
        assert r.tool_calls[0].output == "14" and r.output == Answer(days=14, comment="example")
        assert len(r.steps) == 2
        assert all("format" in s for s in [b.body.get("text", {}) for b in client.sandbox_app.requests])


async def test_model_without_structured_output_is_asked_in_the_prompt() -> None:
    async with AsyncClient(sandbox=True) as client:
        prep = client.prepare("chatlaw/ChatLaw-13B", CONTRACT, output=_spec())
        assert "response_format" not in prep.call.json_body
        assert "JSON Schema" in prep.call.json_body["messages"][0]["content"]
        assert any("no structured-output mode" in n for n in prep.notes)


def _spec():  # type: ignore[no-untyped-def]
    from providers.output import output_plan

    return output_plan(Clause).spec


class Tree(BaseModel):
    name: str
    children: list[Tree]


@pytest.mark.parametrize(("model", "kw"), MODELS, ids=IDS)
async def test_a_recursive_output_model(model: str, kw: dict) -> None:
    """A tree as output: DeepSeek's prompt example and the sandbox's answer recursed without end."""
    async with AsyncClient(sandbox=True) as client:
        r = await client.chat(model, "A family tree", output=Tree, **kw)
        assert isinstance(r.output, Tree)
