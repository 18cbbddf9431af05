"""The strict sandbox answers any request body with a reply: broken bodies (mutations of valid ones,
and arbitrary JSON) through the schema check, the rules and the handler, in-process. A 4xx in the
provider's own envelope or a 200, never an exception (a live server would not crash either)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.sandbox import SandboxApp

from ..fuzzing import dumps, fuzz_settings, json_values, mutated

ENDPOINTS: dict[str, tuple[str, dict[str, str], dict[str, Any]]] = {
    "openai-chat": (
        "https://api.openai.com/v1/chat/completions",
        {"authorization": "Bearer k"},
        {
            "model": "gpt-5.5",
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "hi"}]},
                {"role": "assistant", "content": None, "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                ]},
                {"role": "tool", "tool_call_id": "call_1", "content": "x"},
            ],
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
            "stream": True,
            "stream_options": {"include_usage": True},
        },
    ),
    "openai-responses": (
        "https://api.openai.com/v1/responses",
        {"authorization": "Bearer k"},
        {
            "model": "gpt-5.5",
            "input": [
                {"role": "user", "content": [{"type": "input_text", "text": "hi"}]},
                {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "s"}]},
                {"type": "function_call", "id": "fc_1", "call_id": "c1", "name": "f", "arguments": "{}"},
                {"type": "function_call_output", "call_id": "c1", "output": "x"},
            ],
            "reasoning": {"effort": "low", "summary": "auto"},
            "include": ["reasoning.encrypted_content"],
        },
    ),
    "anthropic": (
        "https://api.anthropic.com/v1/messages",
        {"x-api-key": "k", "anthropic-version": "2026-10-21"},
        {
            "model": "claude-opus-4-6",
            "max_tokens": 2048,
            "thinking": {"type": "enabled", "budget_tokens": 1024},
            "messages": [
                {"role": "user", "content": "weather?"},
                {"role": "assistant", "content": [
                    {"type": "thinking", "thinking": "t", "signature": "c2ln"},
                    {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}},
                ]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "x"}]},
            ],
        },
    ),
    "gemini": (
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-3-flash-preview:generateContent",
        {"x-goog-api-key": "k"},
        {
            "contents": [
                {"role": "user", "parts": [{"text": "weather?"}]},
                {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}}, "thoughtSignature": "c2ln"}]},
                {"role": "user", "parts": [{"functionResponse": {"name": "f", "response": {"output": 1}}}]},
            ],
            "generationConfig": {"thinkingConfig": {"thinkingLevel": "LOW"}, "maxOutputTokens": 100},
            "tools": [{"functionDeclarations": [{"name": "f", "parametersJsonSchema": {"type": "object"}}]}],
        },
    ),
    "mistral": (
        "https://api.mistral.ai/v1/chat/completions",
        {"authorization": "Bearer k"},
        {
            "model": "mistral-small-latest",
            "messages": [
                {"role": "user", "content": "x"},
                {"role": "assistant", "content": "", "tool_calls": [
                    {"id": "D681PevKs", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                ]},
                {"role": "tool", "tool_call_id": "D681PevKs", "content": "y"},
            ],
        },
    ),
    "elevenlabs": (
        "https://api.elevenlabs.io/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM",
        {"xi-api-key": "k"},
        {"text": "hi", "model_id": "eleven_v3", "voice_settings": {"stability": 0.5}},
    ),
}  # fmt: skip


async def _send(name: str, body: Any) -> httpx2.Response:
    url, headers, _ = ENDPOINTS[name]
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=SandboxApp())) as client:
        # NaN and infinities too: Python's json (the sandbox's parser) reads them
        return await client.post(
            url, content=dumps(body), headers={**headers, "content-type": "application/json"}
        )


def _answered(name: str, body: Any) -> None:
    response = asyncio.run(_send(name, body))
    assert response.status_code < 500, response.text
    response.json() if response.headers.get("content-type", "").startswith("application/json") else None


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_the_valid_bodies_are_valid(name: str) -> None:
    response = asyncio.run(_send(name, ENDPOINTS[name][2]))
    assert response.status_code < 500, response.text


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_broken_bodies_get_an_answer(name: str) -> None:
    @given(body=mutated(ENDPOINTS[name][2]))
    @fuzz_settings
    def run(body: Any) -> None:
        _answered(name, body)

    run()


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_arbitrary_json_gets_an_answer(name: str) -> None:
    @given(body=json_values | st.dictionaries(st.text(max_size=8), json_values, max_size=4))
    @fuzz_settings
    def run(body: Any) -> None:
        _answered(name, body)

    run()
