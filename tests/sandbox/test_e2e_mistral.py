"""Mistral end to end through the sandbox: reasoning_effort, thinking chunks, Magistral, regions' hosts, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import pytest

from llmkit_nb import LLMKit
from llmkit_nb.display.objects import chat_mimebundle
from providers.errors import BadRequestError, IncompleteStreamError, ThinkingNotSupportedError
from providers.sandbox import SandboxApp

MODEL = "mistral/mistral-medium-3-5"
QUESTION = "What is 6 times 7?"


@pytest.fixture
def kit() -> Iterator[LLMKit]:
    k = LLMKit(sandbox=True)
    yield k
    k.close()


def last_body(kit: LLMKit) -> dict[str, Any]:
    return kit.client.sandbox_app.requests[-1].body


def test_high_effort_shows_the_thinking_chunk(kit: LLMKit) -> None:
    r = kit.chat(MODEL, QUESTION, thinking="high")
    assert QUESTION in r.text and QUESTION in r.reasoning and r.visibility == "full"
    assert last_body(kit)["reasoning_effort"] == "high" and last_body(kit)["stream"] is False
    assert r.endpoint == "https://api.mistral.ai/v1/chat/completions"
    html = chat_mimebundle(r)["text/html"]
    assert "<details" in html and "SANDBOX" in html


def test_levels_map_to_mistrals_two(kit: LLMKit) -> None:
    r = kit.chat(MODEL, QUESTION, thinking="low")
    assert last_body(kit)["reasoning_effort"] == "high" and r.reasoning
    off = kit.chat(MODEL, QUESTION, thinking=False)
    assert last_body(kit)["reasoning_effort"] == "none" and off.reasoning == "" and not off.thinking_parts
    kit.chat(MODEL, QUESTION)
    assert "reasoning_effort" not in last_body(kit)


def test_stream_matches_the_whole_answer(kit: LLMKit) -> None:
    whole = kit.chat(MODEL, "Olá — ça va? 🌍", thinking="high")
    streamed = kit.chat(MODEL, "Olá — ça va? 🌍", thinking="high", stream=True)
    assert streamed.text == whole.text and streamed.reasoning == whole.reasoning
    assert streamed.usage == whole.usage and "stream_options" not in last_body(kit)


def test_magistral_uses_prompt_mode(kit: LLMKit) -> None:
    r = kit.chat("mistral/magistral-medium-latest", QUESTION, thinking=True)
    assert last_body(kit)["prompt_mode"] == "reasoning" and "reasoning_effort" not in last_body(kit)
    assert r.reasoning and any("deprecated" in n for n in r.notes)


def test_own_thinking_goes_back_as_a_chunk(kit: LLMKit) -> None:
    first = kit.chat(MODEL, QUESTION, thinking="high")
    second = kit.chat(
        MODEL, [{"role": "user", "content": QUESTION}, first, {"role": "user", "content": "Plus 1?"}]
    )
    assert "Plus 1?" in second.text
    sent = last_body(kit)["messages"][1]["content"]
    assert sent[0]["type"] == "thinking" and sent[0]["thinking"] == [
        {"type": "text", "text": first.reasoning}
    ]
    assert sent[1] == {"type": "text", "text": first.text}


def test_errors_and_faults(kit: LLMKit) -> None:
    with pytest.raises(ThinkingNotSupportedError):
        kit.chat("mistral/ministral-8b-2512", QUESTION, thinking="high")
    assert kit.client.sandbox_app.requests == []
    with pytest.raises(BadRequestError, match="colour: Extra inputs are not permitted") as info:
        kit.chat(MODEL, QUESTION, colour="blue")  # an unknown field reaches Mistral's 422
    assert info.value.status == 422
    kit.sandbox_fault("429")
    assert [x.reason for x in kit.chat(MODEL, QUESTION).retries] == ["429"]
    kit.sandbox_fault("drop")
    with pytest.raises(IncompleteStreamError) as cut:
        kit.chat(MODEL, "a long question with quite a few words in it", thinking="high", stream=True)
    partial = cut.value.partial
    assert partial.incomplete and all(p.signature is None for p in partial.thinking_parts)


# --- the emulator itself, over raw HTTP -----------------------------------------------------------


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=SandboxApp()), headers={"authorization": "Bearer m-test"}
    ) as client:
        yield client


@pytest.mark.parametrize("host", ["api.mistral.ai", "api.eu.mistral.ai", "api.us.mistral.ai"])
async def test_every_region_host_is_served(http: httpx2.AsyncClient, host: str) -> None:
    body = {
        "model": "mistral-small-2603",
        "messages": [{"role": "user", "content": "hi"}],
        "reasoning_effort": "high",
    }
    reply = await http.post(f"https://{host}/v1/chat/completions", json=body)
    assert reply.status_code == 200
    assert [c["type"] for c in reply.json()["choices"][0]["message"]["content"]] == ["thinking", "text"]


@pytest.mark.parametrize(
    ("extra", "status", "needle"),
    [
        ({"max_completion_tokens": 5}, 422, "extra_forbidden"),
        ({"stream_options": {"include_usage": True}}, 422, "extra_forbidden"),
        ({"reasoning_effort": "low"}, 400, "not supported by mistral-medium-3-5"),
        ({"model": "nope"}, 400, "Invalid model: nope"),
    ],
)
async def test_the_sandbox_refuses_what_mistral_refuses(
    http: httpx2.AsyncClient, extra: dict[str, Any], status: int, needle: str
) -> None:
    body = {"model": "mistral-medium-3-5", "messages": [{"role": "user", "content": "hi"}], **extra}
    reply = await http.post("https://api.mistral.ai/v1/chat/completions", json=body)
    assert reply.status_code == status and needle in reply.text
