"""Conformance: google-genai 3.6.1 against the sandbox server (both doors), and our requests against the SDK's.

1. The SDK, pointed at the sandbox (`http_options.base_url`), parses its answers: thought parts with
   signatures, usage with thoughts, streams, blocked prompts, errors; its chat history (which echoes
   every part verbatim, streamed chunks included) is accepted on the next turn.
2. For the same call, our `AsyncClient.prepare()` request equals the one the SDK sends (captured with
   httpx2.MockTransport): method, URL (host, path, `alt=sse`), auth header, content type and body. The
   bodies are compared semantically: the SDK writes the inside of `thinkingConfig` in snake_case
   (delta-2026-11.md 3.2) and gives `systemInstruction` a `role: "user"`; we write REST-doc camelCase
   and no role. The API reads both (proto3 JSON mapping), so these are the same request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest

genai = pytest.importorskip("google.genai")
from google.genai import errors as genai_errors  # noqa: E402
from google.genai import types  # noqa: E402

from providers.client import AsyncClient  # noqa: E402
from providers.types import Message  # noqa: E402
from tests.conformance.test_sdk_oracles import sandbox_url  # noqa: E402, F401  (the server fixture)
from tests.helpers import fixture_json  # noqa: E402

pytestmark = pytest.mark.conformance

Q = "Why is the sky blue?"
TOKEN = "ya29.conformance-token"


def thinking(level: str = "HIGH", **kw: Any) -> types.GenerateContentConfig:
    return types.GenerateContentConfig(
        thinking_config=types.ThinkingConfig(thinking_level=level, include_thoughts=True), **kw
    )


@pytest.fixture
def gem(sandbox_url: str) -> Iterator[Any]:  # noqa: F811
    client = genai.Client(
        api_key="AIza-test", http_options=types.HttpOptions(base_url=f"{sandbox_url}/gemini")
    )
    yield client
    client.close()


@pytest.fixture
def vertex(sandbox_url: str) -> Iterator[Any]:  # noqa: F811
    from google.oauth2.credentials import Credentials

    client = genai.Client(
        vertexai=True,
        project="demo-proj",
        location="europe-west4",
        credentials=Credentials(token=TOKEN),
        http_options=types.HttpOptions(base_url=f"{sandbox_url}/vertex"),
    )
    yield client
    client.close()


@pytest.fixture
def express(sandbox_url: str) -> Iterator[Any]:  # noqa: F811
    client = genai.Client(
        vertexai=True,
        api_key="AIza-express",
        http_options=types.HttpOptions(base_url=f"{sandbox_url}/vertex"),
    )
    yield client
    client.close()


# --- 1. the SDK parses the sandbox -----------------------------------------------------------------


def check_thinking_response(r: Any) -> None:
    parts = r.candidates[0].content.parts
    thoughts = [p for p in parts if p.thought]
    answers = [p for p in parts if not p.thought]
    assert thoughts and thoughts[0].text.strip()
    assert r.text and Q in r.text
    assert any(p.thought_signature for p in parts)  # bytes, decoded by the SDK
    assert r.candidates[0].finish_reason == types.FinishReason.STOP
    u = r.usage_metadata
    assert u.thoughts_token_count and u.thoughts_token_count > 0
    assert u.prompt_token_count + u.candidates_token_count + u.thoughts_token_count == u.total_token_count
    assert answers


@pytest.mark.parametrize("door", ["gem", "vertex", "express"])
def test_sdk_generate_content_with_thoughts(door: str, request: pytest.FixtureRequest) -> None:
    client = request.getfixturevalue(door)
    check_thinking_response(
        client.models.generate_content(model="gemini-3.8-flash", contents=Q, config=thinking())
    )


def test_sdk_budget_model_signs_its_thought_part(gem: Any) -> None:
    config = types.GenerateContentConfig(
        thinking_config=types.ThinkingConfig(thinking_budget=2048, include_thoughts=True)
    )
    r = gem.models.generate_content(model="gemini-2.5-flash-lite", contents=Q, config=config)
    check_thinking_response(r)
    assert r.candidates[0].content.parts[0].thought_signature


@pytest.mark.parametrize("door", ["gem", "vertex"])
def test_sdk_stream(door: str, request: pytest.FixtureRequest) -> None:
    client = request.getfixturevalue(door)
    chunks = list(
        client.models.generate_content_stream(model="gemini-3.8-flash", contents=Q, config=thinking())
    )
    assert len(chunks) >= 3
    parts = [p for c in chunks for p in c.candidates[0].content.parts or []]
    assert "".join(p.text for p in parts if p.thought).strip()
    assert Q in "".join(p.text or "" for p in parts if not p.thought)
    assert chunks[-1].candidates[0].finish_reason == types.FinishReason.STOP
    assert chunks[-1].candidates[0].content.parts[-1].thought_signature
    assert chunks[-1].usage_metadata.thoughts_token_count > 0
    assert all(c.candidates[0].finish_reason is None for c in chunks[:-1])


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
def test_sdk_chat_history_round_trips_signatures(gem: Any, streamed: bool) -> None:
    chat = gem.chats.create(model="gemini-3.8-flash", config=thinking())
    if streamed:
        assert "".join(c.text or "" for c in chat.send_message_stream(Q))
    else:
        chat.send_message(Q)
    history = chat.get_history()
    assert any(p.thought_signature for c in history if c.role == "model" for p in c.parts)
    second = chat.send_message("And why are sunsets red?")  # the sandbox checks every signature sent back
    assert "sunsets" in second.text


def test_sdk_tampered_signature_is_refused(gem: Any) -> None:
    r = gem.models.generate_content(model="gemini-3.8-flash", contents=Q, config=thinking())
    content = r.candidates[0].content
    for part in content.parts:
        if part.thought_signature and part.text:
            part.text += " (edited)"
    with pytest.raises(genai_errors.ClientError) as info:
        gem.models.generate_content(
            model="gemini-3.8-flash", contents=[Q, content, "again"], config=thinking()
        )
    assert info.value.code == 400 and "signature" in str(info.value.message)


def test_sdk_blocked_prompt(gem: Any) -> None:
    r = gem.models.generate_content(model="gemini-3.8-flash", contents="sandbox:block-prompt now")
    assert r.prompt_feedback.block_reason == types.BlockedReason.SAFETY
    assert not r.candidates and r.text is None


@pytest.mark.parametrize("door", ["gem", "vertex"])
def test_sdk_errors(door: str, request: pytest.FixtureRequest) -> None:
    client = request.getfixturevalue(door)
    with pytest.raises(genai_errors.ClientError) as info:
        client.models.generate_content(
            model="gemini-3.8-flash",
            contents=Q,
            config=types.GenerateContentConfig(
                http_options=types.HttpOptions(headers={"x-sandbox-fault": "429:0"})
            ),
        )
    assert info.value.code == 429 and info.value.status == "RESOURCE_EXHAUSTED"
    with pytest.raises(genai_errors.ServerError) as server:
        client.models.generate_content(
            model="gemini-3.8-flash",
            contents=Q,
            config=types.GenerateContentConfig(
                http_options=types.HttpOptions(headers={"x-sandbox-fault": "503"})
            ),
        )
    assert server.value.code == 503
    with pytest.raises(genai_errors.ClientError) as missing:
        client.models.generate_content(model="gemini-9-ultra", contents=Q)
    assert missing.value.code == 404


def test_sdk_bad_key(sandbox_url: str) -> None:  # noqa: F811
    client = genai.Client(
        api_key="sandbox-invalid-key", http_options=types.HttpOptions(base_url=f"{sandbox_url}/gemini")
    )
    with pytest.raises(genai_errors.ClientError) as info:
        client.models.generate_content(model="gemini-3.8-flash", contents=Q)
    assert info.value.code == 400 and info.value.details["error"]["details"][0]["reason"] == "API_KEY_INVALID"


# --- 2. our request equals the SDK's ---------------------------------------------------------------


class Captured:
    """An httpx2 transport handler that records each request and answers with a canned response."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        self.requests.append(request)
        if "alt=sse" in str(request.url):
            return httpx2.Response(
                200,
                headers={"content-type": "text/event-stream"},
                content=f"data: {json.dumps(self.body)}\r\n\r\n",
            )
        return httpx2.Response(200, json=self.body)


