"""Conformance oracles: the official SDKs (openai, anthropic) against the sandbox server, and ours against theirs.

1. The sandbox is served on 127.0.0.1 by a subprocess (`python -m providers.sandbox`).
2. The SDKs must parse what it sends: plain calls, streams, the SDKs' own stream accumulators, errors.
3. For the same call, the request our `AsyncClient.prepare()` builds must equal the one the SDK sends
   (method, URL, auth, version header, content type and JSON body), captured with httpx2.MockTransport.
4. Our client, over real HTTP, against the same server.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest

anthropic = pytest.importorskip("anthropic")
openai = pytest.importorskip("openai")

from providers.client import AsyncClient  # noqa: E402
from providers.types import Done, TextDelta, ThinkingDelta  # noqa: E402
from tests.helpers import fixture_json  # noqa: E402

pytestmark = pytest.mark.conformance

REPO_ROOT = Path(__file__).resolve().parents[2]
QUESTION = "Why is the sky blue?"
STARTUP_TIMEOUT = 15.0


# --- the sandbox server --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _output(proc: subprocess.Popen[bytes]) -> str:
    """What the server printed (it has exited, or been stopped)."""
    try:
        out, err = proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return (
        f"stdout:\n{(out or b'').decode(errors='replace')}\nstderr:\n{(err or b'').decode(errors='replace')}"
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    """Start the sandbox on a free loopback port, wait for /healthz, yield its base URL, stop it."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "providers.sandbox",
            "--port",
            str(port),
            "--delay",
            "0",
            "--log-level",
            "warning",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        last: Exception | str | None = None
        with httpx2.Client(timeout=1.0) as http:
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"the sandbox server exited with code {proc.returncode}\n{_output(proc)}")
                try:
                    reply = http.get(f"{url}/healthz")
                    if reply.status_code == 200:
                        break
                    last = f"HTTP {reply.status_code}"
                except httpx2.TransportError as exc:
                    last = exc
                if time.monotonic() > deadline:
                    _stop(proc)
                    pytest.fail(
                        f"the sandbox server did not answer /healthz within {STARTUP_TIMEOUT:g} s "
                        f"(last: {last!r})\n{_output(proc)}"
                    )
                time.sleep(0.1)
        yield url
        if proc.poll() is not None:
            pytest.fail(f"the sandbox server died during the tests (code {proc.returncode})\n{_output(proc)}")
    finally:
        _stop(proc)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def oai(sandbox_url: str) -> Iterator[Any]:
    client = openai.OpenAI(base_url=f"{sandbox_url}/openai/v1", api_key="sk-test", max_retries=0)
    yield client
    client.close()


@pytest.fixture
def ant(sandbox_url: str) -> Iterator[Any]:
    client = anthropic.Anthropic(base_url=f"{sandbox_url}/anthropic", api_key="sk-test", max_retries=0)
    yield client
    client.close()


ANTHROPIC_THINKING: dict[str, Any] = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 2048,
    "thinking": {"type": "adaptive", "display": "summarized"},
    "output_config": {"effort": "high"},
}
OPENAI_REASONING: dict[str, Any] = {
    "model": "gpt-6.1-terra",
    "reasoning": {"effort": "low", "summary": "auto"},
}


# --- 2. the SDKs parse the sandbox ----------------------------------------------------------------


def _check_openai_response(response: Any) -> None:
    assert response.status == "completed"
    assert response.output_text.strip()
    reasoning = [item for item in response.output if item.type == "reasoning"]
    assert reasoning, [item.type for item in response.output]
    assert any(s.text.strip() for item in reasoning for s in item.summary)
    assert response.usage is not None
    assert response.usage.output_tokens_details.reasoning_tokens > 0
    assert response.usage.output_tokens >= response.usage.output_tokens_details.reasoning_tokens


def test_openai_responses_create(oai: Any) -> None:
    _check_openai_response(oai.responses.create(input=QUESTION, **OPENAI_REASONING))


