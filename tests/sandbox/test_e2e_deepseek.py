"""DeepSeek end to end through the sandbox: the thinking toggle, reasoning_content, keep-alives, errors, faults."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import pytest

from llmkit_nb import LLMKit
from llmkit_nb.display.objects import chat_mimebundle
from providers.errors import IncompleteStreamError, ModelRetiredError, RateLimitError
from providers.sandbox import SandboxApp

MODEL = "deepseek/deepseek-flash"
QUESTION = "Which is larger, 9.11 or 9.8?"


@pytest.fixture
def kit() -> Iterator[LLMKit]:
    k = LLMKit(sandbox=True)
    yield k
    k.close()


def last_body(kit: LLMKit) -> dict[str, Any]:
    return kit.client.sandbox_app.requests[-1].body


def test_thinking_on_shows_the_reasoning(kit: LLMKit) -> None:
    r = kit.chat(MODEL, QUESTION, thinking="high")
    assert QUESTION in r.text and QUESTION in r.reasoning
    assert r.visibility == "full" and r.usage.reasoning_tokens and r.usage.reasoning_tokens > 0
    assert last_body(kit)["thinking"] == {"type": "enabled"} and last_body(kit)["reasoning_effort"] == "high"
    assert r.endpoint == "https://api.deepseek.com/chat/completions" and r.sandbox
    html = chat_mimebundle(r)["text/html"]
    assert "<details" in html and "SANDBOX" in html and "reasoning_effort" in html


def test_thinking_off_and_unset(kit: LLMKit) -> None:
    off = kit.chat(MODEL, QUESTION, thinking=False)
    assert off.reasoning == "" and not off.usage.reasoning_tokens
    assert last_body(kit)["thinking"] == {"type": "disabled"}
    unset = kit.chat(MODEL, QUESTION)
    assert "thinking" not in last_body(kit) and "reasoning_effort" not in last_body(kit)
    assert unset.reasoning  # DeepSeek thinks by default
    assert any("DeepSeek's default applies" in n for n in unset.notes)
    assert "DeepSeek&#x27;s default applies" in chat_mimebundle(unset)["text/html"]


def test_effort_levels_reach_the_model(kit: LLMKit) -> None:
    low = kit.chat(MODEL, QUESTION, thinking="low")
    xhigh = kit.chat(MODEL, QUESTION, thinking="xhigh")
    assert last_body(kit)["reasoning_effort"] == "max"  # xhigh -> max, the closest level
    assert any("sent closest 'max'" in n for n in xhigh.notes)
    assert (low.usage.reasoning_tokens or 0) < (xhigh.usage.reasoning_tokens or 0)


def test_stream_matches_the_whole_answer(kit: LLMKit) -> None:
    whole = kit.chat(MODEL, "Olá — ça va? 🌍", thinking="high")
    streamed = kit.chat(MODEL, "Olá — ça va? 🌍", thinking="high", stream=True)
    assert streamed.text == whole.text and streamed.reasoning == whole.reasoning
    assert streamed.usage == whole.usage and last_body(kit)["stream_options"] == {"include_usage": True}


def test_multi_turn_reports_cache_hits_and_sends_no_reasoning(kit: LLMKit) -> None:
    first = kit.chat(MODEL, QUESTION, thinking="high")
    assert first.usage.cached_tokens == 0
    second = kit.chat(
        MODEL,
        [{"role": "user", "content": QUESTION}, first, {"role": "user", "content": "Why?"}],
        thinking="high",
    )
    assert second.usage.cached_tokens and second.usage.cached_tokens > 0  # prompt_cache_hit_tokens
    sent = last_body(kit)["messages"]
    assert sent[1] == {"role": "assistant", "content": first.text}
    assert any("kept but not sent back" in n for n in second.notes)


def test_retired_names_fail_before_sending(kit: LLMKit) -> None:
    for old in ("deepseek-chat", "deepseek-reasoner"):
        with pytest.raises(ModelRetiredError, match="deepseek-flash"):
            kit.chat(f"deepseek/{old}", QUESTION)
    assert kit.client.sandbox_app.requests == []


def test_faults(kit: LLMKit) -> None:
    kit.sandbox_fault("429")
    r = kit.chat(MODEL, QUESTION, thinking="high")
    assert [x.reason for x in r.retries] == ["429"]
    kit.sandbox_fault("429:120")
    with pytest.raises(RateLimitError):
        kit.chat(MODEL, QUESTION)
    kit.sandbox_fault("drop")
    with pytest.raises(IncompleteStreamError) as info:
        kit.chat(MODEL, "a long question with quite a few words in it", thinking="max", stream=True)
    assert info.value.partial.incomplete and info.value.partial.reasoning
    kit.sandbox_fault("malformed")
    with pytest.raises(IncompleteStreamError, match="malformed"):
        kit.chat(MODEL, QUESTION, thinking="high", stream=True)


# --- the emulator itself, over raw HTTP -----------------------------------------------------------


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=SandboxApp()), headers={"authorization": "Bearer sk-test"}
    ) as client:
        yield client


async def test_streams_open_with_a_blank_line_and_keep_alives(http: httpx2.AsyncClient) -> None:
    body = {"model": "deepseek-flash", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    # the /v1 prefix is accepted too
    reply = await http.post("https://api.deepseek.com/v1/chat/completions", json=body)
    assert reply.status_code == 200
    assert reply.text.startswith("\n: keep-alive\n\n") and reply.text.count(": keep-alive") == 2
    assert '"reasoning_content":"The"' in reply.text and reply.text.endswith("data: [DONE]\n\n")


async def test_tool_call_turns_must_carry_their_reasoning(http: httpx2.AsyncClient) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "now", "arguments": "{}"}}
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "What time is it?"},
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": "12:00"},
    ]
    url = "https://api.deepseek.com/chat/completions"
    refused = await http.post(url, json={"model": "deepseek-flash", "messages": messages})
    assert refused.status_code == 400 and "must be passed back" in refused.json()["error"]["message"]
    messages[1]["reasoning_content"] = "I need the clock."
    assert (await http.post(url, json={"model": "deepseek-flash", "messages": messages})).status_code == 200
    bare = [messages[0], {k: v for k, v in messages[1].items() if k != "reasoning_content"}, messages[2]]
    off = {"model": "deepseek-flash", "messages": bare, "thinking": {"type": "disabled"}}
    assert (await http.post(url, json=off)).status_code == 200  # the rule is for thinking mode only


async def test_retired_and_unknown_models_do_not_exist(http: httpx2.AsyncClient) -> None:
    body = {"model": "deepseek-reasoner", "messages": [{"role": "user", "content": "hi"}]}
    reply = await http.post("https://api.deepseek.com/chat/completions", json=body)
    assert reply.status_code == 400 and reply.json()["error"]["message"] == "Model Not Exist"
