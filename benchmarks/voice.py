"""Voice: time to first audio byte and transcription overhead, ours against raw httpx2.

Against the sandbox server (`python -m providers.sandbox`, started here on a free loopback port,
no pacing) the same requests go out twice: once as hand-written httpx2 calls (the floor), once
through `AsyncClient` (validation, request building, the retrying transport, sniffing and parsing).
The difference is the toolkit's overhead. With keys set the same comparison runs live:
ELEVENLABS_API_KEY (time to first audio byte per latency tier), DEEPGRAM_API_KEY (speak and
transcribe). It prints a table and never fails for a missing key.

    python benchmarks/voice.py [-n 15] [--no-live]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2

from providers.audio.types import Latency
from providers.client import AsyncClient

ROOT = Path(__file__).resolve().parents[1]
TEXT = "The quick brown fox jumps over the lazy dog. Voices should start fast."
GEORGE = "JBFqnCBsd6RMkjVDRZzb"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sandbox() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "providers.sandbox",
            "--port",
            str(port),
            "--delay",
            "0",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx2.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the sandbox server did not start")


async def raw_speak(
    http: httpx2.AsyncClient, base: str, key: str, latency: Latency | None
) -> tuple[float, float]:
    """(time to first byte, total) of a hand-written ElevenLabs /stream request."""
    params = {"output_format": "pcm_24000"}
    if latency is not None:
        params["optimize_streaming_latency"] = str(latency.level)
    start = time.perf_counter()
    first = None
    async with http.stream(
        "POST",
        f"{base}/v1/text-to-speech/{GEORGE}/stream",
        params=params,
        headers={"xi-api-key": key},
        json={"text": TEXT, "model_id": "eleven_flash_v2_5"},
    ) as response:
        response.raise_for_status()
        async for chunk in response.aiter_bytes():
            if chunk and first is None:
                first = time.perf_counter() - start
    return first or 0.0, time.perf_counter() - start


async def ours_speak(client: AsyncClient, latency: Latency | None) -> tuple[float, float]:
    start = time.perf_counter()
    speech = await client.speak(TEXT, output_format="pcm_24000", latency=latency, stream=True)
    return speech.ttfb_s or 0.0, time.perf_counter() - start


async def raw_listen(http: httpx2.AsyncClient, base: str, key: str, audio: bytes) -> float:
    start = time.perf_counter()
    response = await http.post(
        f"{base}/v1/listen",
        params={"model": "nova-3", "smart_format": "true"},
        headers={"authorization": f"Token {key}", "content-type": "audio/wav"},
        content=audio,
    )
    response.raise_for_status()
    response.json()
    return time.perf_counter() - start


async def ours_listen(client: AsyncClient, audio: bytes) -> float:
    start = time.perf_counter()
    await client.transcribe(audio, smart_format=True)
    return time.perf_counter() - start


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f}" if values else "      –"


def p90(values: list[float]) -> str:
    if not values:
        return "      –"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] * 1000:7.1f}"


async def compare(
    where: str, urls: dict[str, str], keys: dict[str, str], runs: int, tiers: list[Any]
) -> list[str]:
    rows: list[str] = []
    client = AsyncClient(base_urls=urls, api_keys=keys, max_retries=0)
    async with httpx2.AsyncClient(timeout=60) as http:
        if "elevenlabs" in urls:
            for tier in tiers:
                raw: list[tuple[float, float]] = []
                ours: list[tuple[float, float]] = []
                for i in range(runs + 1):  # the first round warms connections (and the sandbox's cache)
                    r = await raw_speak(http, urls["elevenlabs"], keys["elevenlabs"], tier)
                    o = await ours_speak(client, tier)
                    if i:
                        raw.append(r)
                        ours.append(o)
                name = tier.value if tier is not None else "(unset)"
                rows.append(
                    f"{where:<8} {'speak first byte ' + name:<40} {ms([r[0] for r in raw])} {ms([o[0] for o in ours])} "
                    f"{statistics.median([o[0] - r[0] for r, o in zip(raw, ours, strict=True)]) * 1000:+8.1f} {p90([o[0] for o in ours])}"
                )
        if "deepgram" in urls:
            speech = await client.speak(TEXT, model="deepgram/aura-2", output_format="wav_16000")
            raw_t, ours_t = [], []
            for i in range(runs + 1):
                r = await raw_listen(http, urls["deepgram"], keys["deepgram"], speech.audio)
                o = await ours_listen(client, speech.audio)
                if i:
                    raw_t.append(r)
                    ours_t.append(o)
            rows.append(
                f"{where:<8} {'transcribe (nova-3, whole)':<40} {ms(raw_t)} {ms(ours_t)} "
                f"{statistics.median([o - r for r, o in zip(raw_t, ours_t, strict=True)]) * 1000:+8.1f} {p90(ours_t)}"
            )
    await client.aclose()
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--runs", type=int, default=15)
    parser.add_argument("--no-live", action="store_true", help="only the sandbox server")
    args = parser.parse_args()

    header = f"{'where':<8} {'what':<40} {'raw ms':>7} {'ours ms':>7} {'overhead':>8} {'ours p90':>7}"
    rows: list[str] = []
    proc, url = start_sandbox()
    try:
        urls = {"elevenlabs": f"{url}/elevenlabs", "deepgram": f"{url}/deepgram"}
        keys = {"elevenlabs": "bench-key-elevenlabs", "deepgram": "bench-key-deepgram"}
        rows += await compare("sandbox", urls, keys, args.runs, [None, Latency.MAX_NO_NORMALIZER])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    skipped = []
    if not args.no_live:
        live_urls, live_keys = {}, {}
        for name, var, base in (
            ("elevenlabs", "ELEVENLABS_API_KEY", "https://api.elevenlabs.io"),
            ("deepgram", "DEEPGRAM_API_KEY", "https://api.deepgram.com"),
        ):
            if os.environ.get(var):
                live_urls[name], live_keys[name] = base, os.environ[var]
            else:
                skipped.append(f"{name} (set {var})")
        if live_urls:
            try:
                rows += await compare("live", live_urls, live_keys, max(3, args.runs // 3), [None, *Latency])
            except Exception as exc:  # a live hiccup is a line in the report, not a crash
                rows.append(f"live     error: {type(exc).__name__}: {exc}")
    print(f"voice benchmark, {args.runs} runs per row (medians; overhead = ours - raw, per paired run)")
    print(header)
    print("-" * len(header))
    for row in rows:
        print(row)
    if skipped:
        print("live skipped: " + ", ".join(skipped))
    print(
        "sandbox rows measure the toolkit's own cost over loopback HTTP (the sandbox synthesizes before the "
        "first byte, so 'first byte' includes its synthesis for raw and ours alike)."
    )


if __name__ == "__main__":
    asyncio.run(main())
