"""Cold import time of providers and llmkit_nb beside httpx2 and the official SDKs (and LiteLLM).

Each import runs in a fresh interpreter; the figure is the best of N runs minus the best bare
interpreter start, so it is the import's own cost. Run: `python benchmarks/import_time.py [-n 7]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
import subprocess
import sys
import time
from importlib import metadata

CANDIDATES = [
    ("providers", "import providers"),
    ("providers + client", "import providers.client"),
    ("llmkit_nb", "import llmkit_nb"),
    ("llmkit_nb + LLMKit()", "from llmkit_nb import LLMKit; LLMKit().close()"),
    ("httpx2", "import httpx2"),
    ("openai", "import openai"),
    ("anthropic", "import anthropic"),
    ("litellm", "import litellm"),
]


def _version_of(name: str) -> str:
    """' 3.60.0' for an installed distribution named like the row (llmkit-nb for our own rows)."""
    dist = "llmkit-nb" if name.startswith(("providers", "llmkit_nb")) else name
    try:
        return f" {metadata.version(dist)}"
    except metadata.PackageNotFoundError:
        return ""


def cold(statement: str, runs: int) -> float:
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PYTHONDONTWRITEBYTECODE": "1"}
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True, env=env, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--runs", type=int, default=7)
    args = parser.parse_args()
    base = cold("pass", args.runs)
    rows = []
    for name, statement in CANDIDATES:
        module = statement.split()[1].split(".")[0]
        if importlib.util.find_spec(module) is None:
            continue
        rows.append((name, (cold(statement, args.runs) - base) * 1000))
    by = dict(rows)
    print(
        f"Python {sys.version.split()[0]} on {platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d}; best of {args.runs} cold runs, interpreter start "
        f"({base * 1000:.0f} ms) subtracted\n"
    )
    print("| import | ms | vs httpx2 |")
    print("|---|---:|---:|")
    for name, ms in rows:
        ratio = f"{ms / by['httpx2']:.2f}x" if by.get("httpx2") else ""
        print(f"| `{name}`{_version_of(name)} | {ms:.0f} | {ratio} |")
    if "httpx2" in by and "openai" in by:
        print(
            f"\nTargets: `import providers` within 2x of httpx2 -> {by['providers'] / by['httpx2']:.2f}x; "
            f"`import llmkit_nb` at most 1/3 of openai -> {by['llmkit_nb'] / by['openai']:.2f}"
        )


if __name__ == "__main__":
    main()
