"""Conformance for DeepSeek, xAI and Mistral: their documented clients against the sandbox server, ours against theirs.

* DeepSeek and xAI document the `openai` SDK as their client (`OpenAI(base_url=...)`; DeepSeek's thinking
  toggle goes in `extra_body`); Mistral has its own SDK (`mistralai` 3.7.0).
1. Those SDKs, pointed at the sandbox server, parse what it sends: thinking in `reasoning_content`,
   encrypted reasoning items, thinking chunks in `content` -- whole and streamed.
2. For the same call, our request equals the SDK's (method, URL path, auth header, content type, JSON body).
3. Our client, over real HTTP, against the same server.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

openai = pytest.importorskip("openai")
mistralai = pytest.importorskip("mistralai.client")

from providers.client import AsyncClient  # noqa: E402
from providers.registry import provider_spec  # noqa: E402
from providers.types import Done, TextDelta, ThinkingDelta  # noqa: E402
from tests.conformance.test_sdk_oracles import (  # noqa: E402
    Captured,
    _assert_same_request,
    _capture,
    sandbox_url,  # noqa: F401  (the module-scoped server fixture)
)
from tests.helpers import fixture_json  # noqa: E402

pytestmark = pytest.mark.conformance

QUESTION = "Is 1001 a prime number?"
USER = [{"role": "user", "content": QUESTION}]


@pytest.fixture
def deepseek(sandbox_url: str) -> Iterator[Any]:  # noqa: F811
    client = openai.OpenAI(base_url=f"{sandbox_url}/deepseek", api_key="sk-test", max_retries=0)
    yield client
    client.close()


@pytest.fixture
def xai(sandbox_url: str) -> Iterator[Any]:  # noqa: F811
    client = openai.OpenAI(base_url=f"{sandbox_url}/xai/v1", api_key="xai-test", max_retries=0)
    yield client
    client.close()


@pytest.fixture
def mistral(sandbox_url: str) -> Iterator[Any]:  # noqa: F811
    with mistralai.Mistral(api_key="m-test", server_url=f"{sandbox_url}/mistral") as client:
        yield client


# --- 1. the SDKs parse the sandbox ----------------------------------------------------------------


def test_deepseek_chat_with_thinking(deepseek: Any) -> None:
    completion = deepseek.chat.completions.create(
        model="deepseek-flash",
        messages=USER,
        reasoning_effort="high",
        extra_body={"thinking": {"type": "enabled"}},
    )
    message = completion.choices[0].message
    assert QUESTION in message.content and QUESTION in message.model_extra["reasoning_content"]
    usage = completion.usage
    assert usage.completion_tokens_details.reasoning_tokens > 0
    assert usage.model_extra["prompt_cache_hit_tokens"] + usage.model_extra["prompt_cache_miss_tokens"] == (
        usage.prompt_tokens
    )
    off = deepseek.chat.completions.create(
        model="deepseek-flash", messages=USER, extra_body={"thinking": {"type": "disabled"}}
    )
    assert not off.choices[0].message.model_extra.get("reasoning_content")


def test_deepseek_stream_with_keep_alives(deepseek: Any) -> None:
    chunks = list(
        deepseek.chat.completions.create(
            model="deepseek-flash", messages=USER, stream=True, stream_options={"include_usage": True}
        )
    )
    reasoning = "".join(
        c.choices[0].delta.model_extra.get("reasoning_content") or "" for c in chunks if c.choices
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert QUESTION in reasoning and QUESTION in text
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens_details.reasoning_tokens > 0


def test_xai_responses_with_encrypted_reasoning_and_a_second_turn(xai: Any) -> None:
    kwargs: dict[str, Any] = {
        "model": "grok-4.7",
        "reasoning": {"effort": "high"},
        "include": ["reasoning.encrypted_content"],
    }
    first = xai.responses.create(input=USER, **kwargs)
    item = first.output[0]
    assert item.type == "reasoning" and item.summary == [] and item.encrypted_content
    assert first.usage.output_tokens_details.reasoning_tokens > 0 and QUESTION in first.output_text
    history = [
        *USER,
        *(i.model_dump(exclude_none=True) for i in first.output),
        {"role": "user", "content": "And?"},
    ]
    second = xai.responses.create(input=history, **kwargs)
    assert "And?" in second.output_text
    history[1]["encrypted_content"] = "Zm9yZ2Vk"
    with pytest.raises(openai.BadRequestError):
        xai.responses.create(input=history, **kwargs)


def test_xai_responses_stream(xai: Any) -> None:
    events = list(
        xai.responses.create(
            model="grok-4.7", input=USER, stream=True, include=["reasoning.encrypted_content"]
        )
    )
    assert events[-1].type == "response.completed"
    final = events[-1].response
    assert final.output[0].encrypted_content and final.output_text == "".join(
        e.delta for e in events if e.type == "response.output_text.delta"
    )


def test_mistral_complete_with_thinking_chunks(mistral: Any) -> None:
    response = mistral.chat.complete(model="mistral-medium-3-5", messages=USER, reasoning_effort="high")
    content = response.choices[0].message.content
    assert [c.type for c in content] == ["thinking", "text"]
    assert QUESTION in content[0].thinking[0].text and QUESTION in content[1].text
    plain = mistral.chat.complete(model="mistral-medium-3-5", messages=USER, reasoning_effort="none")
    assert isinstance(plain.choices[0].message.content, str)


def test_mistral_stream_and_magistral(mistral: Any) -> None:
    events = list(
        mistral.chat.stream(model="magistral-medium-latest", messages=USER, prompt_mode="reasoning")
    )
    deltas = [e.data.choices[0].delta.content for e in events]
    thinking = "".join(c.thinking[0].text for d in deltas if isinstance(d, list) for c in d)
    text = "".join(d for d in deltas if isinstance(d, str))
    assert QUESTION in thinking and QUESTION in text
    assert events[-1].data.usage is not None and events[-1].data.usage.completion_tokens > 0


def test_mistral_replayed_thinking_is_accepted(mistral: Any) -> None:
    first = mistral.chat.complete(model="mistral-small-2603", messages=USER, reasoning_effort="high")
    history = [
        *USER,
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "user", "content": "And?"},
    ]
    second = mistral.chat.complete(model="mistral-small-2603", messages=history, reasoning_effort="high")
    assert "And?" in second.choices[0].message.content[1].text


def test_mistral_rate_limit(mistral: Any) -> None:
    with pytest.raises(mistralai.errors.SDKError) as info:
        mistral.chat.complete(
            model="mistral-medium-3-5", messages=USER, http_headers={"x-sandbox-fault": "429:0"}
        )
    assert info.value.status_code == 429


# --- 2. our request equals the SDK's --------------------------------------------------------------


def _chat_body() -> dict[str, Any]:
    return fixture_json("deepseek_chat.json")


@pytest.mark.parametrize(
    ("ours", "sdk"),
    [
        (
            {"thinking": "high", "max_tokens": 500},
            {"reasoning_effort": "high", "max_tokens": 500, "extra_body": {"thinking": {"type": "enabled"}}},
        ),
        ({"thinking": False}, {"extra_body": {"thinking": {"type": "disabled"}}}),
        ({}, {}),
        (
            {"thinking": "max", "stream": True},
            {
                "reasoning_effort": "max",
                "stream": True,
                "stream_options": {"include_usage": True},
                "extra_body": {"thinking": {"type": "enabled"}},
            },
        ),
    ],
    ids=["effort", "off", "default", "stream"],
)
def test_deepseek_request_matches_the_openai_sdk(ours: dict[str, Any], sdk: dict[str, Any]) -> None:
    call = AsyncClient().prepare("deepseek/deepseek-flash", "hi", **ours).call
    theirs = _capture(
        functools.partial(openai.OpenAI, base_url="https://api.deepseek.com"),
        _chat_body(),
        os.environ["DEEPSEEK_API_KEY"],
        lambda c: c.chat.completions.create(
            model="deepseek-flash", messages=[{"role": "user", "content": "hi"}], **sdk
        ),
    )
    _assert_same_request(call, theirs)


@pytest.mark.parametrize(
    ("model", "ours", "sdk"),
    [
        (
            "grok-4.7",
            {"thinking": "high"},
            {"reasoning": {"effort": "high"}, "include": ["reasoning.encrypted_content"]},
        ),
        ("grok-4.3", {"thinking": False}, {"reasoning": {"effort": "none"}}),
        ("grok-4.20-reasoning", {}, {"include": ["reasoning.encrypted_content"]}),
    ],
    ids=["effort", "off", "model-choice"],
)
def test_xai_request_matches_the_openai_sdk(model: str, ours: dict[str, Any], sdk: dict[str, Any]) -> None:
    call = AsyncClient().prepare(f"xai/{model}", "hi", **ours).call
    theirs = _capture(
        functools.partial(openai.OpenAI, base_url="https://api.x.ai/v1"),
        fixture_json("xai_response_encrypted.json"),
        os.environ["XAI_API_KEY"],
        lambda c: c.responses.create(model=model, input=[{"role": "user", "content": "hi"}], **sdk),
    )
    _assert_same_request(call, theirs)


def _capture_mistral(send: Any, server: str | None = None) -> httpx2.Request:
    handler = Captured(fixture_json("mistral_chat.json"))
    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    extra = {"server": server} if server else {}
    client = mistralai.Mistral(api_key=os.environ["MISTRAL_API_KEY"], client=http, **extra)
    result = send(client)
    if hasattr(result, "close"):
        result.close()
    http.close()
    return handler.only


@pytest.mark.parametrize(
    ("model", "ours", "sdk"),
    [
        (
            "mistral-medium-3-5",
            {"thinking": "high", "max_tokens": 100},
            {"reasoning_effort": "high", "max_tokens": 100},
        ),
        ("mistral-small-2603", {"thinking": False}, {"reasoning_effort": "none"}),
        ("magistral-medium-latest", {"thinking": True}, {"prompt_mode": "reasoning"}),
        ("mistral-large-2512", {}, {}),
    ],
    ids=["effort", "off", "magistral", "plain"],
)
def test_mistral_request_matches_the_sdk(model: str, ours: dict[str, Any], sdk: dict[str, Any]) -> None:
    call = AsyncClient().prepare(f"mistral/{model}", "hi", **ours).call
    theirs = _capture_mistral(
        lambda c: c.chat.complete(model=model, messages=[{"role": "user", "content": "hi"}], **sdk)
    )
    _assert_same_request(call, theirs)


def test_mistral_stream_request_matches_the_sdk() -> None:
    call = AsyncClient().prepare("mistral/mistral-medium-3-5", "hi", thinking="high", stream=True).call
    theirs = _capture_mistral(
        lambda c: c.chat.stream(
            model="mistral-medium-3-5", messages=[{"role": "user", "content": "hi"}], reasoning_effort="high"
        )
    )
    assert json.loads(theirs.content)["stream"] is True
    _assert_same_request(call, theirs)


@pytest.mark.parametrize("region", ["eu", "us"])
def test_mistral_region_urls_match_the_sdk_servers(region: str) -> None:
    base = provider_spec("mistral").regions[region]
    base = getattr(base, "base_url", base)  # a URL, or (issue 4) an object carrying one
    call = AsyncClient(base_urls={"mistral": base}).prepare("mistral/mistral-medium-3-5", "hi").call
    theirs = _capture_mistral(
        lambda c: c.chat.complete(model="mistral-medium-3-5", messages=[{"role": "user", "content": "hi"}]),
        server=region,
    )
    _assert_same_request(call, theirs)


# --- 3. our client over real HTTP -------------------------------------------------------------------


def _ours(url: str) -> AsyncClient:
    return AsyncClient(
        base_urls={"deepseek": f"{url}/deepseek", "xai": f"{url}/xai/v1", "mistral": f"{url}/mistral/v1"},
        max_retries=0,
    )


CALLS: dict[str, tuple[str, str]] = {
    "deepseek": ("deepseek/deepseek-flash", "full"),
    "xai": ("xai/grok-4.7", "encrypted"),
    "mistral": ("mistral/mistral-medium-3-5", "full"),
}


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_our_chat_and_stream_over_http(sandbox_url: str, name: str) -> None:  # noqa: F811
    model, visibility = CALLS[name]
    async with _ours(sandbox_url) as client:
        whole = await client.chat(model, QUESTION, thinking="high")
        deltas: list[Any] = []
        async for event in client.stream(model, QUESTION, thinking="high"):
            deltas.append(event)
    assert isinstance(deltas[-1], Done)
    streamed = deltas[-1].result
    assert whole.visibility == visibility == streamed.visibility and not whole.sandbox
    assert QUESTION in whole.text and streamed.text == whole.text == "".join(
        d.text for d in deltas if isinstance(d, TextDelta)
    )
    assert (
        streamed.reasoning
        == whole.reasoning
        == "".join(d.text for d in deltas if isinstance(d, ThinkingDelta))
    )
    if visibility == "encrypted":
        assert whole.thinking_parts[0].encrypted and whole.usage.reasoning_tokens
    else:
        assert QUESTION in whole.reasoning
    assert whole.endpoint.startswith("http://127.0.0.1")
