"""Conformance for the OpenAI-compatible catalog: the official openai SDK (OpenAI, AzureOpenAI) as oracle.

1. Pointed at the sandbox server (`/<provider>/...`), the SDK parses what the catalog-derived sandbox sends
   for compatible vendors, whole and streamed (including reasoning in `reasoning`/`reasoning_content`).
2. For the same call, our request (AsyncClient.prepare) equals the SDK's (method, URL, query, auth header,
   JSON body), captured with httpx2.MockTransport: Azure's deployment URL, api-version and api-key header;
   Groq, Maritaca and a local Ollama through base_url.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx2
import pytest

openai = pytest.importorskip("openai")

from providers.client import AsyncClient  # noqa: E402
from tests.conformance.test_sdk_oracles import Captured, sandbox_url  # noqa: E402, F401

pytestmark = pytest.mark.conformance

KEY = "k-conformance-0123456789"
PT = "Olá, tudo bem? Coração 🇧🇷"
CHAT_BODY = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
}


@pytest.mark.parametrize(
    ("provider", "path", "model"),
    [
        ("groq", "/groq/openai/v1", "llama-3.3-70b-versatile"),
        ("maritaca", "/maritaca/api", "sabia-4"),
        ("openrouter", "/openrouter/api/v1", "openai/gpt-oss-120b"),
        ("ollama", "/ollama/v1", "llama3.2"),
    ],
)
def test_the_sdk_parses_the_compat_sandbox(sandbox_url: str, provider: str, path: str, model: str) -> None:  # noqa: F811
    with openai.OpenAI(api_key=KEY, base_url=sandbox_url + path, max_retries=0) as client:
        whole = client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": PT}], max_tokens=200
        )
        assert PT in (whole.choices[0].message.content or "") and whole.usage and whole.usage.total_tokens
        stream = client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": PT}],
            stream=True,
            stream_options={"include_usage": True},
            reasoning_effort="low",
        )
        text, reasoning, usage = [], [], None
        for chunk in stream:
            usage = chunk.usage or usage
            for choice in chunk.choices:
                text.append(choice.delta.content or "")
                extra = choice.delta.model_extra or {}
                reasoning.append(extra.get("reasoning") or extra.get("reasoning_content") or "")
        assert "".join(text) == whole.choices[0].message.content
        assert "".join(reasoning) and usage is not None and usage.completion_tokens


def test_the_azure_sdk_parses_the_sandbox_deployment_route(sandbox_url: str) -> None:  # noqa: F811
    client = openai.AzureOpenAI(
        api_key=KEY,
        api_version="2024-10-21",
        base_url=f"{sandbox_url}/azure/openai/deployments/gpt-prod",
        max_retries=0,
    )
    with client:
        reply = client.chat.completions.create(model="gpt-prod", messages=[{"role": "user", "content": PT}])
    assert PT in (reply.choices[0].message.content or "")


def _sdk_request(sdk: Any, kwargs: dict[str, Any], call: dict[str, Any]) -> httpx2.Request:
    handler = Captured(CHAT_BODY)
    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    client = sdk(max_retries=0, http_client=http, **kwargs)
    try:
        result = client.chat.completions.create(**call)
        if hasattr(result, "close"):
            result.close()
    finally:
        client.close()
        http.close()
    return handler.only


def _same(ours: Any, theirs: httpx2.Request, auth_header: str) -> None:
    our_url, their_url = urlsplit(ours.url), urlsplit(str(theirs.url))
    assert ours.method == theirs.method
    assert (our_url.scheme, our_url.netloc, our_url.path) == (
        their_url.scheme,
        their_url.netloc,
        their_url.path,
    )
    assert ours.params == dict(parse_qsl(their_url.query))
    headers = {k.lower(): v for k, v in ours.headers.items()}
    assert headers.get(auth_header) == theirs.headers.get(auth_header) and headers.get(auth_header)
    other = "authorization" if auth_header == "api-key" else "api-key"
    assert other not in headers and other not in theirs.headers
    assert ours.json_body == json.loads(theirs.content)


def test_azure_request_equals_the_sdk() -> None:
    env = {"AZURE_OPENAI_API_KEY": KEY, "AZURE_OPENAI_ENDPOINT": "https://my-res.openai.azure.com"}
    ours = AsyncClient(env=env).prepare("azure/gpt-prod", PT, max_tokens=64).call
    theirs = _sdk_request(
        openai.AzureOpenAI,
        {"api_key": KEY, "api_version": "2024-10-21", "azure_endpoint": "https://my-res.openai.azure.com"},
        {"model": "gpt-prod", "messages": [{"role": "user", "content": PT}], "max_completion_tokens": 64},
    )
    _same(ours, theirs, "api-key")


@pytest.mark.parametrize(
    ("provider", "env", "base_url"),
    [
        ("groq", {"GROQ_API_KEY": KEY}, "https://api.groq.com/openai/v1"),
        ("maritaca", {"MARITACA_API_KEY": KEY}, "https://chat.maritaca.ai/api"),
        ("ollama", {"OLLAMA_API_KEY": KEY}, "http://localhost:11434/v1"),
        ("together", {"TOGETHER_API_KEY": KEY}, "https://api.together.ai/v1"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_compat_request_equals_the_sdk(
    provider: str, env: dict[str, str], base_url: str, stream: bool
) -> None:
    ours = AsyncClient(env=env).prepare(f"{provider}/m-1", PT, max_tokens=64, stream=stream).call
    call: dict[str, Any] = {"model": "m-1", "messages": [{"role": "user", "content": PT}], "max_tokens": 64}
    if stream:
        call |= {"stream": True, "stream_options": {"include_usage": True}}
    theirs = _sdk_request(openai.OpenAI, {"api_key": KEY, "base_url": base_url}, call)
    _same(ours, theirs, "authorization")
