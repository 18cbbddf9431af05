"""The live-transcription sender: KeepAlive while the source is quiet, blocking sources read off the loop."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from providers.audio import calls
from providers.audio.calls import LivePlan, _send_audio
from providers.audio.deepgram import Deepgram


class FakeSocket:
    """Records what the sender sends; `keepalive` is set when a KeepAlive goes out."""

    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.keepalive = asyncio.Event()
        self.keepalive_seen = threading.Event()

    async def send_bytes(self, data: bytes) -> None:
        self.sent.append(data)

    async def send_text(self, text: str) -> None:
        kind = json.loads(text)["type"]
        self.sent.append(kind)
        if kind == "KeepAlive":
            self.keepalive.set()
            self.keepalive_seen.set()


def plan(rest: Any) -> LivePlan:
    return LivePlan("deepgram", "nova-3", Deepgram(), "wss://x/v1/listen", {}, b"first", rest)


async def test_keepalive_goes_out_while_an_async_source_is_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calls, "KEEPALIVE_S", 0.01)
    ws = FakeSocket()

    async def source() -> AsyncIterator[bytes]:
        yield b"one"
        await ws.keepalive.wait()  # quiet until the sender has kept the socket alive
        yield b"two"

    await asyncio.wait_for(_send_audio(ws, plan(source())), 10)
    assert ws.sent[:2] == [b"first", b"one"]
    assert "KeepAlive" in ws.sent and ws.sent[-2:] == [b"two", "CloseStream"]


async def test_a_blocking_source_is_read_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calls, "KEEPALIVE_S", 0.01)
    ws = FakeSocket()

    def microphone() -> Iterator[bytes]:
        yield b"a"
        # blocks its thread until a KeepAlive was sent: only possible if the loop is free meanwhile
        assert ws.keepalive_seen.wait(10)
        yield b"b"

    await asyncio.wait_for(_send_audio(ws, plan(microphone())), 10)
    assert ws.sent[0] == b"first" and ws.sent[1] == b"a" and ws.sent[-2:] == [b"b", "CloseStream"]


async def test_chunks_must_be_bytes() -> None:
    from providers.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="bytes"):
        await _send_audio(FakeSocket(), plan(iter(["text"])))
