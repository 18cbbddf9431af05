"""The recorded corpus (tests/fixtures/recorded/): its manifest, the wire framing of each file, and replays.

A recording is a response body that another public project recorded from a live API (see the README in
that folder and `manifest.json` for the provenance of each file). This module turns each into the bytes
the provider sends, serves those bytes to our client through an `httpx2.MockTransport` (whole, or cut
into small pieces at arbitrary byte offsets), and feeds them straight to a codec's parser or decoder.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from providers.client import AsyncClient
from providers.registry import list_models
from providers.types import ChatResult, Done, Message, TextDelta, ThinkingDelta

ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "recorded"
MANIFEST = ROOT / "manifest.json"

KEY = "recorded-corpus-key"  # ours, for the mock transport; Vertex takes it as an express-mode key
CHAT_PROVIDERS = ("openai", "anthropic", "gemini", "vertex", "deepseek", "xai", "mistral")
AUDIO_PROVIDERS = ("deepgram", "elevenlabs")

# How each chat wire format frames a stream. vercel/ai's `.chunks.txt` files hold one event payload per
# line; the providers send them as below (wire/chat.md): OpenAI Responses and Anthropic name each event
# after its `type`, Chat Completions is data-only and ends with `data: [DONE]`, Gemini's `alt=sse` is
# data-only with CRLF line ends and ends with the body.
FRAMING = {
    "responses": "named",
    "messages": "named",
    "chat": "data+done",
    "generateContent": "data-crlf",
}


@dataclass(frozen=True)
class Recording:
    """One manifest entry: a recorded body, where it came from, and what it must parse to."""

    file: str
    provider: str
    api: str
    format: str
    model: str
    source: dict[str, str]
    recording: str
    changes: str
    expect: dict[str, Any] = field(default_factory=dict)
    request: str | None = None
    """The request body the source sent for this response."""
    next_request: str | None = None
    """The request the source sent next, with this response in its history (when its response is not kept)."""
    notes: str = ""

    @property
    def id(self) -> str:
        return self.file

    @property
    def path(self) -> Path:
        return ROOT / self.file

    @property
    def streamed(self) -> bool:
        return self.format in ("sse", "chunks")

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def payload(self) -> Any:
        """The JSON body (for `format == "json"`)."""
        return json.loads(self.text())

    def chunks(self) -> list[dict[str, Any]]:
        """The stream's event payloads, in order (for `format == "chunks"`)."""
        return [json.loads(line) for line in self.text().splitlines() if line.strip()]

    def wire(self, framing: str | None = None) -> bytes:
        """The body exactly as the provider sends it (a `.sse` file is already that)."""
        if self.format != "chunks":
            return self.path.read_bytes()
        lines = [line for line in self.text().splitlines() if line.strip()]
        match framing or FRAMING[self.api]:
            case "named":
                out = "".join(f"event: {json.loads(line)['type']}\ndata: {line}\n\n" for line in lines)
            case "data":
                out = "".join(f"data: {line}\n\n" for line in lines)
            case "data+done":
                out = "".join(f"data: {line}\n\n" for line in lines) + "data: [DONE]\n\n"
            case "data-crlf":
                out = "".join(f"data: {line}\r\n\r\n" for line in lines)
            case other:
                raise ValueError(f"unknown framing {other!r}")
        return out.encode("utf-8")

    def recorded_request(self) -> Any:
        return json.loads((ROOT / self.request).read_text(encoding="utf-8")) if self.request else None

    def recorded_next_request(self) -> Any:
        return (
            json.loads((ROOT / self.next_request).read_text(encoding="utf-8")) if self.next_request else None
        )


def load() -> list[Recording]:
    entries = json.loads(MANIFEST.read_text(encoding="utf-8"))["recordings"]
    return [Recording(**entry) for entry in entries]


def chat_recordings() -> list[Recording]:
    return [r for r in load() if r.provider in CHAT_PROVIDERS]


def by_file(name: str) -> Recording:
    return next(r for r in load() if r.file == name)


def request_model(provider: str) -> str:
    """A current catalog model of this provider to ask with (the recordings' models are mostly retired).

    The parsers do not depend on the model; the follow-up comparisons look at the conversation only.
    """
    models = [m for m in list_models(provider) if m.status == "current"]
    thinking = [m for m in models if m.thinking.can_think]
    return f"{provider}/{(thinking or models)[0].id}"


