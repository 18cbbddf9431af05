"""A canary key in the environment never appears in an exception, repr, log line or HTML."""

from __future__ import annotations

import logging

import httpx2
import pytest

from providers.client import AsyncClient
from providers.credentials import Secret, redact
from providers.errors import AuthenticationError, LLMKitError
from tests.conftest import CANARY


def test_secret_repr_and_pickle() -> None:
    s = Secret("sk-live-abcdef123456")
    assert "abcdef" not in repr(s) and "abcdef" not in str(s) and "abcdef" not in f"{s}"
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(s)


def test_redact_removes_env_keys_and_header_values() -> None:
    text = f"key {CANARY}-openai and Authorization: Bearer sk-other-999999 x-api-key: abc123456"
    out = redact(text)
    assert CANARY not in out and "sk-other-999999" not in out and "abc123456" not in out


async def test_provider_echoing_the_key_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    key = CANARY + "-openai"

    def handler(request: httpx2.Request) -> httpx2.Response:
        # OpenAI's real 401 echoes (part of) the key back; assume the worst: all of it
        return httpx2.Response(
            401, json={"error": {"message": f"Incorrect API key provided: {key}", "code": "invalid_api_key"}}
        )

    client = AsyncClient(http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handler)))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthenticationError) as info:
        await client.chat("openai/gpt-6.1-terra", "hi")
    exc = info.value
    for text in (str(exc), repr(exc), exc.message, repr(client), repr(exc.body), caplog.text):
        assert CANARY not in text
    from llmkit_nb.display.render import render_error, render_plain_error

    assert CANARY not in render_error(exc) and CANARY not in render_plain_error(exc)


async def test_prepared_call_repr_hides_headers() -> None:
    client = AsyncClient()
    prep = client.prepare("anthropic/claude-sonnet-5-5", "hi", thinking="high")
    assert CANARY not in repr(prep.call) and CANARY not in str(prep.call.sent) and CANARY not in repr(prep)


def test_every_error_class_redacts() -> None:
    import providers.errors as errors

    for name in errors.__all__:
        cls = getattr(errors, name)
        if isinstance(cls, type) and issubclass(cls, LLMKitError) and cls.__init__ is LLMKitError.__init__:
            assert CANARY not in str(cls(f"boom {CANARY}-anthropic"))
