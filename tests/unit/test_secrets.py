"""A canary key in the environment never appears in an exception, repr, log line or HTML."""

from __future__ import annotations

import logging
from typing import Any

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


# --- keys as they come: stripped, or refused without being shown (issue 11) -----------------------

KEY = CANARY + "-pasted"  # (a key of the right shape, unique to these tests)


def _everything_shown(exc: BaseException) -> str:
    """Every text an error can show: str, repr, traceback, the notebook panels, and each attribute of
    it and of the exceptions it was raised from, walked to the bottom."""
    import traceback

    from llmkit_nb.display.render import render_error, render_plain_error

    texts = ["".join(traceback.format_exception(exc)), render_error(exc), render_plain_error(exc)]
    seen: set[int] = set()

    def walk(value: object, depth: int = 0) -> None:
        if id(value) in seen or depth > 6:
            return
        seen.add(id(value))
        texts.append(repr(value))
        if isinstance(value, BaseException):
            texts.append(str(value))
            walk(value.args, depth + 1)
            walk(value.__cause__, depth + 1)
            walk(value.__context__, depth + 1)
            for attr in ("object", "doc"):  # (UnicodeError, JSONDecodeError: not in vars())
                if hasattr(value, attr):
                    walk(getattr(value, attr), depth + 1)
        if isinstance(value, dict):
            for v in value.values():
                walk(v, depth + 1)
        elif isinstance(value, list | tuple | set):
            for v in value:
                walk(v, depth + 1)
        elif hasattr(value, "__dict__") and not isinstance(value, type):
            for v in vars(value).values():
                walk(v, depth + 1)

    walk(exc)
    return "\n".join(texts)


def _no_requests() -> tuple[httpx2.AsyncClient, list[httpx2.Request]]:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(500)

    return httpx2.AsyncClient(transport=httpx2.MockTransport(handler)), seen


@pytest.mark.parametrize("given", [f"{KEY}\n", f"{KEY}\r\n", f"  {KEY}\t", f"\n{KEY} \r\n"])
def test_surrounding_whitespace_is_stripped_from_every_key_source(given: str) -> None:
    via_argument = AsyncClient(api_keys={"openai": given}).prepare("openai/gpt-6.1-terra", "hi")
    via_env = AsyncClient(env={"ANTHROPIC_API_KEY": given}).prepare("anthropic/claude-sonnet-5-5", "hi")
    via_setting = AsyncClient(settings={"vertex": {"api_key": given}}).prepare("vertex/gemini-3-pro", "hi")
    assert via_argument.call.headers["authorization"] == f"Bearer {KEY}"
    assert via_env.call.headers["authorization"] == f"Bearer {KEY}"
    assert via_setting.call.headers["x-goog-api-key"] == KEY


async def test_a_stripped_key_goes_over_real_http() -> None:
    # h11 refuses a header value ending in CRLF ("Illegal header value b'Bearer sk-...\r\n'"): the
    # key must arrive stripped, and the call succeed
    from providers.sandbox import SandboxApp
    from tests.loopback import serve

    with serve(SandboxApp()) as server:
        url = server.url("openai", "/v1")
        async with AsyncClient(api_keys={"openai": f"{KEY}\r\n"}, base_urls={"openai": url}) as client:
            result = await client.chat("openai/gpt-6.1-terra", "hi")
    assert result.text


BAD_INSIDE = ["\n", "\r\n", "\x00", "\x1b", "\x7f", "é", "\u2019", "\u00a0", "\u200b", "🔑"]


@pytest.mark.parametrize("bad", BAD_INSIDE, ids=lambda c: f"U+{ord(c[0]):04X}")
async def test_a_key_with_a_control_or_non_ascii_character_inside_is_refused_unseen(bad: str) -> None:
    from providers.errors import ConfigurationError, InvalidKeyError

    key = KEY[:12] + bad + KEY[12:]
    secret_part = KEY[12:]  # (what follows the bad character: must not show either)

    with pytest.raises(InvalidKeyError) as info:
        AsyncClient(api_keys={"openai": key})
    assert "api_keys['openai']" in str(info.value) and "position 13" in str(info.value)

    http, seen = _no_requests()
    with pytest.raises(InvalidKeyError) as from_env:  # (env=: os.environ cannot hold a NUL)
        await AsyncClient(http_client=http, env={"ANTHROPIC_API_KEY": key}).chat(
            "anthropic/claude-sonnet-5-5", "hi"
        )
    assert "ANTHROPIC_API_KEY" in str(from_env.value) and from_env.value.source == "ANTHROPIC_API_KEY"

    with pytest.raises(InvalidKeyError) as from_setting:
        await AsyncClient(http_client=http, settings={"vertex": {"api_key": key}}).chat(
            "vertex/gemini-3-pro", "hi"
        )
    assert "settings['vertex']['api_key']" in str(from_setting.value)
    assert not seen, "nothing may be sent with a key no header can carry"

    for exc in (info.value, from_env.value, from_setting.value):
        assert isinstance(exc, ConfigurationError)
        shown = _everything_shown(exc)
        assert key not in shown and secret_part not in shown and KEY[:12] not in shown


def test_a_key_that_is_not_text_is_a_typed_error() -> None:
    from providers.errors import InvalidKeyError

    with pytest.raises(InvalidKeyError, match="must be a string, not int"):
        AsyncClient(api_keys={"openai": 12345678})  # type: ignore[dict-item]


