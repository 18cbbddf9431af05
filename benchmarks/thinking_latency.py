"""Time to first reasoning token and to the answer, per thinking provider.

Always measured against the in-process sandbox (zero pacing), which is the toolkit's own overhead:
request building, the streaming transport, SSE parsing and decoding. Measured live for every
provider whose key is set (the plan asked for Gemini vs OpenAI). Never fails for a missing key.

    python benchmarks/thinking_latency.py [-n 5] [--effort low] [--live]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

from providers.client import AsyncClient
from providers.registry import list_models, list_provider_specs
from providers.types import Done, TextDelta, ThinkingDelta

PREFERRED = {
    "openai": "gpt-6.1-terra",
    "anthropic": "claude-sonnet-5-5",
    "gemini": "gemini-3.8-flash",
    "vertex": "gemini-3.8-flash",
    "deepseek": "deepseek-flash",
    "xai": "grok-4.7",
    "mistral": "mistral-medium-3-5",
}
PROMPT = (
    "A bat and a ball cost $1.10 together; the bat costs $1.00 more than the ball. What does the ball cost?"
)


def thinking_models() -> list[str]:
    out = []
    for spec in list_provider_specs():
        if not spec.thinking or "chat" not in spec.modalities or spec.status != "available":
            continue
        ids = {m.id for m in list_models(spec.name, thinking=True)}
        model = PREFERRED.get(spec.name) if PREFERRED.get(spec.name) in ids else next(iter(sorted(ids)), None)
        if model:
            out.append(f"{spec.name}/{model}")
    return out


async def one(client: AsyncClient, model: str, effort: str) -> tuple[float | None, float | None, float]:
    start = time.perf_counter()
    first_thought = first_text = None
    async for event in client.stream(model, PROMPT, thinking=effort):
        now = time.perf_counter() - start
        if isinstance(event, ThinkingDelta) and first_thought is None:
            first_thought = now
        elif isinstance(event, TextDelta) and first_text is None:
            first_text = now
        elif isinstance(event, Done):
            return first_thought, first_text, now
    raise RuntimeError("stream ended without a result")


def fmt(values: list[float | None]) -> str:
    got = [v for v in values if v is not None]
    return f"{statistics.median(got) * 1000:.1f}" if got else "–"


async def run(
    models: list[str], *, sandbox: bool, runs: int, effort: str
) -> list[tuple[str, str, str, str, str]]:
    rows = []
    async with AsyncClient(sandbox=sandbox) as client:
        for model in models:
            try:
                samples = [await one(client, model, effort) for _ in range(runs)]
            except Exception as exc:  # a benchmark row, not a crash: report and go on
                rows.append((model, "sandbox" if sandbox else "live", "error", type(exc).__name__, ""))
                continue
            rows.append(
                (
                    model,
                    "sandbox" if sandbox else "live",
                    fmt([s[0] for s in samples]),
                    fmt([s[1] for s in samples]),
                    fmt([s[2] for s in samples]),
                )
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--runs", type=int, default=5)
    parser.add_argument("--effort", default="low")
    args = parser.parse_args()
    models = thinking_models()
    rows = asyncio.run(run(models, sandbox=True, runs=args.runs, effort=args.effort))
    keyed = [m for m in models if any(os.environ.get(v) for v in _env(m))]
    if keyed:
        rows += asyncio.run(run(keyed, sandbox=False, runs=max(1, args.runs // 2), effort=args.effort))
    skipped = sorted(set(models) - set(keyed))
    print(f"median of {args.runs} streamed calls, thinking={args.effort!r}, milliseconds\n")
    print("| model | where | first reasoning token | first answer token | done |")
    print("|---|---|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if skipped:
        print(f"\nlive skipped (no key): {', '.join(skipped)}")


def _env(model: str) -> tuple[str, ...]:
    name = model.split("/", 1)[0]
    return next((s.env for s in list_provider_specs() if s.name == name), ())


if __name__ == "__main__":
    main()