def test_openai_responses_create_stream(oai: Any) -> None:
    events = list(oai.responses.create(input=QUESTION, stream=True, **OPENAI_REASONING))
    types = [e.type for e in events]
    for wanted in (
        "response.created",
        "response.reasoning_summary_text.delta",
        "response.output_text.delta",
        "response.completed",
    ):
        assert wanted in types, types
    assert types[-1] == "response.completed"
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    summary = "".join(e.delta for e in events if e.type == "response.reasoning_summary_text.delta")
    assert text.strip() and summary.strip()
    final = events[-1].response
    _check_openai_response(final)
    assert final.output_text == text


def test_openai_responses_stream_helper(oai: Any) -> None:
    with oai.responses.stream(input=QUESTION, **OPENAI_REASONING) as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    _check_openai_response(final)
    assert final.output_text == "".join(deltas)


def test_openai_chat_completions(oai: Any) -> None:
    completion = oai.chat.completions.create(
        model="gpt-6.1-terra", messages=[{"role": "user", "content": QUESTION}], reasoning_effort="high"
    )
    choice = completion.choices[0]
    assert choice.message.role == "assistant"
    assert (choice.message.content or "").strip()
    assert choice.finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.completion_tokens_details.reasoning_tokens > 0


def test_openai_chat_completions_stream(oai: Any) -> None:
    chunks = list(
        oai.chat.completions.create(
            model="gpt-6.1-terra",
            messages=[{"role": "user", "content": QUESTION}],
            reasoning_effort="high",
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert len(chunks) >= 3
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.strip()
    assert any(c.choices and c.choices[0].finish_reason == "stop" for c in chunks)
    last = chunks[-1]
    assert last.choices == []
    assert last.usage is not None
    assert last.usage.completion_tokens > 0
    assert last.usage.completion_tokens_details.reasoning_tokens > 0
    assert all(c.usage is None for c in chunks[:-1])


def _check_anthropic_message(message: Any) -> None:
    kinds = [b.type for b in message.content]
    assert kinds.index("thinking") < kinds.index("text"), kinds
    thinking = [b for b in message.content if b.type == "thinking"]
    assert all(b.thinking.strip() and b.signature for b in thinking)
    assert "".join(b.text for b in message.content if b.type == "text").strip()
    assert message.stop_reason == "end_turn"
    assert message.usage.output_tokens > 0
    assert message.usage.input_tokens > 0


def test_anthropic_messages_create(ant: Any) -> None:
    message = ant.messages.create(messages=[{"role": "user", "content": QUESTION}], **ANTHROPIC_THINKING)
    _check_anthropic_message(message)


def test_anthropic_messages_stream_accumulator(ant: Any) -> None:
    with ant.messages.stream(
        messages=[{"role": "user", "content": QUESTION}], **ANTHROPIC_THINKING
    ) as stream:
        events = list(stream)
        final = stream.get_final_message()
    types = {e.type for e in events}
    assert {"message_start", "content_block_start", "content_block_delta", "message_stop"} <= types
    _check_anthropic_message(final)
    streamed = "".join(
        e.delta.thinking
        for e in events
        if e.type == "content_block_delta" and e.delta.type == "thinking_delta"
    )
    thinking = "".join(b.thinking for b in final.content if b.type == "thinking")
    assert streamed == thinking


def test_anthropic_signature_round_trip(ant: Any) -> None:
    first = ant.messages.create(messages=[{"role": "user", "content": QUESTION}], **ANTHROPIC_THINKING)
    _check_anthropic_message(first)
    history = [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {"role": "user", "content": "And why are sunsets red?"},
    ]
    second = ant.messages.create(messages=history, **ANTHROPIC_THINKING)
    _check_anthropic_message(second)


def test_anthropic_tampered_signature_is_refused(ant: Any) -> None:
    """The round trip above proves something only if the sandbox does check signatures."""
    first = ant.messages.create(messages=[{"role": "user", "content": QUESTION}], **ANTHROPIC_THINKING)
    blocks = [b.model_dump(exclude_none=True) for b in first.content]
    for block in blocks:
        if block["type"] == "thinking":
            block["thinking"] += " (edited)"
    history = [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": blocks},
        {"role": "user", "content": "And why are sunsets red?"},
    ]
    with pytest.raises(anthropic.BadRequestError):
        ant.messages.create(messages=history, **ANTHROPIC_THINKING)


def test_openai_rate_limit_error(oai: Any) -> None:
    with pytest.raises(openai.RateLimitError) as info:
        oai.responses.create(input=QUESTION, extra_headers={"x-sandbox-fault": "429:0"}, **OPENAI_REASONING)
    assert info.value.status_code == 429
    with pytest.raises(openai.RateLimitError):
        oai.chat.completions.create(
            model="gpt-6.1-terra",
            messages=[{"role": "user", "content": QUESTION}],
            extra_headers={"x-sandbox-fault": "429:0"},
        )


def test_anthropic_rate_limit_error(ant: Any) -> None:
    with pytest.raises(anthropic.RateLimitError) as info:
        ant.messages.create(
            messages=[{"role": "user", "content": QUESTION}],
            extra_headers={"x-sandbox-fault": "429:0"},
            **ANTHROPIC_THINKING,
        )
    assert info.value.status_code == 429


def test_anthropic_overloaded_error(ant: Any) -> None:
    overloaded = getattr(anthropic, "OverloadedError", anthropic.InternalServerError)
    with pytest.raises(overloaded) as info:
        ant.messages.create(
            messages=[{"role": "user", "content": QUESTION}],
            extra_headers={"x-sandbox-fault": "529"},
            **ANTHROPIC_THINKING,
        )
    assert isinstance(info.value, anthropic.InternalServerError)
    assert info.value.status_code == 529


# --- 3. our request equals the SDK's request --------------------------------------------------------


class Captured:
    """An httpx2 transport handler that records each request and answers with a canned body."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        self.requests.append(request)
        if json.loads(request.content or b"{}").get("stream"):
            return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=b"")
        return httpx2.Response(200, json=self.body)

    @property
    def only(self) -> httpx2.Request:
        assert len(self.requests) == 1, self.requests
        return self.requests[0]


def _capture(sdk: Any, body: dict[str, Any], key: str, send: Callable[[Any], Any]) -> httpx2.Request:
    handler = Captured(body)
    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    client = sdk(api_key=key, max_retries=0, http_client=http)
    try:
        result = send(client)
        if hasattr(result, "close"):  # a stream object: nothing to read, just release it
            result.close()
    finally:
        client.close()
        http.close()
    return handler.only


def _assert_same_request(ours: Any, theirs: httpx2.Request, *, version: bool = False) -> None:
    our_url, their_url = urlsplit(ours.url), urlsplit(str(theirs.url))
    assert ours.method == theirs.method
    assert (our_url.scheme, our_url.netloc, our_url.path) == (
        their_url.scheme,
        their_url.netloc,
        their_url.path,
    )
    assert not our_url.query and not their_url.query, (ours.url, str(theirs.url))
    headers = {k.lower(): v for k, v in ours.headers.items()}
    assert headers.get("authorization") == theirs.headers.get("authorization")
    assert "x-api-key" not in headers and "x-api-key" not in theirs.headers
    assert headers.get("content-type") == theirs.headers.get("content-type")
    if version:
        assert headers.get("anthropic-version") == theirs.headers.get("anthropic-version")
        assert theirs.headers.get("anthropic-version")
    assert ours.json_body == json.loads(theirs.content)


ANTHROPIC_CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "adaptive-effort": (
        {"model": "anthropic/claude-sonnet-5-5", "thinking": "high", "max_tokens": 2048},
        {
            "model": "claude-sonnet-5-5",
            "max_tokens": 2048,
            "thinking": {"type": "adaptive", "display": "summarized"},
            "output_config": {"effort": "high"},
        },
    ),
    "budget": (
        {"model": "anthropic/claude-haiku-4-5", "thinking": 2048, "max_tokens": 8000},
        {
            "model": "claude-haiku-4-5",
            "max_tokens": 8000,
            "thinking": {"type": "enabled", "budget_tokens": 2048},
        },
    ),
    "system": (
        {
            "model": "anthropic/claude-sonnet-5-5",
            "thinking": "high",
            "max_tokens": 2048,
            "system": "Be brief.",
        },
        {
            "model": "claude-sonnet-5-5",
            "max_tokens": 2048,
            "system": "Be brief.",
            "thinking": {"type": "adaptive", "display": "summarized"},
            "output_config": {"effort": "high"},
        },
    ),
}


@pytest.mark.parametrize("case", sorted(ANTHROPIC_CASES))
def test_anthropic_request_matches_sdk(case: str) -> None:
    ours_kw, sdk_kw = ANTHROPIC_CASES[case]
    ours_kw = dict(ours_kw)
    ours = AsyncClient().prepare(ours_kw.pop("model"), "hi", **ours_kw).call
    theirs = _capture(
        anthropic.Anthropic,
        fixture_json("anthropic_message.json"),
        os.environ["ANTHROPIC_API_KEY"],
        lambda c: c.messages.create(messages=[{"role": "user", "content": "hi"}], **sdk_kw),
    )
    _assert_same_request(ours, theirs, version=True)


def test_anthropic_stream_request_matches_sdk() -> None:
    ours = AsyncClient().prepare(
        "anthropic/claude-sonnet-5-5", "hi", thinking="high", max_tokens=2048, stream=True
    )
    theirs = _capture(
        anthropic.Anthropic,
        {},
        os.environ["ANTHROPIC_API_KEY"],
        lambda c: c.messages.create(
            messages=[{"role": "user", "content": "hi"}], stream=True, **ANTHROPIC_THINKING
        ),
    )
    _assert_same_request(ours.call, theirs, version=True)


def test_openai_responses_request_matches_sdk() -> None:
    ours = AsyncClient().prepare("openai/gpt-6.1-terra", "hi", thinking="low").call
    theirs = _capture(
        openai.OpenAI,
        fixture_json("openai_response.json"),
        os.environ["OPENAI_API_KEY"],
        lambda c: c.responses.create(
            model="gpt-6.1-terra",
            input=[{"role": "user", "content": "hi"}],
            reasoning={"effort": "low", "summary": "auto"},
        ),
    )
    _assert_same_request(ours, theirs)


def _chat_completion_body() -> dict[str, Any]:
    return {
        "id": "chatcmpl-01",
        "object": "chat.completion",
        "created": 1764115200,
        "model": "gpt-6.1-terra",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "42", "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": 5,
            "completion_tokens": 20,
            "total_tokens": 25,
            "completion_tokens_details": {"reasoning_tokens": 12},
        },
    }


def test_openai_chat_request_matches_sdk() -> None:
    ours = (
        AsyncClient().prepare("openai/gpt-6.1-terra", "hi", thinking="high", api="chat", max_tokens=500).call
    )
    theirs = _capture(
        openai.OpenAI,
        _chat_completion_body(),
        os.environ["OPENAI_API_KEY"],
        lambda c: c.chat.completions.create(
            model="gpt-6.1-terra",
            messages=[{"role": "user", "content": "hi"}],
            reasoning_effort="high",
            max_completion_tokens=500,
        ),
    )
    _assert_same_request(ours, theirs)


def test_openai_chat_stream_request_matches_sdk() -> None:
    ours = (
        AsyncClient()
        .prepare("openai/gpt-6.1-terra", "hi", thinking="high", api="chat", max_tokens=500, stream=True)
        .call
    )
    theirs = _capture(
        openai.OpenAI,
        {},
        os.environ["OPENAI_API_KEY"],
        lambda c: c.chat.completions.create(
            model="gpt-6.1-terra",
            messages=[{"role": "user", "content": "hi"}],
            reasoning_effort="high",
            max_completion_tokens=500,
            stream=True,
            stream_options={"include_usage": True},
        ),
    )
    _assert_same_request(ours, theirs)


# --- 4. our client over real HTTP ------------------------------------------------------------------


def _ours(url: str) -> AsyncClient:
    return AsyncClient(
        base_urls={"openai": f"{url}/openai/v1", "anthropic": f"{url}/anthropic"}, max_retries=0
    )


CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "anthropic": ("anthropic/claude-sonnet-5-5", {"thinking": "high", "max_tokens": 2048}),
    "openai-responses": ("openai/gpt-6.1-terra", {"thinking": "low"}),
}


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_our_chat_over_http(sandbox_url: str, name: str) -> None:
    model, kwargs = CALLS[name]
    async with _ours(sandbox_url) as client:
        result = await client.chat(model, QUESTION, **kwargs)
    assert result.text.strip()
    assert result.reasoning.strip()
    assert result.finish_reason == "stop"
    assert result.usage.input_tokens and result.usage.output_tokens
    assert not result.sandbox  # a real HTTP round trip, not the in-process emulator
    assert result.endpoint is not None and result.endpoint.startswith("http://127.0.0.1")
    if name == "openai-responses":
        assert result.usage.reasoning_tokens and result.usage.reasoning_tokens > 0


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_our_stream_over_http(sandbox_url: str, name: str) -> None:
    model, kwargs = CALLS[name]
    text: list[str] = []
    thinking: list[str] = []
    done: list[Done] = []
    async with _ours(sandbox_url) as client:
        async for event in client.stream(model, QUESTION, **kwargs):
            if isinstance(event, TextDelta):
                text.append(event.text)
            elif isinstance(event, ThinkingDelta):
                thinking.append(event.text)
            elif isinstance(event, Done):
                done.append(event)
    assert len(done) == 1
    result = done[0].result
    assert "".join(text).strip() and result.text == "".join(text)
    assert "".join(thinking).strip() and result.reasoning.strip()
    assert result.finish_reason == "stop"
    assert result.usage.input_tokens and result.usage.output_tokens
    if name == "anthropic":
        assert all(p.signature for p in result.thinking_parts)


async def test_our_openai_chat_completions_over_http(sandbox_url: str) -> None:
    async with _ours(sandbox_url) as client:
        result = await client.chat("openai/gpt-6.1-terra", QUESTION, thinking="high", api="chat")
        streamed = None
        async for event in client.stream("openai/gpt-6.1-terra", QUESTION, thinking="high", api="chat"):
            if isinstance(event, Done):
                streamed = event.result
    for r in (result, streamed):
        assert r is not None
        assert r.text.strip()
        assert r.finish_reason == "stop"
        assert r.usage.reasoning_tokens and r.usage.reasoning_tokens > 0  # Chat Completions: a count only
    assert streamed is not None and streamed.text == result.text


async def test_our_anthropic_round_trip_over_http(sandbox_url: str) -> None:
    """Our second turn sends the first answer's signed thinking back; the sandbox verifies it."""
    async with _ours(sandbox_url) as client:
        first = await client.chat("anthropic/claude-sonnet-5-5", QUESTION, thinking="high", max_tokens=2048)
        assert first.thinking_parts and all(p.signature for p in first.thinking_parts)
        second = await client.chat(
            "anthropic/claude-sonnet-5-5",
            [{"role": "user", "content": QUESTION}, first, {"role": "user", "content": "And sunsets?"}],
            thinking="high",
            max_tokens=2048,
        )
    assert second.text.strip()