def test_redact_also_removes_a_key_as_a_repr_escapes_it() -> None:
    from providers.credentials import register_secret

    key = KEY[:10] + "\n" + KEY[10:] + "é"
    register_secret(key)
    for shown in (repr(key), repr(key.encode("utf-8")), str(key.encode("utf-8"))):
        assert KEY[10:] not in redact(f"Illegal header value {shown}")


# --- every attribute of an error, and what it was raised from ---------------------------------------


def test_every_attribute_of_an_error_is_redacted() -> None:
    from providers.credentials import register_secret
    from providers.errors import JobFailedError, OutputError, ProviderError

    register_secret(KEY)  # (as using it as a key does)

    body = {"error": {"message": f"bad key {KEY}", "param": [KEY], "code": KEY}}
    errors = [
        ProviderError("boom", provider="openai", status=401, code=KEY, request_id=KEY, body=body),
        OutputError("not JSON", raw_text=f"echo {KEY}", errors=[{"input": KEY}], code=KEY),
        JobFailedError("failed", job_id=f"job-{KEY}", code=KEY, body=KEY.encode()),
    ]
    for exc in errors:
        exc.extra = {"later": (KEY,)}  # (set after construction too)
        assert KEY not in _everything_shown(exc)
    assert errors[0].code == "***" and errors[0].body["error"]["param"] == ["***"]


def _anthropic_error_frames(key: str) -> str:
    return (
        "event: message_start\n"
        'data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",'
        '"model":"claude-sonnet-5-5","content":[],"stop_reason":null,'
        '"usage":{"input_tokens":3,"output_tokens":0}}}\n\n'
        "event: error\n"
        f'data: {{"type":"error","error":{{"type":"authentication_error","message":"key {key} revoked"}}}}\n\n'
    )


def _chat_completions_error_frames(key: str) -> str:
    # OpenAI-style chunks (DeepSeek, the compatible vendors): the error chunk is kept as `.body`
    return (
        'data: {"id":"c1","object":"chat.completion.chunk","model":"deepseek-flash",'
        '"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n'
        f'data: {{"error":{{"message":"key {key} revoked","type":"auth","code":"{key}"}}}}\n\n'
    )


@pytest.mark.parametrize(
    ("model", "frames"),
    [
        ("anthropic/claude-sonnet-5-5", _anthropic_error_frames),
        ("deepseek/deepseek-flash", _chat_completions_error_frames),
    ],
)
async def test_a_stream_error_frame_is_redacted_on_the_error_and_its_cause(model: str, frames: Any) -> None:
    sent: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        key = request.headers["authorization"].removeprefix("Bearer ")  # echo the key it was sent
        sent.append(key)
        body = frames(key).encode()
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    from providers.errors import IncompleteStreamError

    client = AsyncClient(http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handler)))
    with pytest.raises(IncompleteStreamError) as info:
        async for _ in client.stream(model, "hi"):
            pass
    provider = model.split("/")[0]
    assert info.value.__cause__ is not None and sent == [f"{CANARY}-{provider}"]
    assert sent[0] not in _everything_shown(info.value)


async def test_a_foreign_exception_an_error_is_raised_from_is_redacted() -> None:
    # a body that is not JSON, echoing the key: the JSONDecodeError behind the typed error keeps the
    # whole body in `.doc`, and a traceback prints the chain
    sent: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(request.headers["authorization"].removeprefix("Bearer "))
        return httpx2.Response(200, content=f"<html>proxy says: bad key {sent[-1]}</html>".encode())

    client = AsyncClient(http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handler)))
    with pytest.raises(LLMKitError) as info:
        await client.chat("openai/gpt-6.1-terra", "hi")
    assert sent == [f"{CANARY}-openai"]
    assert sent[0] not in _everything_shown(info.value)


def test_every_credential_variable_the_catalog_names_is_redacted_from_the_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from providers.credentials import catalog_credential_vars
    from providers.registry import list_provider_specs

    named = {var for spec in list_provider_specs() for var in spec.env} | {
        var for spec in list_provider_specs() for s in spec.settings.values() if s.secret for var in s.env
    }
    assert {"AWS_BEARER_TOKEN_BEDROCK", "SNOWFLAKE_PAT", "GOOGLE_API_KEY"} <= named
    assert catalog_credential_vars() == named
    values = {var: f"never-used-{i:03d}-{var.lower()}" for i, var in enumerate(sorted(named))}
    for var, value in values.items():
        monkeypatch.setenv(var, value)
    text = redact(" ".join(values.values()))
    leaked = [var for var, value in values.items() if value in text]
    assert not leaked


# --- links in rendered citations are http(s) only -----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd", "https:///x", "vbscript:x"],
)
def test_a_citation_links_only_to_http_urls(url: str) -> None:
    from llmkit_nb.display.domain import render_citations
    from providers.domains import Citation, split_citations

    assert Citation(text=url, url=url).url is None
    _, cites = split_citations(f"Answer.\n\nSources:\n1. {url}\n2. See https://example.org/a.")
    assert cites[0].url is None and cites[1].url == "https://example.org/a"
    forged = Citation.model_construct(
        number=1, text=url, url=url
    )  # (validation skipped: the display checks too)
    html = render_citations([forged, cites[1]])
    assert "href=" in html and html.count("href=") == 1 and 'href="https://example.org/a"' in html
