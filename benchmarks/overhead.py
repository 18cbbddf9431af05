"""Client overhead against raw httpx2 and the peers, on one loopback server, in one interleaved run.

The sandbox is served over TCP (`python -m providers.sandbox`, no pacing) and every client talks to it
with the same request body, so what differs is the client's own work. Contenders: raw httpx2 (the
limit: a POST, `json.loads`, or line iteration plus `json.loads` for a stream), `providers.AsyncClient`,
`LLMKit` (sync), the official openai and anthropic SDKs, and LiteLLM (`pip install -e '.[bench]'`).

    python benchmarks/overhead.py                 # the full run (several minutes on 2 cores)
    python benchmarks/overhead.py --quick         # a smaller run to check it works

Measured:
- sequential calls, round-robin across contenders: median and p95 latency, CPU per call (this process;
  the server is another process), OpenAI Chat Completions and Anthropic Messages;
- streaming: deltas per second on a 20,000-delta answer (the `x-sandbox-answer-words` header);
- 1,000 concurrent calls: wall time and RSS growth, each contender in a fresh process, rounds interleaved;
- a map of 10,000 prompts at the same concurrency: raw httpx2 (N workers over a queue) vs kit.map and
  AsyncClient.map, each in a fresh process.
Ratios are against raw httpx2 in the same run. Timings vary by machine; the ratios are the point. On a
shared or busy machine wall times wander (each workload's median over the rounds is shown): the CPU
columns (this process only) are the steadier measure of the client's own work.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from importlib import metadata
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # else litellm fetches a price list at import

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OPENAI_MODEL = "gpt-6.1-terra"
ANTHROPIC_MODEL = "claude-haiku-5-5"
KEY = "sk-bench-not-secret"
PROMPT = "Classify the sentiment of: the soup was cold but the staff were lovely."
CHAT_BODY = {"model": OPENAI_MODEL, "messages": [{"role": "user", "content": PROMPT}]}
MESSAGES_BODY = {
    "model": ANTHROPIC_MODEL,
    "max_tokens": 1024,
    "messages": [{"role": "user", "content": PROMPT}],
    "thinking": {"type": "disabled"},
}
WORDS_HEADER = "x-sandbox-answer-words"


# --- the server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "providers.sandbox", "--port", str(port), "--delay", "0"]
    proc = subprocess.Popen([*cmd, "--log-level", "warning"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    import httpx2

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx2.TransportError):
            if httpx2.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("the sandbox server did not start")


# --- contenders ------------------------------------------------------------------------------------


class Contender:
    """One client: `call()` makes one chat call, `stream(words)` streams and returns the delta count."""

    name = ""
    sync = False

    async def setup(self, url: str, words: int = 0) -> None: ...

    async def call(self) -> str:
        raise NotImplementedError

    async def stream(self, words: int) -> int:
        raise NotImplementedError

    async def close(self) -> None: ...


class Raw(Contender):
    name = "raw httpx2"

    def __init__(self, api: str = "openai") -> None:
        self.api = api
        self.name = "raw httpx2" if api == "openai" else "raw httpx2 (anthropic)"

    async def setup(self, url: str, words: int = 0) -> None:
        import httpx2

        self.http = httpx2.AsyncClient(
            timeout=httpx2.Timeout(600.0, connect=5.0),
            limits=httpx2.Limits(max_connections=100, max_keepalive_connections=20),
        )
        if self.api == "openai":
            self.url = f"{url}/openai/v1/chat/completions"
            self.headers = {"authorization": f"Bearer {KEY}"}
            self.body: dict[str, Any] = CHAT_BODY
        else:
            self.url = f"{url}/anthropic/v1/messages"
            self.headers = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}
            self.body = MESSAGES_BODY

    async def call(self, prompt: str | None = None) -> str:
        body = (
            self.body if prompt is None else {**self.body, "messages": [{"role": "user", "content": prompt}]}
        )
        r = await self.http.post(self.url, json=body, headers=self.headers)
        r.raise_for_status()
        data = json.loads(r.content)
        if self.api == "openai":
            return str(data["choices"][0]["message"]["content"])
        return "".join(b.get("text", "") for b in data["content"])

    async def stream(self, words: int) -> int:
        body = {**CHAT_BODY, "stream": True, "stream_options": {"include_usage": True}}
        headers = {**self.headers, WORDS_HEADER: str(words)}
        n, parts = 0, []
        async with self.http.stream("POST", self.url, json=body, headers=headers) as r:
            async for line in r.aiter_lines():
                if not line.startswith("data: "):
                    continue
                data = line[6:]
                if data == "[DONE]":
                    break
                for choice in json.loads(data)["choices"]:
                    if text := choice["delta"].get("content"):
                        n += 1
                        parts.append(text)
        "".join(parts)
        return n

    async def close(self) -> None:
        await self.http.aclose()


class Ours(Contender):
    name = "AsyncClient"

    def __init__(self, api: str = "openai") -> None:
        self.api = api
        self.name = "AsyncClient" if api == "openai" else "AsyncClient (anthropic)"

    async def setup(self, url: str, words: int = 0) -> None:
        from providers.client import AsyncClient

        keys = {"openai": KEY, "anthropic": KEY}
        bases = {"openai": f"{url}/openai/v1", "anthropic": f"{url}/anthropic"}
        self.client = AsyncClient(api_keys=keys, base_urls=bases)
        # the long answer is asked for with a header: our calls take no per-call headers, so a second
        # client whose httpx2 client sends it (the SDK contenders pass the same header as extra_headers)
        self.streamer = AsyncClient(api_keys=keys, base_urls=bases, http_client=_words_client(words))

    async def call(self, prompt: str | None = None) -> str:
        if self.api == "openai":
            r = await self.client.chat(f"openai/{OPENAI_MODEL}", prompt or PROMPT, api="chat")
        else:
            r = await self.client.chat(
                f"anthropic/{ANTHROPIC_MODEL}", prompt or PROMPT, max_tokens=1024, thinking="none"
            )
        return r.text

    async def stream(self, words: int) -> int:
        from providers.types import TextDelta

        n = 0
        async for event in self.streamer.stream(f"openai/{OPENAI_MODEL}", PROMPT, api="chat"):
            if isinstance(event, TextDelta):
                n += 1
        return n

    async def close(self) -> None:
        await self.client.aclose()
        await self.streamer.aclose()


def _words_client(words: int) -> Any:
    from providers.transport import default_http_client

    http = default_http_client()
    http.headers[WORDS_HEADER] = str(words)
    return http


class Kit(Contender):
    name = "LLMKit (sync)"
    sync = True

    async def setup(self, url: str, words: int = 0) -> None:
        from llmkit_nb import LLMKit

        self.kit = LLMKit(api_keys={"openai": KEY}, base_urls={"openai": f"{url}/openai/v1"})
        self.streamer = LLMKit(
            api_keys={"openai": KEY},
            base_urls={"openai": f"{url}/openai/v1"},
            http_client=_words_client(words),
        )

    def call_sync(self) -> str:
        return self.kit.chat(f"openai/{OPENAI_MODEL}", PROMPT, api="chat").text

    def stream_sync(self, words: int) -> int:
        with contextlib.redirect_stdout(io.StringIO()):  # a script prints the deltas; keep that cheap
            r = self.streamer.chat(f"openai/{OPENAI_MODEL}", PROMPT, api="chat", stream=True)
        return len(r.text.split())

    async def close(self) -> None:
        self.kit.close()
        self.streamer.close()


class OpenAISDK(Contender):
    name = "openai SDK"

    async def setup(self, url: str, words: int = 0) -> None:
        import openai

        self.client = openai.AsyncOpenAI(base_url=f"{url}/openai/v1", api_key=KEY)

    async def call(self) -> str:
        r = await self.client.chat.completions.create(model=OPENAI_MODEL, messages=CHAT_BODY["messages"])
        return r.choices[0].message.content or ""

    async def stream(self, words: int) -> int:
        n = 0
        s = await self.client.chat.completions.create(
            model=OPENAI_MODEL,
            messages=CHAT_BODY["messages"],
            stream=True,
            stream_options={"include_usage": True},
            extra_headers={WORDS_HEADER: str(words)},
        )
        async for chunk in s:
            for choice in chunk.choices:
                if choice.delta.content:
                    n += 1
        return n

    async def close(self) -> None:
        await self.client.close()


class AnthropicSDK(Contender):
    name = "anthropic SDK"

    async def setup(self, url: str, words: int = 0) -> None:
        import anthropic

        self.client = anthropic.AsyncAnthropic(base_url=f"{url}/anthropic", api_key=KEY)

    async def call(self) -> str:
        r = await self.client.messages.create(**MESSAGES_BODY)
        return "".join(getattr(b, "text", "") for b in r.content)

    async def close(self) -> None:
        await self.client.close()


class LiteLLM(Contender):
    name = "LiteLLM"

    async def setup(self, url: str, words: int = 0) -> None:
        import litellm

        litellm.telemetry = False
        litellm.suppress_debug_info = True
        self.litellm = litellm
        self.base = f"{url}/openai/v1"

    async def call(self) -> str:
        r = await self.litellm.acompletion(
            model=f"openai/{OPENAI_MODEL}", messages=CHAT_BODY["messages"], api_base=self.base, api_key=KEY
        )
        return str(r.choices[0].message.content)

    async def stream(self, words: int) -> int:
        n = 0
        s = await self.litellm.acompletion(
            model=f"openai/{OPENAI_MODEL}",
            messages=CHAT_BODY["messages"],
            api_base=self.base,
            api_key=KEY,
            stream=True,
            extra_headers={WORDS_HEADER: str(words)},
        )
        async for chunk in s:
            for choice in chunk.choices:
                if choice.delta.content:
                    n += 1
        return n


def available(names: list[str]) -> list[Contender]:
    """The contenders whose library is installed (LiteLLM is the `bench` extra)."""
    out: list[Contender] = []
    for make, module in (
        (lambda: Raw(), None),
        (lambda: Ours(), None),
        (lambda: Kit(), None),
        (lambda: OpenAISDK(), "openai"),
        (lambda: LiteLLM(), "litellm"),
        (lambda: Raw("anthropic"), None),
        (lambda: Ours("anthropic"), None),
        (lambda: AnthropicSDK(), "anthropic"),
    ):
        if module is not None:
            try:
                metadata.version(module)
            except metadata.PackageNotFoundError:
                continue
        c = make()
        if not names or c.name in names:
            out.append(c)
    return out


async def _timed(fn: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    await fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def timed(loop: asyncio.AbstractEventLoop, c: Contender) -> tuple[float, float]:
    """Wall and CPU seconds of one call: an async client's measured inside the loop, the sync kit's
    from plain synchronous code (as a script calls it)."""
    if isinstance(c, Kit):
        cpu, wall = time.process_time(), time.perf_counter()
        c.call_sync()
        return time.perf_counter() - wall, time.process_time() - cpu
    return loop.run_until_complete(_timed(c.call))


def timed_stream(loop: asyncio.AbstractEventLoop, c: Contender, words: int) -> float:
    start = time.perf_counter()
    n = c.stream_sync(words) if isinstance(c, Kit) else loop.run_until_complete(c.stream(words))
    if n < words * 0.99:
        raise SystemExit(f"{c.name} streamed {n} deltas, expected {words}")
    return time.perf_counter() - start


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


_ORDER = random.Random(20261204)


def rotate(items: list[Any], i: int) -> list[Any]:
    """A fresh order every round (seeded): a contender that leaves work behind (LiteLLM's logging
    tasks and threads) must not always slow the same neighbour down."""
    order = list(items)
    _ORDER.shuffle(order)
    return order


def sequential(url: str, calls: int, streams: int, words: int) -> dict[str, dict[str, float]]:
    """Round-robin: call i goes to every contender, in a shuffled order, so drift hits all alike."""
    loop = asyncio.new_event_loop()
    contenders = available([])
    for c in contenders:
        loop.run_until_complete(c.setup(url, words))
    for c in contenders:  # warm up: connections, lazy imports, caches
        for _ in range(20):
            timed(loop, c)
    wall: dict[str, list[float]] = {c.name: [] for c in contenders}
    cpu: dict[str, list[float]] = {c.name: [] for c in contenders}
    for i in range(calls):
        for c in rotate(contenders, i):
            w, p = timed(loop, c)
            wall[c.name].append(w)
            cpu[c.name].append(p)
    streamers = [
        c for c in contenders if getattr(c, "api", "openai") == "openai" and not isinstance(c, AnthropicSDK)
    ]
    stream_wall: dict[str, list[float]] = {c.name: [] for c in streamers}
    for i in range(streams):
        for c in rotate(streamers, i):
            stream_wall[c.name].append(timed_stream(loop, c, words))
    for c in contenders:
        loop.run_until_complete(c.close())
    loop.close()
    out: dict[str, dict[str, float]] = {}
    for c in contenders:
        out[c.name] = {
            "median_ms": statistics.median(wall[c.name]) * 1000,
            "p95_ms": pct(wall[c.name], 0.95) * 1000,
            "cpu_us": statistics.mean(cpu[c.name]) * 1e6,
        }
        if stream_wall.get(c.name):
            out[c.name]["deltas_per_s"] = words / statistics.median(stream_wall[c.name])
    return out


# --- one workload in a fresh process (RSS growth needs a clean process) ------------------------------


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise SystemExit(f"no {field} in /proc/self/status (the memory figures need Linux)")


def rss_mb() -> float:
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    """The peak RSS of this process image (VmHWM; unlike ru_maxrss it is not inherited across exec)."""
    return _status_mb("VmHWM")


async def worker(kind: str, who: str, url: str, n: int, concurrency: int) -> dict[str, float]:
    prompts = [f"Classify item {i}: positive or negative?" for i in range(n)]
    contender = {"raw": Raw(), "async": Ours(), "kit": Kit(), "openai": OpenAISDK(), "litellm": LiteLLM()}[
        who
    ]
    await contender.setup(url)
    for _ in range(5):
        if isinstance(contender, Kit):
            contender.call_sync()
        else:
            await contender.call()
    base = rss_mb()
    cpu, start = time.process_time(), time.perf_counter()
    if kind == "concurrent":
        if isinstance(contender, Kit):
            raise SystemExit("LLMKit is synchronous: the concurrent run is AsyncClient's")
        results = await asyncio.gather(*(contender.call() for _ in range(n)))
        assert len(results) == n
    elif who == "raw":
        queue = iter(enumerate(prompts))  # (shared: each worker takes the next prompt and its index)
        done: list[str] = [""] * n

        async def pull() -> None:
            for i, p in queue:
                done[i] = await contender.call(p)  # type: ignore[call-arg]

        await asyncio.gather(*(pull() for _ in range(concurrency)))
    elif who == "async":
        rows = await contender.client.map(  # type: ignore[attr-defined]
            prompts, model=f"openai/{OPENAI_MODEL}", concurrency=concurrency, api="chat"
        )
        assert len(rows.errors) == 0, rows.errors[:3]
    elif who == "kit":
        rows = contender.kit.map(  # type: ignore[attr-defined]
            prompts, model=f"openai/{OPENAI_MODEL}", concurrency=concurrency, api="chat", progress=False
        )
        assert len(rows.errors) == 0, rows.errors[:3]
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    result = {"wall_s": wall, "cpu_s": cpu, "rss_growth_mb": max(0.0, peak_rss_mb() - base)}
    await contender.close()
    return result


def in_process(kind: str, who: str, url: str, n: int, concurrency: int) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--worker", kind, who, url, str(n), str(concurrency)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{who} {kind} failed:\n{out.stderr[-2000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def rounds(kind: str, who: list[str], url: str, n: int, concurrency: int, times: int) -> dict[str, Any]:
    runs: dict[str, list[dict[str, float]]] = {w: [] for w in who}
    for i in range(times):
        for w in rotate(who, i):
            runs[w].append(in_process(kind, w, url, n, concurrency))
    return {w: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for w, rs in runs.items() if rs}


# --- the report ------------------------------------------------------------------------------------


def versions() -> str:
    names = ["httpx2", "openai", "anthropic", "litellm", "pydantic"]
    got = []
    for name in names:
        with contextlib.suppress(metadata.PackageNotFoundError):
            got.append(f"{name} {metadata.version(name)}")
    return ", ".join(got)


def report(seq: dict[str, Any], conc: dict[str, Any], maps: dict[str, Any], args: argparse.Namespace) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        f"Python {platform.python_version()} on {platform.system()} {cpu}, {os.cpu_count()} cores; {versions()}",
        f"`python benchmarks/overhead.py{' --quick' if args.quick else ''}`: {args.calls} sequential calls "
        f"per client (round-robin), {args.streams} streams of {args.words:,} deltas, "
        f"{args.concurrent:,} concurrent calls and a {args.map:,}-prompt map at concurrency {args.concurrency} "
        f"({args.rounds} rounds, fresh process each). Ratios: against raw httpx2 in the same run (lower is faster).",
        "",
        "| client | per call (median) | p95 | CPU per call | stream deltas/s | stream time |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for api, raw_name in (("openai", "raw httpx2"), ("anthropic", "raw httpx2 (anthropic)")):
        raw = seq.get(raw_name)
        if raw is None:
            continue
        for name, row in seq.items():
            is_anthropic = "anthropic" in name
            if is_anthropic != (api == "anthropic"):
                continue
            stream = ""
            if "deltas_per_s" in row and "deltas_per_s" in raw:
                stream = f"{row['deltas_per_s']:,.0f} | {raw['deltas_per_s'] / row['deltas_per_s']:.2f}x"
            else:
                stream = " | "
            lines.append(
                f"| {name} | {row['median_ms']:.2f} ms ({row['median_ms'] / raw['median_ms']:.2f}x) "
                f"| {row['p95_ms']:.2f} ms ({row['p95_ms'] / raw['p95_ms']:.2f}x) "
                f"| {row['cpu_us']:.0f} µs ({row['cpu_us'] / raw['cpu_us']:.2f}x) | {stream} |"
            )
    if conc or maps:
        lines += ["", "| workload | client | wall | CPU | RSS growth |", "|---|---|---:|---:|---:|"]
    for title, table in ((f"{args.concurrent:,} concurrent calls", conc), (f"map of {args.map:,}", maps)):
        raw = table.get("raw")
        for who, row in table.items():
            wall = f"{row['wall_s']:.2f} s" + (f" ({row['wall_s'] / raw['wall_s']:.2f}x)" if raw else "")
            cpu = f"{row['cpu_s']:.2f} s" + (f" ({row['cpu_s'] / raw['cpu_s']:.2f}x)" if raw else "")
            lines.append(f"| {title} | {LABELS[who]} | {wall} | {cpu} | {row['rss_growth_mb']:.0f} MB |")
    return "\n".join(lines)


LABELS = {
    "raw": "raw httpx2",
    "async": "AsyncClient",
    "kit": "LLMKit",
    "openai": "openai SDK",
    "litellm": "LiteLLM",
}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        kind, who, url, n, concurrency = sys.argv[2:7]
        print(json.dumps(asyncio.run(worker(kind, who, url, int(n), int(concurrency)))))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=400, help="sequential calls per client")
    parser.add_argument("--streams", type=int, default=5, help="streams per client")
    parser.add_argument("--words", type=int, default=20_000, help="deltas per stream")
    parser.add_argument("--concurrent", type=int, default=1000, help="calls in flight at once")
    parser.add_argument("--map", type=int, default=10_000, help="prompts in the map")
    parser.add_argument("--concurrency", type=int, default=16, help="the map's concurrency")
    parser.add_argument("--rounds", type=int, default=5, help="fresh-process rounds per contender")
    parser.add_argument("--quick", action="store_true", help="a small run: checks the benchmark works")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: seq,concurrent,map")
    args = parser.parse_args()
    if args.quick:
        args.calls, args.streams, args.words, args.concurrent, args.map, args.rounds = (
            60,
            1,
            2000,
            200,
            500,
            1,
        )
    skip = set(filter(None, args.skip.split(",")))
    proc, url = start_server()
    try:
        seq = {} if "seq" in skip else sequential(url, args.calls, args.streams, args.words)
        peers = [w for w in ("raw", "async", "openai", "litellm") if w != "litellm" or _has("litellm")]
        conc = (
            {} if "concurrent" in skip else rounds("concurrent", peers, url, args.concurrent, 0, args.rounds)
        )
        maps = (
            {}
            if "map" in skip
            else rounds("map", ["raw", "async", "kit"], url, args.map, args.concurrency, args.rounds)
        )
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(report(seq, conc, maps, args))


def _has(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


if __name__ == "__main__":
    main()