def scribe_model() -> str:
    """A current ElevenLabs speech-to-text (Scribe) model from the catalog."""
    models = [
        m.id
        for m in list_models("elevenlabs")
        if m.status == "current" and m.id.startswith("scribe") and "realtime" not in m.id
    ]
    return f"elevenlabs/{models[0]}"


def split_points(size: int, seed: int, max_piece: int) -> list[int]:
    """Cut offsets for `size` bytes: pieces of 1..max_piece bytes, reproducible from `seed`."""
    rng = random.Random(seed)
    cuts, at = [], 0
    while at < size:
        at += rng.randint(1, max_piece)
        cuts.append(min(at, size))
    return cuts


def pieces(body: bytes, seed: int | None, max_piece: int = 7) -> Iterator[bytes]:
    """The body whole (seed None) or cut at arbitrary byte offsets (UTF-8 sequences and lines split too)."""
    if seed is None:
        yield body
        return
    start = 0
    for end in split_points(len(body), seed, max_piece):
        yield body[start:end]
        start = end


class _Body(httpx2.AsyncByteStream):
    def __init__(self, parts: list[bytes]) -> None:
        self.parts = parts

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self.parts:
            yield part


def mock_client(
    body: bytes, content_type: str, *, seed: int | None = None, seen: list[httpx2.Request] | None = None
) -> httpx2.AsyncClient:
    """An httpx2 client whose every answer is `body`, sent whole or in small pieces."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        if seen is not None:
            seen.append(request)
        return httpx2.Response(
            200, headers={"content-type": content_type}, stream=_Body(list(pieces(body, seed)))
        )

    return httpx2.AsyncClient(transport=httpx2.MockTransport(handler))


@dataclass
class Replay:
    """What our client made of a recording: the result and, for a stream, the deltas on the way."""

    result: ChatResult
    text_deltas: str = ""
    thinking_deltas: str = ""
    requests: list[httpx2.Request] = field(default_factory=list)


def _api_option(rec: Recording) -> dict[str, Any]:
    return {"api": "chat"} if rec.provider == "openai" and rec.api == "chat" else {}


async def replay(rec: Recording, *, seed: int | None = None, framing: str | None = None) -> Replay:
    """Our client, end to end, on the recorded body: `chat` for a JSON body, `stream` for a stream."""
    seen: list[httpx2.Request] = []
    if rec.streamed:
        http = mock_client(rec.wire(framing), "text/event-stream", seed=seed, seen=seen)
    else:
        http = mock_client(rec.path.read_bytes(), "application/json", seed=seed, seen=seen)
    async with http:
        client = AsyncClient(
            http_client=http,
            max_retries=0,
            api_keys={rec.provider: KEY},
            settings={"vertex": {"api_key": KEY}},
        )
        model = request_model(rec.provider)
        if not rec.streamed:
            result = await client.chat(model, "hi", **_api_option(rec))
            return Replay(result=result, requests=seen)
        out = Replay(result=None, requests=seen)  # type: ignore[arg-type]
        async for event in client.stream(model, "hi", **_api_option(rec)):
            if isinstance(event, TextDelta):
                out.text_deltas += event.text
            elif isinstance(event, ThinkingDelta):
                out.thinking_deltas += event.text
            elif isinstance(event, Done):
                out.result = event.result
        assert out.result is not None, "the stream ended without Done"
        return out


def decode(rec: Recording, codec: Any, request: Any, *, framing: str | None = None) -> tuple[ChatResult, str]:
    """The codec alone: a JSON body through `parse`, a stream's SSE events through its decoder."""
    if not rec.streamed:
        return codec.parse(rec.payload(), request), ""
    response = httpx2.Response(
        200,
        headers={"content-type": "text/event-stream"},
        content=rec.wire(framing),
        request=httpx2.Request("POST", "https://recorded.invalid/"),
    )
    decoder = codec.decoder(request)
    deltas = ""
    for event in httpx2.EventSource(response):
        if event.event == "ping":
            continue
        deltas += "".join(d.text for d in decoder.feed(event.event, event.data) if isinstance(d, TextDelta))
        if decoder.done and not getattr(decoder, "reads_to_end", False):
            break
    assert decoder.done, f"{rec.file}: the decoder never saw the stream's final event"
    return decoder.result(), deltas


def conversation(*turns: Message | ChatResult) -> list[Message]:
    """Turns as messages (a result becomes the assistant turn it adds)."""
    out: list[Message] = []
    for turn in turns:
        out += turn.to_messages() if isinstance(turn, ChatResult) else [turn]
    return out
