"""Batch: the toolkit's own cost per request around a provider batch, on the in-process sandbox.

For each batch API, N prompts go through the whole path: `prepare_batch` (every request checked and
built by the chat codec, the JSONL file written), submit (upload + create; the sandbox answers every
request here), the polls, and `results()` (download, parse each line with the chat codec, join on
custom_id). The sandbox polls at once (no backoff wait), so the times are the toolkit's and the
emulator's work, not a provider's queue. Prints one row per provider with microseconds per request.

    python benchmarks/batch.py [-n 10000] [--provider openai ...]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from providers.client import AsyncClient
from providers.jobs import JobTiming

MODELS = {
    "openai": "openai/gpt-6.1-terra",
    "anthropic": "anthropic/claude-haiku-5-5",
    "gemini": "gemini/gemini-3.8-flash",
    "mistral": "mistral/mistral-small-2603",
}


async def one(model: str, n: int) -> dict[str, float]:
    async with AsyncClient(sandbox=True) as client:
        client.batches.timing = JobTiming(first_s=0.0, factor=1.0, max_s=0.0, jitter=0.0)
        prompts = [f"Classify item {i}: is it any good?" for i in range(n)]
        t0 = time.perf_counter()
        plan = client.prepare_batch(prompts, model=model)
        t1 = time.perf_counter()
        job = await client.batch(plan, model=model)
        t2 = time.perf_counter()
        await job.wait()
        t3 = time.perf_counter()
        results = await job.results()
        t4 = time.perf_counter()
        assert len(results) == n and not results.errors, results.counts()
        return {"prepare": t1 - t0, "submit": t2 - t1, "polls": t3 - t2, "results": t4 - t3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="prompts per batch")
    parser.add_argument("--provider", action="append", choices=sorted(MODELS), help="only these providers")
    args = parser.parse_args()
    names = args.provider or sorted(MODELS)
    print(f"{args.n:,} prompts per batch, in-process sandbox; µs per request (seconds in total)")
    print(f"{'provider':10} {'prepare':>16} {'submit+sandbox':>16} {'polls':>16} {'results':>16}")
    for name in names:
        times = asyncio.run(one(MODELS[name], args.n))
        cells = [f"{t / args.n * 1e6:7.0f} ({t:5.2f} s)" for t in times.values()]
        print(f"{name:10} " + " ".join(f"{c:>16}" for c in cells))


if __name__ == "__main__":
    main()