def capture(make: Callable[[dict[str, Any]], Any], send: Callable[[Any], Any]) -> httpx2.Request:
    handler = Captured(fixture_json("gemini_response.json"))
    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    client = make({"http_options": types.HttpOptions(httpx_client=http)})
    try:
        result = send(client)
        if not hasattr(result, "candidates"):
            list(result)  # a stream: read it so the request is made
    finally:
        client.close()
        http.close()
    assert len(handler.requests) == 1
    return handler.requests[0]


def _camel(key: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m[1].upper(), key)


def normalized(body: dict[str, Any]) -> dict[str, Any]:
    """The body with the SDK's two spelling differences removed (see the module docstring)."""
    body = json.loads(json.dumps(body))
    config = body.get("generationConfig") or {}
    if "thinkingConfig" in config:
        config["thinkingConfig"] = {_camel(k): v for k, v in config["thinkingConfig"].items()}
    system = body.get("systemInstruction")
    if isinstance(system, dict) and system.get("role") == "user":
        del system["role"]
    for content in body.get("contents") or []:
        content.setdefault("role", "user")
        content["parts"] = [{k: p[k] for k in sorted(p)} for p in content["parts"]]
    return body


def assert_same(ours: Any, theirs: httpx2.Request) -> None:
    our_url, their_url = urlsplit(ours.url), urlsplit(str(theirs.url))
    assert ours.method == theirs.method
    assert (our_url.scheme, our_url.netloc, our_url.path) == (
        their_url.scheme,
        their_url.netloc,
        their_url.path,
    )
    assert "&".join(f"{k}={v}" for k, v in ours.params.items()) == their_url.query
    headers = {k.lower(): v for k, v in ours.headers.items()}
    for name in ("authorization", "x-goog-api-key", "content-type"):
        assert headers.get(name) == theirs.headers.get(name), name
    assert normalized(ours.json_body) == normalized(json.loads(theirs.content))


