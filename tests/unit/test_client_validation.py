"""Bad input gets a clear, typed error naming the fix, before any request is sent."""

from __future__ import annotations

import httpx2
import pytest

from providers.client import AsyncClient
from providers.errors import (
    ConfigurationError,
    InvalidParameterError,
    MissingKeyError,
    ModelRetiredError,
    ThinkingNotSupportedError,
    UnknownProviderError,
)


def never(request: httpx2.Request) -> httpx2.Response:
    raise AssertionError(f"a request was sent: {request.url}")


@pytest.fixture
def client() -> AsyncClient:
    return AsyncClient(http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(never)))


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"model": "nobody/model"}, UnknownProviderError, "known providers"),
        ({"model": "claude-sonnet-5-5"}, UnknownProviderError, "'provider/model'"),
        ({"model": "openai/o4-mini"}, ModelRetiredError, "2026-10-23"),
        ({"model": "openai/gpt-4.1", "thinking": "high"}, ThinkingNotSupportedError, "cannot think"),
        (
            {"model": "openai/gpt-6.1-terra", "temperature": 0.3},
            InvalidParameterError,
            "reasoning effort 'none'",
        ),
        ({"model": "anthropic/claude-sonnet-5-5", "top_k": 5}, InvalidParameterError, "removed top_k"),
        ({"model": "anthropic/claude-haiku-4-5", "thinking": -1}, InvalidParameterError, "positive"),
        (
            {"model": "anthropic/claude-haiku-4-5", "thinking": 8000, "max_tokens": 8000},
            InvalidParameterError,
            "below max_tokens",
        ),
        (
            {"model": "anthropic/claude-opus-5-5", "thinking": False},
            InvalidParameterError,
            "cannot turn it off",
        ),
        ({"model": "anthropic/claude-sonnet-5-5", "prompt": "   "}, InvalidParameterError, "empty"),
        ({"model": "anthropic/claude-sonnet-5-5", "prompt": []}, InvalidParameterError, "no content"),
        (
            {"model": "anthropic/claude-sonnet-5-5", "max_tokens": 0},
            InvalidParameterError,
            "positive integer",
        ),
        (
            {"model": "openai/gpt-6.1-terra", "thinking": "extreme"},
            InvalidParameterError,
            "unknown thinking effort",
        ),
    ],
)
async def test_refused_before_sending(client: AsyncClient, kwargs: dict, error: type, words: str) -> None:
    kwargs = {"prompt": "hello", **kwargs}
    with pytest.raises(error, match=words):
        await client.chat(kwargs.pop("model"), kwargs.pop("prompt"), **kwargs)


async def test_missing_key_names_env_var_and_argument() -> None:
    client = AsyncClient(env={}, http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(never)))
    with pytest.raises(MissingKeyError) as info:
        await client.chat("anthropic/claude-sonnet-5-5", "hi")
    assert "ANTHROPIC_API_KEY" in str(info.value) and "api_keys=" in str(info.value)
    assert info.value.env_var == "ANTHROPIC_API_KEY"


@pytest.mark.parametrize("url", ["ftp://x.example", "not a url", "https://user:pw@api.example.com/v1"])
def test_base_url_from_env_is_validated_and_never_echoed_with_credentials(url: str) -> None:
    client = AsyncClient(env={"OPENAI_API_KEY": "sk-abcdef123", "OPENAI_BASE_URL": url})
    with pytest.raises(ConfigurationError) as info:
        client.prepare("openai/gpt-6.1-terra", "hi")
    assert "pw@" not in str(info.value)


def test_unknown_model_passes_through_with_a_note() -> None:
    prep = AsyncClient().prepare("openai/gpt-7-preview", "hi", thinking="high")
    assert prep.call.json_body is not None and prep.call.json_body["model"] == "gpt-7-preview"
    assert any("not in the catalog" in n for n in prep.notes)
