"""Per-turn overhead of the tool loop against raw httpx2 doing the same requests by hand.

The sandbox is served over TCP (`python -m providers.sandbox`, no pacing). One loop = two turns: the
model calls `convert`, the tool runs, its result goes back, the model answers. Raw httpx2 does exactly
that by hand -- POST, `json.loads`, find the call, run the function, replay the output items plus a
`function_call_output` (Responses) or the assistant message plus a `role: "tool"` message (Chat), POST
again -- with the same bodies our client sends (taken from `AsyncClient.prepare`). Contenders run
round-robin, so machine noise hits them alike.

    python benchmarks/tool_loop.py            # 300 loops per contender and dialect
    python benchmarks/tool_loop.py --quick    # 40

Reported per dialect: median and p95 wall time per loop, CPU per loop (this process; the server is
another process), and the overhead per turn against raw httpx2: (ours - raw) / 2.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KEY = "sk-bench-not-secret"
PROMPT = "How many ft is 3.2 km?"
METRES = {"m": 1.0, "km": 1000.0, "ft": 0.3048}
DIALECTS = {  # name: (model, extra kwargs)
    "openai responses": ("openai/gpt-6.1-terra", {"thinking": "low"}),
    "deepseek chat": ("deepseek/deepseek-flash", {"thinking": "high"}),
}


def convert(value: float, from_unit: Literal["m", "km", "ft"], to_unit: Literal["m", "km", "ft"]) -> float:
    """Convert a length between units."""
    return round(value * METRES[from_unit] / METRES[to_unit], 3)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    import httpx2

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "providers.sandbox", "--port", str(port), "--delay", "0"]
    proc = subprocess.Popen([*cmd, "--log-level", "warning"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx2.TransportError):
            if httpx2.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("the sandbox server did not start")


# --- raw httpx2, by hand ------------------------------------------------------------------------------


def first_body(client: Any, model: str, kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The URL and body our client sends for the first turn (so raw sends the very same)."""
    from providers.tools import as_tool

    prep = client.prepare(model, PROMPT, tools=[as_tool(convert).spec()], **kwargs)
    return prep.call.url, dict(prep.call.json_body)


async def raw_responses(http: Any, url: str, body: dict[str, Any]) -> str:
    reply = await http.post(url, json=body, headers={"authorization": f"Bearer {KEY}"})
    data = json.loads(reply.content)
    output = data["output"]
    calls = [item for item in output if item["type"] == "function_call"]
    results = [
        {
            "type": "function_call_output",
            "call_id": c["call_id"],
            "output": json.dumps(convert(**json.loads(c["arguments"]))),
        }
        for c in calls
    ]
    second = {**body, "input": [*body["input"], *output, *results]}
    reply = await http.post(url, json=second, headers={"authorization": f"Bearer {KEY}"})
    data = json.loads(reply.content)
    return "".join(c["text"] for item in data["output"] if item["type"] == "message" for c in item["content"])


async def raw_chat(http: Any, url: str, body: dict[str, Any]) -> str:
    reply = await http.post(url, json=body, headers={"authorization": f"Bearer {KEY}"})
    message = json.loads(reply.content)["choices"][0]["message"]
    calls = message["tool_calls"]
    turn = {"role": "assistant", "content": message.get("content") or None, "tool_calls": calls}
    turn["reasoning_content"] = message.get("reasoning_content") or ""
    results = [
        {
            "role": "tool",
            "tool_call_id": c["id"],
            "content": json.dumps(convert(**json.loads(c["function"]["arguments"]))),
        }
        for c in calls
    ]
    second = {**body, "messages": [*body["messages"], turn, *results]}
    reply = await http.post(url, json=second, headers={"authorization": f"Bearer {KEY}"})
    return str(json.loads(reply.content)["choices"][0]["message"]["content"])


# --- the run --------------------------------------------------------------------------------------


async def timed(fn: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    await fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def summary(samples: list[tuple[float, float]]) -> dict[str, float]:
    walls = sorted(w for w, _ in samples)
    return {
        "median_ms": statistics.median(walls) * 1000,
        "p95_ms": walls[int(0.95 * (len(walls) - 1))] * 1000,
        "cpu_ms": statistics.mean(c for _, c in samples) * 1000,
    }


async def bench(url: str, loops: int) -> dict[str, dict[str, dict[str, float]]]:
    import httpx2

    from providers.client import AsyncClient

    base_urls = {"openai": f"{url}/openai/v1", "deepseek": f"{url}/deepseek"}
    keys = {"openai": KEY, "deepseek": KEY}
    out: dict[str, dict[str, dict[str, float]]] = {}
    async with AsyncClient(base_urls=base_urls, api_keys=keys) as client, httpx2.AsyncClient() as http:
        for name, (model, kwargs) in DIALECTS.items():
            target, body = first_body(client, model, kwargs)
            raw = raw_responses if "responses" in name else raw_chat

            async def ours(model: str = model, kwargs: dict[str, Any] = kwargs) -> None:
                r = await client.chat(model, PROMPT, tools=[convert], **kwargs)
                assert r.tool_calls[0].ok and len(r.steps) == 2, r.tool_calls

            async def by_hand(raw: Any = raw, target: str = target, body: dict[str, Any] = body) -> None:
                assert "convert returned" in await raw(http, target, body)

            for fn in (ours, by_hand):  # warm up connections and caches
                await fn()
            samples: dict[str, list[tuple[float, float]]] = {"raw httpx2": [], "AsyncClient loop": []}
            for _ in range(loops):
                samples["raw httpx2"].append(await timed(by_hand))
                samples["AsyncClient loop"].append(await timed(ours))
            out[name] = {k: summary(v) for k, v in samples.items()}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="40 loops instead of 300")
    args = parser.parse_args()
    loops = 40 if args.quick else 300
    proc, url = start_server()
    try:
        results = asyncio.run(bench(url, loops))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(
        f"tool loop (2 turns + 1 tool call), {loops} loops each, Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} cores"
    )
    for dialect, rows in results.items():
        raw = rows["raw httpx2"]
        print(f"\n{dialect}")
        print(f"  {'contender':<18}{'median ms':>11}{'p95 ms':>9}{'cpu ms':>9}{'per turn vs raw':>17}")
        for name, row in rows.items():
            extra = (row["median_ms"] - raw["median_ms"]) / 2
            per_turn = "" if name == "raw httpx2" else f"{extra:+.2f} ms"
            print(
                f"  {name:<18}{row['median_ms']:>11.2f}{row['p95_ms']:>9.2f}{row['cpu_ms']:>9.2f}{per_turn:>17}"
            )


if __name__ == "__main__":
    main()