GEMINI_KEY = "AIza-gemini-test"


def gemini_sdk(extra: dict[str, Any]) -> Any:
    return genai.Client(api_key=GEMINI_KEY, **extra)


def vertex_sdk(location: str) -> Callable[[dict[str, Any]], Any]:
    from google.oauth2.credentials import Credentials

    return lambda extra: genai.Client(
        vertexai=True, project="demo-proj", location=location, credentials=Credentials(token=TOKEN), **extra
    )


CASES: dict[str, tuple[dict[str, Any], Any]] = {
    "level": (
        {"model": "gemini/gemini-3.8-flash", "thinking": "high", "max_tokens": 100, "system": "Be brief."},
        lambda c: c.models.generate_content(
            model="gemini-3.8-flash",
            contents="hi",
            config=thinking(max_output_tokens=100, system_instruction="Be brief."),
        ),
    ),
    "minimal-level": (
        {"model": "gemini/gemini-3.5-flash-lite", "thinking": "minimal"},
        lambda c: c.models.generate_content(
            model="gemini-3.5-flash-lite", contents="hi", config=thinking("MINIMAL")
        ),
    ),
    "budget": (
        {"model": "gemini/gemini-2.5-flash-lite", "thinking": 2048},
        lambda c: c.models.generate_content(
            model="gemini-2.5-flash-lite",
            contents="hi",
            config=types.GenerateContentConfig(
                thinking_config=types.ThinkingConfig(thinking_budget=2048, include_thoughts=True)
            ),
        ),
    ),
    "budget-off": (
        {"model": "gemini/gemini-2.5-flash-lite", "thinking": False},
        lambda c: c.models.generate_content(
            model="gemini-2.5-flash-lite",
            contents="hi",
            config=types.GenerateContentConfig(thinking_config=types.ThinkingConfig(thinking_budget=0)),
        ),
    ),
    "stream": (
        {"model": "gemini/gemini-3.8-flash", "thinking": "low", "stream": True},
        lambda c: c.models.generate_content_stream(
            model="gemini-3.8-flash", contents="hi", config=thinking("LOW")
        ),
    ),
    "options": (
        {"model": "gemini/gemini-3.8-flash", "thinking": "medium", "temperature": 1.0, "top_p": 0.9},
        lambda c: c.models.generate_content(
            model="gemini-3.8-flash", contents="hi", config=thinking("MEDIUM", temperature=1.0, top_p=0.9)
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_gemini_request_matches_sdk(case: str) -> None:
    ours_kw, send = CASES[case]
    ours_kw = dict(ours_kw)
    ours = AsyncClient(env={}, api_keys={"gemini": GEMINI_KEY}).prepare(ours_kw.pop("model"), "hi", **ours_kw)
    assert_same(ours.call, capture(gemini_sdk, send))


@pytest.mark.parametrize("location", ["europe-west4", "global", "eu", "us"])
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_vertex_request_matches_sdk(location: str, stream: bool) -> None:
    ours = AsyncClient(
        env={},
        api_keys={"vertex": TOKEN},
        settings={"vertex": {"project": "demo-proj", "location": location}},
    ).prepare("vertex/gemini-3.8-flash", "hi", thinking="high", stream=stream)
    method = "generate_content_stream" if stream else "generate_content"
    theirs = capture(
        vertex_sdk(location),
        lambda c: getattr(c.models, method)(model="gemini-3.8-flash", contents="hi", config=thinking()),
    )
    assert_same(ours.call, theirs)


def test_vertex_express_request_matches_sdk() -> None:
    ours = AsyncClient(env={}, settings={"vertex": {"api_key": "AIza-express"}}).prepare(
        "vertex/gemini-3.8-flash", "hi", thinking="high"
    )
    theirs = capture(
        lambda extra: genai.Client(vertexai=True, api_key="AIza-express", **extra),
        lambda c: c.models.generate_content(model="gemini-3.8-flash", contents="hi", config=thinking()),
    )
    assert_same(ours.call, theirs)


@pytest.mark.parametrize("fixture", ["gemini_response.json", "gemini_sdk_unary.json"])
def test_follow_up_turn_matches_the_sdk_history(fixture: str) -> None:
    """A parsed answer sent back: our contents equal the SDK's for its own parsed Content."""
    payload = fixture_json(fixture)
    client = AsyncClient(env={}, api_keys={"gemini": GEMINI_KEY})
    first = client.prepare("gemini/gemini-3.8-flash", "hi", thinking="high")
    result = first.codec.parse(payload, first.request)
    ours = client.prepare(
        "gemini/gemini-3.8-flash", [Message.user("hi"), result, Message.user("more")], thinking="high"
    ).call
    content = types.GenerateContentResponse.model_validate(payload).candidates[0].content
    theirs = capture(
        gemini_sdk,
        lambda c: c.models.generate_content(
            model="gemini-3.8-flash", contents=["hi", content, "more"], config=thinking()
        ),
    )
    assert_same(ours, theirs)


# --- 3. our client over real HTTP -------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["gemini/gemini-3.8-flash", "vertex/gemini-3.8-flash", "gemini/gemini-2.5-flash-lite"]
)
async def test_our_client_over_http(sandbox_url: str, model: str) -> None:  # noqa: F811
    client = AsyncClient(
        env={},
        api_keys={"gemini": GEMINI_KEY, "vertex": TOKEN},
        base_urls={"gemini": f"{sandbox_url}/gemini", "vertex": f"{sandbox_url}/vertex"},
        settings={"vertex": {"project": "demo-proj", "location": "eu"}},
    )
    async with client:
        whole = await client.chat(model, Q, thinking="high")
        events = [e async for e in client.stream(model, Q, thinking="high")]
        follow_up = await client.chat(
            model, [Message.user(Q), whole, Message.user("And sunsets?")], thinking="high"
        )
    streamed = events[-1].result  # type: ignore[union-attr]
    door = model.split("/")[0]
    assert not whole.sandbox and whole.endpoint.startswith(f"{sandbox_url}/{door}/")  # (the port is shown)
    assert whole.reasoning and Q in whole.text and whole.usage.reasoning_tokens
    assert (streamed.text, streamed.reasoning, streamed.usage) == (whole.text, whole.reasoning, whole.usage)
    assert any(p.signature or p.encrypted for p in streamed.thinking_parts)
    assert "sunsets" in follow_up.text
