"""Tests of the sandbox ASGI app itself, driven in-process through httpx2.ASGITransport."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest

from providers.sandbox import Fault, SandboxApp
from providers.sandbox import text as T

OPENAI_HEADERS = {"authorization": "Bearer sk-test-secret"}
ANTHROPIC_HEADERS = {"x-api-key": "sk-ant-secret", "anthropic-version": "2023-06-01"}
NEWEST = {"x-api-key": "sk-ant-secret", "anthropic-version": "2026-10-21"}


@pytest.fixture
def app() -> SandboxApp:
    return SandboxApp(clock=lambda: 1_764_115_200.0)


@pytest.fixture
async def client(app: SandboxApp) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app)) as c:
        yield c


async def chat(client: httpx2.AsyncClient, body: dict[str, Any], **headers: str) -> httpx2.Response:
    h = {**OPENAI_HEADERS, **headers}
    return await client.post("https://api.openai.com/v1/chat/completions", json=body, headers=h)


async def responses(client: httpx2.AsyncClient, body: dict[str, Any], **headers: str) -> httpx2.Response:
    h = {**OPENAI_HEADERS, **headers}
    return await client.post("https://api.openai.com/v1/responses", json=body, headers=h)


async def messages(
    client: httpx2.AsyncClient, body: dict[str, Any], headers: dict[str, str] | None = None
) -> httpx2.Response:
    h = ANTHROPIC_HEADERS if headers is None else headers
    return await client.post("https://api.anthropic.com/v1/messages", json=body, headers=h)


def sse(text: str) -> list[tuple[str | None, str]]:
    """(event, data) pairs of an SSE body; comment-only frames come back as ('#', comment)."""
    out: list[tuple[str | None, str]] = []
    for frame in text.split("\n\n"):
        if not frame.strip():
            continue
        event, data = None, []
        for line in frame.split("\n"):
            if line.startswith(":"):
                out.append(("#", line[1:].strip()))
            elif line.startswith("event: "):
                event = line[len("event: ") :]
            elif line.startswith("data: "):
                data.append(line[len("data: ") :])
        if data:
            out.append((event, "\n".join(data)))
    return out


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


ANT = {"model": "claude-opus-5-5", "max_tokens": 2000, "messages": user("What is 6x7?")}


# --- the deterministic model ------------------------------------------------------------------


def test_text_helpers_are_deterministic() -> None:
    assert T.answer_text("hi") == T.answer_text("hi")
    assert '"hi"' in T.answer_text("hi")
    for text in ["", "one", " a  b\n", "Olá, coração 🎉 tudo bem?"]:
        assert "".join(T.chunk_words(text)) == text
    assert T.count_tokens("one two three") == 4
    assert T.count_tokens("") == 0
    lows, maxs = T.reasoning_text("q", "low"), T.reasoning_text("q", "max")
    assert '"q"' in lows and len(maxs) > len(lows)
    sig = T.sign_thinking("abc")
    assert T.verify_thinking("abc", sig) and not T.verify_thinking("abd", sig)
    assert T.verify_thinking("", T.sign_thinking("abc", omitted=True))
    assert not T.verify_thinking("x", "not a signature")
    blob = T.encrypt_reasoning("héllo")
    assert T.decrypt_reasoning(blob) == "héllo" and T.decrypt_reasoning(blob[:-4] + "AAAA") is None
    assert T.message_text([{"role": "user", "content": [{"type": "text", "text": "a"}]}, *user("b")]) == "b"


# --- routing ----------------------------------------------------------------------------------


async def test_routes_by_host(client: httpx2.AsyncClient) -> None:
    r = await chat(client, {"model": "gpt-5.5", "messages": user("hi")})
    assert r.status_code == 200
    assert r.headers["x-llmkit-sandbox"] == "1"
    assert r.headers["x-request-id"].startswith("req_")
    r = await messages(client, ANT)
    assert r.status_code == 200
    assert r.headers["request-id"].startswith("req_") and r.headers["x-llmkit-sandbox"] == "1"


async def test_routes_by_path_prefix(client: httpx2.AsyncClient) -> None:
    base = "http://127.0.0.1:8765"
    r = await client.post(
        f"{base}/openai/v1/responses", json={"model": "gpt-5.5", "input": "hi"}, headers=OPENAI_HEADERS
    )
    assert r.status_code == 200 and r.json()["object"] == "response"
    r = await client.post(
        f"{base}/openai/v1/chat/completions",
        json={"model": "m", "messages": user("x")},
        headers=OPENAI_HEADERS,
    )
    assert r.json()["object"] == "chat.completion"
    r = await client.post(f"{base}/anthropic/v1/messages", json=ANT, headers=ANTHROPIC_HEADERS)
    assert r.status_code == 200 and r.json()["type"] == "message"


async def test_unknown_routes(client: httpx2.AsyncClient) -> None:
    r = await client.post("https://api.openai.com/v1/nope", json={}, headers=OPENAI_HEADERS)
    assert r.status_code == 404 and r.json()["error"]["type"] == "invalid_request_error"
    r = await client.post("http://127.0.0.1/anthropic/v1/nope", json={}, headers=ANTHROPIC_HEADERS)
    assert r.status_code == 404
    assert r.json()["type"] == "error" and r.json()["error"]["type"] == "not_found_error"
    assert r.json()["request_id"] == r.headers["request-id"]
    r = await client.get("https://api.anthropic.com/v1/messages", headers=ANTHROPIC_HEADERS)
    assert r.status_code == 404
    r = await client.post("http://127.0.0.1/v1/chat/completions", json={})
    assert r.status_code == 404 and "error" in r.json() and r.headers["x-llmkit-sandbox"] == "1"
    r = await client.get("http://127.0.0.1/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_host_map_is_a_class_attribute() -> None:
    assert SandboxApp.HOSTS["api.openai.com"] == "openai"
    assert SandboxApp().route("api.anthropic.com:443", "/v1/messages") == ("anthropic", "/v1/messages")
    assert SandboxApp().route("localhost:8765", "/openai/v1/responses") == ("openai", "/v1/responses")
    assert SandboxApp().route("localhost", "/v1/responses") == (None, "/v1/responses")


# --- auth -------------------------------------------------------------------------------------


async def test_openai_auth(client: httpx2.AsyncClient) -> None:
    for headers in ({}, {"authorization": "Bearer "}, {"authorization": "Basic abc"}):
        r = await client.post(
            "https://api.openai.com/v1/chat/completions",
            json={"model": "m", "messages": user("x")},
            headers=headers,
        )
        assert r.status_code == 401
        err = r.json()["error"]
        assert err["type"] == "invalid_request_error" and err["code"] == "invalid_api_key"
        assert set(err) == {"message", "type", "param", "code"}
        assert "abc" not in r.text
        assert r.headers["x-request-id"].startswith("req_")


async def test_anthropic_auth(client: httpx2.AsyncClient) -> None:
    bearer = {"authorization": "Bearer sk-ant-secret", "anthropic-version": "2026-10-21"}
    assert (await messages(client, ANT, bearer)).status_code == 200
    r = await messages(client, ANT, {"anthropic-version": "2023-06-01"})
    assert r.status_code == 401
    body = r.json()
    assert body["type"] == "error" and body["error"]["type"] == "authentication_error"
    assert body["request_id"] == r.headers["request-id"]
    r = await messages(client, ANT, {"x-api-key": "sk-ant-secret"})
    assert r.status_code == 400 and "anthropic-version" in r.json()["error"]["message"]
    assert "sk-ant-secret" not in r.text


# --- validation -------------------------------------------------------------------------------


async def test_openai_validation(client: httpx2.AsyncClient) -> None:
    h = {**OPENAI_HEADERS, "content-type": "application/json"}
    r = await client.post("https://api.openai.com/v1/chat/completions", content=b"{nope", headers=h)
    assert r.status_code == 400 and "JSON" in r.json()["error"]["message"]
    r = await chat(client, {"messages": user("x")})
    assert r.status_code == 400 and "model" in r.json()["error"]["message"]
    r = await chat(client, {"model": "m"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "messages"
    r = await chat(client, {"model": "m", "messages": []})
    assert r.status_code == 400 and r.json()["error"]["code"] == "empty_array"
    r = await chat(client, {"model": "m", "messages": user("x"), "reasoning_effort": "huge"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "reasoning_effort"
    r = await responses(client, {"model": "m"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "input"
    r = await responses(client, {"model": "m", "input": []})
    assert r.status_code == 400


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"model": None}, "model: Field required"),
        ({"max_tokens": None}, "max_tokens: Field required"),
        ({"messages": None}, "messages: Field required"),
        ({"messages": []}, "messages"),
        ({"thinking": {"type": "enabled", "budget_tokens": 512}, "model": "claude-sonnet-4-5"}, "1024"),
        (
            {"thinking": {"type": "enabled", "budget_tokens": 4000}, "model": "claude-sonnet-4-5"},
            "max_tokens",
        ),
        ({"thinking": {"type": "enabled", "budget_tokens": 1024}}, "use 'adaptive'"),
        (
            {"thinking": {"type": "enabled", "budget_tokens": 1024}, "model": "claude-opus-4-7"},
            "use 'adaptive'",
        ),
        (
            {"thinking": {"type": "enabled", "budget_tokens": 1024}, "model": "claude-fable-5"},
            "use 'adaptive'",
        ),
        ({"thinking": {"type": "sometimes"}}, "thinking"),
        ({"output_config": {"effort": "huge"}}, "output_config.effort"),
    ],
)
async def test_anthropic_validation(client: httpx2.AsyncClient, change: dict[str, Any], message: str) -> None:
    body = {k: v for k, v in {**ANT, **change}.items() if v is not None}
    r = await messages(client, body)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["type"] == "invalid_request_error" and message in err["message"]


async def test_anthropic_enabled_thinking_on_older_models(client: httpx2.AsyncClient) -> None:
    for model in ("claude-sonnet-4-5", "claude-opus-4-6", "claude-haiku-4-5-20251001"):
        body = {**ANT, "model": model, "thinking": {"type": "enabled", "budget_tokens": 1024}}
        assert (await messages(client, body)).status_code == 200, model


async def test_anthropic_sampling_params_removed_in_newest_version(client: httpx2.AsyncClient) -> None:
    for name in ("temperature", "top_p", "top_k"):
        r = await messages(client, {**ANT, name: 0.5}, NEWEST)
        assert r.status_code == 400
        assert r.json()["error"]["message"] == f"{name}: Extra inputs are not permitted"
    assert (await messages(client, {**ANT, "temperature": 0.5})).status_code == 200  # 2023-06-01


# --- Chat Completions ---------------------------------------------------------------------------


async def test_chat_completion_json(client: httpx2.AsyncClient) -> None:
    r = await chat(client, {"model": "gpt-5.5", "messages": user("Qual é a capital? 🎉")})
    body = r.json()
    assert body["object"] == "chat.completion" and body["id"].startswith("chatcmpl-")
    assert body["created"] == 1_764_115_200 and body["model"] == "gpt-5.5"
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop" and choice["message"]["role"] == "assistant"
    assert choice["message"]["content"] == T.answer_text("Qual é a capital? 🎉")
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 0
    assert "é a capital? 🎉".encode() in r.content  # UTF-8, not \u escapes


async def test_chat_reasoning_tokens_only_when_asked(client: httpx2.AsyncClient) -> None:
    for effort, thinks in (("high", True), ("none", False)):
        r = await chat(client, {"model": "gpt-5.5", "messages": user("q"), "reasoning_effort": effort})
        usage = r.json()["usage"]
        assert (usage["completion_tokens_details"]["reasoning_tokens"] > 0) is thinks
        assert "reasoning" not in json.dumps(r.json()["choices"])


async def test_chat_max_completion_tokens_truncates(client: httpx2.AsyncClient) -> None:
    r = await chat(client, {"model": "m", "messages": user("a b c d e f"), "max_completion_tokens": 3})
    choice = r.json()["choices"][0]
    assert choice["finish_reason"] == "length"
    assert T.answer_text("a b c d e f").startswith(choice["message"]["content"])


async def test_chat_stream_sequence(client: httpx2.AsyncClient) -> None:
    body = {
        "model": "m",
        "messages": user("stream me"),
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    r = await chat(client, body)
    assert r.headers["content-type"].startswith("text/event-stream")
    events = sse(r.text)
    assert events[-1] == (None, "[DONE]")
    assert ("#", "keep-alive") in events
    chunks = [json.loads(d) for e, d in events if e is None and d != "[DONE]"]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == T.answer_text("stream me")
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0
    assert all(c["usage"] is None for c in chunks[:-1])
    plain = sse((await chat(client, {**body, "stream_options": None})).text)
    assert all("usage" not in json.loads(d) for e, d in plain if e is None and d != "[DONE]")


# --- Responses -------------------------------------------------------------------------------------

RESPONSE_KEYS = {
    "id",
    "object",
    "created_at",
    "status",
    "model",
    "output",
    "parallel_tool_calls",
    "tool_choice",
}
RESPONSE_KEYS |= {"tools", "usage", "reasoning"}
USAGE_KEYS = {
    "input_tokens",
    "input_tokens_details",
    "output_tokens",
    "output_tokens_details",
    "total_tokens",
}


async def test_responses_json(client: httpx2.AsyncClient) -> None:
    r = await responses(client, {"model": "gpt-5.5", "input": "plain question"})
    body = r.json()
    assert set(body) >= RESPONSE_KEYS and body["status"] == "completed"
    assert set(body["usage"]) == USAGE_KEYS
    assert body["usage"]["input_tokens_details"] == {"cached_tokens": 0, "cache_write_tokens": 0}
    assert body["usage"]["output_tokens_details"]["reasoning_tokens"] == 0
    assert [i["type"] for i in body["output"]] == ["message"]
    assert body["output"][0]["content"][0]["text"] == T.answer_text("plain question")


async def test_responses_reasoning_item(client: httpx2.AsyncClient) -> None:
    r = await responses(client, {"model": "gpt-5.5", "input": user("q"), "reasoning": {"effort": "high"}})
    out = r.json()["output"]
    assert [i["type"] for i in out] == ["reasoning", "message"]
    assert out[0]["id"].startswith("rs_") and out[0]["summary"] == []
    assert "encrypted_content" not in out[0]
    assert r.json()["usage"]["output_tokens_details"]["reasoning_tokens"] > 0
    body = {
        "model": "gpt-5.5",
        "input": "q",
        "reasoning": {"effort": "low", "summary": "auto"},
        "include": ["reasoning.encrypted_content"],
    }
    item = (await responses(client, body)).json()["output"][0]
    assert item["summary"][0]["type"] == "summary_text" and '"q"' in item["summary"][0]["text"]
    assert T.decrypt_reasoning(item["encrypted_content"])
    r = await responses(client, {"model": "gpt-5.5", "input": "q", "reasoning": {"effort": "none"}})
    assert [i["type"] for i in r.json()["output"]] == ["message"]


async def test_responses_encrypted_content_round_trip(client: httpx2.AsyncClient) -> None:
    body = {
        "model": "m",
        "input": "q",
        "reasoning": {"effort": "low"},
        "include": ["reasoning.encrypted_content"],
    }
    first = (await responses(client, body)).json()["output"]
    turn = [*user("q"), *first, *user("next")]
    r = await responses(client, {**body, "input": turn})
    assert r.status_code == 200 and r.json()["output"][-1]["content"][0]["text"] == T.answer_text("next")
    first[0]["encrypted_content"] = "Z2FyYmFnZQ=="
    r = await responses(client, {**body, "input": [*user("q"), *first, *user("next")]})
    assert r.status_code == 400 and "could not be verified" in r.json()["error"]["message"]


async def test_responses_stream_sequence(client: httpx2.AsyncClient) -> None:
    body = {
        "model": "gpt-5.5",
        "input": "stream please",
        "stream": True,
        "reasoning": {"effort": "medium", "summary": "detailed"},
        "include": ["reasoning.encrypted_content"],
    }
    events = sse((await responses(client, body)).text)
    assert all(e not in (None, "#") for e, _ in events) and "[DONE]" not in [d for _, d in events]
    datas = [json.loads(d) for _, d in events]
    assert [d["sequence_number"] for d in datas] == list(range(len(datas)))
    assert all(e == d["type"] for (e, _), d in zip(events, datas, strict=True))
    names = [d["type"] for d in datas]
    dedup = [n for i, n in enumerate(names) if i == 0 or names[i - 1] != n]
    assert dedup == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        *[  # 'detailed' summaries of several sentences come in two summary parts
            "response.reasoning_summary_part.added",
            "response.reasoning_summary_text.delta",
            "response.reasoning_summary_text.done",
            "response.reasoning_summary_part.done",
        ]
        * 2,
        "response.output_item.done",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    reasoning_done = datas[names.index("response.output_item.done")]["item"]
    assert reasoning_done["type"] == "reasoning" and reasoning_done["encrypted_content"]
    text = "".join(d["delta"] for d in datas if d["type"] == "response.output_text.delta")
    assert text == T.answer_text("stream please")
    final = datas[-1]["response"]
    assert final["status"] == "completed" and [i["type"] for i in final["output"]] == ["reasoning", "message"]
    assert (
        set(final["usage"]) == USAGE_KEYS and final["usage"]["output_tokens_details"]["reasoning_tokens"] > 0
    )


async def test_responses_max_output_tokens_incomplete(client: httpx2.AsyncClient) -> None:
    r = await responses(client, {"model": "m", "input": "a b c d", "max_output_tokens": 2})
    assert r.json()["status"] == "incomplete"
    assert r.json()["incomplete_details"] == {"reason": "max_output_tokens"}


# --- Anthropic ----------------------------------------------------------------------------------


async def test_messages_json_without_thinking(client: httpx2.AsyncClient) -> None:
    body = (await messages(client, ANT)).json()
    assert body["id"].startswith("msg_") and body["role"] == "assistant" and body["stop_reason"] == "end_turn"
    assert body["content"] == [{"type": "text", "text": T.answer_text("What is 6x7?")}]
    assert body["usage"]["output_tokens_details"] is None


async def test_messages_thinking_and_effort(client: httpx2.AsyncClient) -> None:
    texts = {}
    for effort in ("low", "high", "max"):
        body = {
            **ANT,
            "thinking": {"type": "adaptive", "display": "summarized"},
            "output_config": {"effort": effort},
        }
        msg = (await messages(client, body)).json()
        thinking, text = msg["content"]
        assert thinking["type"] == "thinking" and thinking["signature"]
        assert "What is 6x7?" in thinking["thinking"]
        assert text["type"] == "text"
        assert msg["usage"]["output_tokens_details"]["thinking_tokens"] > 0
        texts[effort] = thinking["thinking"]
    assert len(texts["low"]) < len(texts["high"]) < len(texts["max"])


async def test_messages_display_omitted(client: httpx2.AsyncClient) -> None:
    body = {**ANT, "thinking": {"type": "adaptive", "display": "omitted"}}
    msg = (await messages(client, body)).json()
    assert msg["content"][0]["thinking"] == "" and msg["content"][0]["signature"]
    assert msg["usage"]["output_tokens_details"]["thinking_tokens"] > 0


async def test_thinking_signatures_round_trip(client: httpx2.AsyncClient) -> None:
    for display in ("summarized", "omitted"):
        body = {**ANT, "thinking": {"type": "adaptive", "display": display}}
        first = (await messages(client, body)).json()["content"]
        turn = [*user("What is 6x7?"), {"role": "assistant", "content": first}, *user("And 7x8?")]
        r = await messages(client, {**body, "messages": turn})
        assert r.status_code == 200 and "And 7x8?" in r.text
        first[0]["thinking"] += " (edited)"  # the latest assistant turn's block, changed under its signature
        r = await messages(client, {**body, "messages": turn})
        assert r.status_code == 400
        assert "blocks in the latest assistant message cannot be modified" in r.json()["error"]["message"]
        first[0]["signature"] = "RXFRQmZvcmVpZ24="  # another provider's signature
        r = await messages(client, {**body, "messages": turn})
        assert r.json()["error"]["message"] == "messages.1.content.0: Invalid `signature` in `thinking` block"


async def test_messages_max_tokens_truncates(client: httpx2.AsyncClient) -> None:
    msg = (await messages(client, {**ANT, "max_tokens": 3})).json()
    assert msg["stop_reason"] == "max_tokens"
    assert T.answer_text("What is 6x7?").startswith(msg["content"][0]["text"])


async def test_messages_stream_sequence(client: httpx2.AsyncClient) -> None:
    body = {**ANT, "stream": True, "thinking": {"type": "adaptive", "display": "summarized"}}
    r = await messages(client, body)
    assert r.headers["content-type"].startswith("text/event-stream")
    events = sse(r.text)
    datas = [json.loads(d) for _, d in events]
    assert all(e == d["type"] for (e, _), d in zip(events, datas, strict=True))
    kinds = [
        d["type"] + (":" + d["delta"]["type"] if d["type"] == "content_block_delta" else "") for d in datas
    ]
    dedup = [k for i, k in enumerate(kinds) if i == 0 or kinds[i - 1] != k]
    assert dedup == [
        "message_start",
        "content_block_start",
        "ping",
        "content_block_delta:thinking_delta",
        "content_block_delta:signature_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta:text_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    thinking = "".join(
        d["delta"]["thinking"] for d in datas if d.get("delta", {}).get("type") == "thinking_delta"
    )
    signature = next(
        d["delta"]["signature"] for d in datas if d.get("delta", {}).get("type") == "signature_delta"
    )
    assert T.verify_thinking(thinking, signature)
    text = "".join(d["delta"]["text"] for d in datas if d.get("delta", {}).get("type") == "text_delta")
    assert text == T.answer_text("What is 6x7?")
    final = datas[-2]
    assert final["delta"]["stop_reason"] == "end_turn"
    assert final["usage"]["output_tokens_details"]["thinking_tokens"] > 0
    assert final["usage"]["output_tokens"] > final["usage"]["output_tokens_details"]["thinking_tokens"]


async def test_messages_stream_omitted_has_only_a_signature(client: httpx2.AsyncClient) -> None:
    body = {**ANT, "stream": True, "thinking": {"type": "adaptive", "display": "omitted"}}
    datas = [json.loads(d) for _, d in sse((await messages(client, body)).text)]
    deltas = [d["delta"]["type"] for d in datas if d["type"] == "content_block_delta" and d["index"] == 0]
    assert deltas == ["signature_delta"]


async def test_deterministic_content(client: httpx2.AsyncClient) -> None:
    body = {**ANT, "thinking": {"type": "adaptive"}}
    a, b = (await messages(client, body)).json(), (await messages(client, body)).json()
    assert a["content"] == b["content"] and a["id"] != b["id"]


# --- ASGI framing and pacing ----------------------------------------------------------------------


async def drive(
    app: SandboxApp, host: str, path: str, body: dict[str, Any], headers: dict[str, str]
) -> list[Any]:
    """Call the app directly and return every ASGI message it sent."""
    raw = json.dumps(body).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", host.encode())] + [(k.encode(), v.encode()) for k, v in headers.items()],
    }
    sent: list[Any] = []
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:
            return {"type": "http.disconnect"}
        received = True
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def test_each_event_is_its_own_body_message() -> None:
    app = SandboxApp(delay=0.005)
    body = {**ANT, "stream": True}
    t0 = time.perf_counter()
    sent = await drive(app, "api.anthropic.com", "/v1/messages", body, ANTHROPIC_HEADERS)
    elapsed = time.perf_counter() - t0
    start, *bodies = sent
    assert start["type"] == "http.response.start" and start["status"] == 200
    assert all(m["more_body"] for m in bodies[:-1]) and bodies[-1] == {
        "type": "http.response.body",
        "body": b"",
        "more_body": False,
    }
    frames = [m["body"] for m in bodies[:-1]]
    assert all(f.endswith(b"\n\n") and f.count(b"\ndata: ") == 1 for f in frames)
    assert elapsed >= 0.005 * (len(frames) - 1) * 0.9


async def test_lifespan() -> None:
    app, sent = SandboxApp(), []
    messages_in = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

    async def receive() -> dict[str, Any]:
        return next(messages_in)

    async def send(m: Any) -> None:
        sent.append(m["type"])

    await app({"type": "lifespan"}, receive, send)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


# --- faults -------------------------------------------------------------------------------------


def test_fault_parse() -> None:
    assert Fault.parse("429") == Fault("429")
    assert Fault.parse("429:2") == Fault(kind="429", retry_after=2.0)
    assert Fault.parse(" slow:0.5 ") == Fault("slow", seconds=0.5)
    assert Fault.parse("DROP").kind == "drop"
    assert Fault(kind=503).kind == "503"  # type: ignore[arg-type]
    for bad in ("418", "drop:1", "429:soon", ""):
        with pytest.raises(ValueError):
            Fault.parse(bad)


async def test_status_faults_by_header(client: httpx2.AsyncClient) -> None:
    r = await chat(client, {"model": "m", "messages": user("x")}, **{"x-sandbox-fault": "429:2"})
    assert r.status_code == 429
    assert r.headers["retry-after"] == "2" and r.headers["retry-after-ms"] == "2000"
    assert r.json()["error"]["code"] == "rate_limit_exceeded" and r.headers["x-request-id"].startswith("req_")
    r = await chat(client, {"model": "m", "messages": user("x")}, **{"x-sandbox-fault": "429"})
    assert r.headers["retry-after"] == "0"
    expected = {429: "rate_limit_error", 500: "api_error", 503: "api_error", 529: "overloaded_error"}
    for status, etype in expected.items():
        r = await messages(client, ANT, {**ANTHROPIC_HEADERS, "x-sandbox-fault": str(status)})
        assert r.status_code == status and r.json()["error"]["type"] == etype
        assert r.json()["request_id"] == r.headers["request-id"]
    for status in (500, 503, 529):
        r = await responses(client, {"model": "m", "input": "x"}, **{"x-sandbox-fault": str(status)})
        assert r.status_code == status and r.json()["error"]["type"] == "server_error"
    r = await chat(client, {"model": "m", "messages": user("x")}, **{"x-sandbox-fault": "teapot"})
    assert r.status_code == 400 and "x-sandbox-fault" in r.json()["error"]["message"]


async def test_injected_faults_are_fifo_and_counted(app: SandboxApp, client: httpx2.AsyncClient) -> None:
    app.inject(Fault("503"), times=2)
    app.inject(Fault("429", retry_after=1.5))
    statuses = [(await chat(client, {"model": "m", "messages": user("x")})).status_code for _ in range(4)]
    assert statuses == [503, 503, 429, 200]
    assert app.pending_faults == []


async def test_injected_fault_filters(app: SandboxApp, client: httpx2.AsyncClient) -> None:
    app.inject(Fault("529", provider="anthropic"))
    app.inject(Fault("500", path="/v1/responses"))
    assert (await chat(client, {"model": "m", "messages": user("x")})).status_code == 200
    assert (await responses(client, {"model": "m", "input": "x"})).status_code == 500
    assert (await messages(client, ANT)).status_code == 529


async def test_slow_fault(client: httpx2.AsyncClient) -> None:
    t0 = time.perf_counter()
    r = await chat(client, {"model": "m", "messages": user("x")}, **{"x-sandbox-fault": "slow:0.2"})
    assert r.status_code == 200 and time.perf_counter() - t0 >= 0.19


async def test_drop_fault(app: SandboxApp, client: httpx2.AsyncClient) -> None:
    stream = {"model": "m", "messages": user("x y z"), "stream": True}
    with pytest.raises(httpx2.RemoteProtocolError):
        await chat(client, stream, **{"x-sandbox-fault": "drop"})
    app.inject("drop")
    with pytest.raises(httpx2.RemoteProtocolError):
        await messages(client, ANT)
    # a transport that keeps what was sent shows the stream was cut midway
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app, raise_app_exceptions=False)) as c:
        r = await chat(c, stream, **{"x-sandbox-fault": "drop"})
        full = await chat(c, stream)
    events = sse(r.text)
    assert 0 < len(events) < len(sse(full.text)) and (None, "[DONE]") not in events


async def test_malformed_fault(client: httpx2.AsyncClient) -> None:
    r = await messages(client, {**ANT, "stream": True}, {**ANTHROPIC_HEADERS, "x-sandbox-fault": "malformed"})
    good = sse((await messages(client, {**ANT, "stream": True})).text)
    events = sse(r.text)
    broken = []
    for _, data in events:
        try:
            json.loads(data)
        except json.JSONDecodeError:
            broken.append(data)
    assert len(broken) == 1 and broken[0].startswith("{")
    assert len(events) == len(good) + 1 and events[-1][0] == "message_stop"
    r = await responses(client, {"model": "m", "input": "x"}, **{"x-sandbox-fault": "malformed"})
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)


# --- request record -----------------------------------------------------------------------------


async def test_requests_are_recorded_with_credentials_redacted(
    app: SandboxApp, client: httpx2.AsyncClient
) -> None:
    await chat(client, {"model": "m", "messages": user("x")})
    await messages(client, ANT)
    (m1, p1, h1, b1), (_, p2, h2, b2) = app.requests
    assert (m1, p1, b1["model"]) == ("POST", "/v1/chat/completions", "m")
    assert h1["authorization"] == "Bearer ***" and h2["x-api-key"] == "***"
    assert p2 == "/v1/messages" and b2 == ANT
    assert "secret" not in repr(app.requests)
    for _ in range(205):
        await client.get("http://127.0.0.1/healthz")
    assert len(app.requests) == 200
    app.reset()
    assert app.requests == []
