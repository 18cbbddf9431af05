"""xAI end to end through the sandbox: Responses API, effort per model, encrypted reasoning kept and checked."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import pytest

from llmkit_nb import LLMKit
from llmkit_nb.display.objects import chat_mimebundle
from providers.errors import BadRequestError, IncompleteStreamError, InvalidParameterError, ModelRetiredError
from providers.sandbox import SandboxApp
from providers.types import ThinkingPart

QUESTION = "Is 1001 a prime number?"


@pytest.fixture
def kit() -> Iterator[LLMKit]:
    k = LLMKit(sandbox=True)
    yield k
    k.close()


def last_body(kit: LLMKit) -> dict[str, Any]:
    return kit.client.sandbox_app.requests[-1].body


def test_reasoning_comes_back_encrypted_and_the_panel_says_so(kit: LLMKit) -> None:
    r = kit.chat("xai/grok-4.7", QUESTION, thinking="high")
    assert QUESTION in r.text and r.reasoning == "" and r.visibility == "encrypted"
    part = r.thinking_parts[0]
    assert part.encrypted and part.id and part.provider == "xai"
    assert r.usage.reasoning_tokens and r.usage.reasoning_tokens > 0
    body = last_body(kit)
    assert body["reasoning"] == {"effort": "high"} and body["include"] == ["reasoning.encrypted_content"]
    assert r.endpoint == "https://api.x.ai/v1/responses"
    html = chat_mimebundle(r)["text/html"]
    assert "hides its reasoning" in html and f"{r.usage.reasoning_tokens:,} reasoning tokens" in html


def test_the_encrypted_reasoning_goes_back_next_turn(kit: LLMKit) -> None:
    first = kit.chat("xai/grok-4.7", QUESTION, thinking="high")
    second = kit.chat(
        "xai/grok-4.7",
        [{"role": "user", "content": QUESTION}, first, {"role": "user", "content": "And 1003?"}],
    )
    assert "And 1003?" in second.text
    item = last_body(kit)["input"][1]
    assert item["type"] == "reasoning" and item["encrypted_content"] == first.thinking_parts[0].encrypted


def test_a_forged_encrypted_item_is_refused(kit: LLMKit) -> None:
    first = kit.chat("xai/grok-4.7", QUESTION, thinking="low")
    forged = first.to_message()
    forged.parts[0] = ThinkingPart(id=first.thinking_parts[0].id, encrypted="bm90LW91cnM=", provider="xai")
    with pytest.raises(BadRequestError, match="could not be verified"):
        kit.chat(
            "xai/grok-4.7", [{"role": "user", "content": QUESTION}, forged, {"role": "user", "content": "?"}]
        )


def test_models_without_an_effort_knob(kit: LLMKit) -> None:
    r = kit.chat("xai/grok-4.20-reasoning", QUESTION, thinking="high")
    assert "reasoning" not in last_body(kit)  # the sandbox would refuse it, like xAI
    assert r.usage.reasoning_tokens and any("not sent" in n for n in r.notes)
    plain = kit.chat("xai/grok-4.20-non-reasoning", QUESTION)
    assert not plain.usage.reasoning_tokens and not plain.thinking_parts


def test_grok_4_3_turns_reasoning_off(kit: LLMKit) -> None:
    r = kit.chat("xai/grok-4.3", QUESTION, thinking=False)
    assert last_body(kit)["reasoning"] == {"effort": "none"} and "include" not in last_body(kit)
    assert not r.usage.reasoning_tokens


def test_stream_matches_the_whole_answer(kit: LLMKit) -> None:
    whole = kit.chat("xai/grok-4.7", "Olá — ça va? 🌍", thinking="medium")
    streamed = kit.chat("xai/grok-4.7", "Olá — ça va? 🌍", thinking="medium", stream=True)
    assert streamed.text == whole.text and streamed.usage == whole.usage
    assert streamed.thinking_parts[0].encrypted == whole.thinking_parts[0].encrypted


def test_bad_input_fails_before_sending(kit: LLMKit) -> None:
    with pytest.raises(InvalidParameterError, match="rejects presence_penalty"):
        kit.chat("xai/grok-4.7", QUESTION, presence_penalty=0.5)
    with pytest.raises(ModelRetiredError, match=r"grok-4\.3"):
        kit.chat("xai/grok-code-fast-1", QUESTION)
    assert kit.client.sandbox_app.requests == []


def test_faults(kit: LLMKit) -> None:
    kit.sandbox_fault("503")
    r = kit.chat("xai/grok-4.7", QUESTION)
    assert [x.reason for x in r.retries] == ["503"]
    kit.sandbox_fault("drop")
    with pytest.raises(IncompleteStreamError) as info:
        kit.chat(
            "xai/grok-4.7", "a long question with quite a few words in it", thinking="xhigh", stream=True
        )
    assert info.value.partial.incomplete


# --- the emulator itself, over raw HTTP -----------------------------------------------------------


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=SandboxApp()), headers={"authorization": "Bearer xai-test"}
    ) as client:
        yield client


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"model": "grok-4.20-reasoning", "reasoning": {"effort": "none"}}, "does not support parameter"),
        ({"model": "grok-4.7", "reasoning": {"effort": "none"}}, "Invalid reasoning effort 'none'"),
        ({"model": "grok-4.7", "stop": ["x"]}, "not supported on reasoning models: stop"),
        ({"model": "grok-9"}, "does not exist"),
    ],
)
async def test_the_sandbox_refuses_what_xai_refuses(
    http: httpx2.AsyncClient, body: dict[str, Any], message: str
) -> None:
    reply = await http.post("https://api.x.ai/v1/responses", json={"input": "hi", **body})
    assert reply.status_code in (400, 404)
    assert set(reply.json()) == {"code", "error"} and message in reply.json()["error"]


async def test_no_summary_even_when_asked(http: httpx2.AsyncClient) -> None:
    body = {"model": "grok-4.7", "input": "hi", "reasoning": {"effort": "low", "summary": "detailed"}}
    reply = (await http.post("https://api.x.ai/v1/responses", json=body)).json()
    item = reply["output"][0]
    assert item["type"] == "reasoning" and item["summary"] == [] and "encrypted_content" not in item
    assert reply["usage"]["output_tokens_details"]["reasoning_tokens"] > 0
