"""Maritaca (Sabiá) through the sandbox: Portuguese round trips, characters cut across stream chunks,
the Sabiá 4 family, retired Sabiá 3 names, the thinking model, and Brazil-resident models."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from llmkit_nb import LLMKit
from providers.asgi_transport import StreamingASGITransport
from providers.client import AsyncClient
from providers.errors import (
    InvalidParameterError,
    ModelRetiredError,
    ResidencyError,
    ThinkingNotSupportedError,
)
from providers.sandbox import SandboxApp
from providers.sandbox.app import split_utf8
from providers.transport import default_http_client
from providers.types import Done, TextDelta

PT = "Olá! Você já comeu pão de queijo com café? Ação, coração, maçã, avó, pôr-do-sol 🇧🇷☕🧀"


@pytest.fixture
def kit() -> Iterator[LLMKit]:
    k = LLMKit(sandbox=True)
    yield k
    k.close()


@pytest.mark.parametrize("model", ["sabia-4", "sabiazinho-4", "sabia-4-small", "sabia-4-thinking"])
def test_portuguese_accents_and_emoji_round_trip(kit: LLMKit, model: str) -> None:
    whole = kit.chat(f"maritaca/{model}", PT)
    streamed = kit.chat(f"maritaca/{model}", PT, stream=True)
    assert PT in whole.text and streamed.text == whole.text
    assert whole.endpoint == "https://chat.maritaca.ai/api/chat/completions"


def test_request_is_what_maritaca_documents(kit: LLMKit) -> None:
    kit.chat("maritaca/sabia-4", PT, max_tokens=300, stream=True)
    request = kit.client.sandbox_app.requests[-1]
    assert request.path == "/api/chat/completions" and request.headers["authorization"] == "Bearer ***"
    body = request.body
    assert body["model"] == "sabia-4" and body["max_tokens"] == 300 and "max_completion_tokens" not in body
    assert body["stream_options"] == {"include_usage": True}
    assert body["messages"][-1]["content"] == PT  # sent as UTF-8 text, not escaped away


class ChunkRecorder:
    """An ASGI wrapper that keeps every response body chunk the app sends."""

    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.chunks: list[bytes] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def record(message: Any) -> None:
            if message["type"] == "http.response.body" and message.get("body"):
                self.chunks.append(bytes(message["body"]))
            await send(message)

        await self.app(scope, receive, record)


def _cut_inside_a_character(chunks: list[bytes]) -> int:
    cut = 0
    for chunk in chunks:
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            cut += 1
    return cut


@pytest.mark.parametrize("stream", [True, False])
def test_characters_cut_across_chunks_are_put_back_together(stream: bool) -> None:
    app = SandboxApp()
    recorder = ChunkRecorder(app)

    async def run() -> str:
        client = AsyncClient(sandbox=True, http_client=default_http_client(StreamingASGITransport(recorder)))
        async with client:
            app.inject("split")
            if not stream:
                return (await client.chat("maritaca/sabia-4", PT)).text
            pieces, final = [], None
            async for event in client.stream("maritaca/sabia-4", PT):
                if isinstance(event, TextDelta):
                    pieces.append(event.text)
                elif isinstance(event, Done):
                    final = event.result
            assert final is not None and "".join(pieces) == final.text
            return final.text

    text = asyncio.run(run())
    assert PT in text
    # the sandbox really cut characters in half on the wire: many chunks do not decode on their own
    assert _cut_inside_a_character(recorder.chunks) >= len([c for c in PT if len(c.encode()) > 1])
    assert b"".join(recorder.chunks).decode("utf-8")  # and all of them together are valid UTF-8


def test_split_utf8_cuts_every_multibyte_character() -> None:
    pieces = split_utf8("pão 🍞".encode())
    assert b"".join(pieces) == "pão 🍞".encode()
    assert pieces == [b"p\xc3", b"\xa3o \xf0", b"\x9f\x8d\x9e"] and _cut_inside_a_character(pieces) == 3


@pytest.mark.parametrize(
    ("old", "successor"),
    [
        ("sabia-3", "sabia-4"),
        ("sabiá-3.1", "sabia-4"),
        ("sabia-3.1", "sabia-4"),
        ("sabiazinho-3", "sabiazinho-4"),
    ],
)
def test_sabia_3_names_are_retired_with_a_successor(kit: LLMKit, old: str, successor: str) -> None:
    with pytest.raises(ModelRetiredError, match=f"retired.*use maritaca/{successor}") as info:
        kit.chat(f"maritaca/{old}", PT)
    assert info.value.successor == successor
    assert kit.client.sandbox_app.requests == []  # refused before anything was sent


def test_the_thinking_model_is_chosen_by_name(kit: LLMKit) -> None:
    r = kit.chat("maritaca/sabia-4-thinking", "Quanto é 17 × 23?", thinking="high")
    assert any("model is the knob" in n for n in r.notes)
    assert "reasoning_effort" not in kit.client.sandbox_app.requests[-1].body
    with pytest.raises(InvalidParameterError, match="always reasons"):
        kit.chat("maritaca/sabia-4-thinking", "Oi", thinking=False)
    with pytest.raises(ThinkingNotSupportedError, match="cannot think"):
        kit.chat("maritaca/sabia-4", "Oi", thinking="high")  # sabia-4 has no thinking knob


def test_brazil_resident_models_satisfy_a_br_policy() -> None:
    client = AsyncClient(sandbox=True, residency="br")
    assert client.prepare("maritaca/sabia-4-br-sp", PT)
    with pytest.raises(ResidencyError) as info:
        client.prepare("maritaca/sabia-4", PT)
    assert "maritaca/sabia-4-br-sp" in str(info.value)
