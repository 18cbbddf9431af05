"""The release's exit criteria as numbers, from the log of a full `make test` run.

    make test 2>&1 | tee /tmp/make-test.log
    python scripts/exit_criteria.py /tmp/make-test.log

Reads pytest's own summary lines from the log (the suite, the notebooks), refuses a log with a failure
or an error, and counts the tests behind each criterion: the tests collected from the files that
evidence it, minus the ones the log reports as skipped (pytest's `-ra` lists skips by file and line).
Prints the Markdown table used in docs/releases/<version>.md, "Exit criteria".
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# criterion -> the test files that evidence it (globs under tests/), and what they show
AREAS: dict[str, tuple[list[str], str]] = {
    "Extended thinking on all its providers": (
        [
            "unit/test_thinking.py",
            "unit/test_codec_*.py",
            "sandbox/test_thinking_checkpoint.py",
            "sandbox/test_e2e*.py",
            "sandbox/test_gemini_e2e.py",
            "conformance/test_sdk_oracles.py",
            "conformance/test_sdk_thinking_vendors.py",
            "conformance/test_gemini_sdk.py",
            "unit/recorded/*.py",
        ],
        "OpenAI, Anthropic, Gemini, Vertex AI, DeepSeek, xAI, Mistral: the knob on the wire, reasoning back, "
        "signatures round-tripped, whole and streamed; official SDKs parse the sandbox and send what we send; "
        "recorded live replies",
    ),
    "Regional providers": (
        [
            "unit/test_regions*.py",
            "unit/test_compat.py",
            "sandbox/test_maritaca.py",
            "sandbox/test_catalog_e2e.py",
            "conformance/test_compat_sdk.py",
        ],
        "Mistral EU/US, Vertex locations, Maritaca (pt-BR), LightOn opt-in, LatamGPT self-hosted, residency, "
        "every chat provider end to end on its real host",
    ),
    "Voice": (
        ["unit/test_voice_*.py", "sandbox/test_voice_e2e.py", "conformance/test_voice_sdks.py"],
        "Deepgram (listen, live, speak), ElevenLabs (TTS, stream, STT, latency tiers), xAI and OpenAI realtime; "
        "deepgram-sdk and elevenlabs against the sandbox",
    ),
    "Video": (
        ["unit/test_video_*.py", "sandbox/test_video_*.py", "conformance/test_video_sdks.py"],
        "Runware and RunwayML jobs (every task state, resume, cancel); runware-sdk and runwayml against the sandbox",
    ),
    "Domain presets": (
        ["unit/test_domain*.py", "sandbox/test_domain*.py", "browser/test_domain_notebooks.py"],
        "medical (Gemini on Vertex; MedLM retired), scientific (DeepSeek), legal (ChatLaw self-hosted), finance",
    ),
    "Tools, structured output, map, cache, batches": (
        [
            "unit/test_tool*.py",
            "unit/test_output.py",
            "unit/test_schema_adapt.py",
            "unit/test_batch_codecs.py",
            "unit/test_cache.py",
            "unit/test_ratelimit.py",
            "sandbox/test_tool*.py",
            "sandbox/test_cross_provider_tools.py",
            "sandbox/test_kit_tools.py",
            "sandbox/test_structured_output.py",
            "sandbox/test_map.py",
            "sandbox/test_cache_e2e.py",
            "sandbox/test_batch_*.py",
            "conformance/test_sdk_tools.py",
            "conformance/test_tool_sdks_vendors.py",
            "conformance/test_batch_sdks.py",
        ],
        "the 0.2.0 features, through the strict sandbox and against the official SDKs",
    ),
    "Examples and docs": (
        ["test_readme.py", "unit/test_notebooks.py", "unit/test_docs.py", "browser/*.py"],
        "every python block of README.md and docs/ runs; committed notebooks checked; JupyterLab in Chromium",
    ),
    "Fuzzing the codec boundary": (["unit/test_fuzz_*.py"], "hypothesis properties, quick profile"),
}

SUMMARY = re.compile(
    r"^=*\s*(?P<body>(\d+ (passed|failed|skipped|errors?|xfailed|xpassed|warnings?|deselected)(, )?)+)"
)
SKIP = re.compile(r"^SKIPPED \[(?P<n>\d+)\] (?P<file>tests/[^:]+|notebooks/[^:]+):")


def summaries(log: str) -> list[dict[str, int]]:
    found = []
    for line in log.splitlines():
        line = line.strip().strip("=").strip()
        m = SUMMARY.match(line)
        if m and " in " in line:
            found.append({k: int(n) for n, k in re.findall(r"(\d+) (\w+)", m.group("body"))})
    return found


def collected() -> Counter[str]:
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly", "tests"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    files: Counter[str] = Counter()
    for line in out.stdout.splitlines():
        if "::" in line:
            files[line.split("::", 1)[0]] += 1
    return files


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("log", type=Path, help="the output of a full `make test`")
    args = parser.parse_args()
    log = args.log.read_text(encoding="utf-8", errors="replace")
    runs = summaries(log)
    if not runs:
        sys.exit("no pytest summary line in the log")
    bad = [r for r in runs if r.get("failed") or r.get("error") or r.get("errors")]
    if bad:
        sys.exit(f"the log has failures or errors: {bad}")
    skipped: Counter[str] = Counter()
    for line in log.splitlines():
        m = SKIP.match(line.strip())
        if m:
            skipped[m.group("file")] += int(m.group("n"))
    files = collected()
    print(
        "pytest summaries in the log: " + "; ".join(", ".join(f"{v} {k}" for k, v in r.items()) for r in runs)
    )
    print()
    print("| criterion | tests passed | skipped | what they show |")
    print("|---|---:|---:|---|")
    for area, (globs, what) in AREAS.items():
        chosen = {f for f in files if any(Path(f).match(f"tests/{g}") for g in globs)}
        total = sum(files[f] for f in chosen)
        skip = sum(skipped[f] for f in chosen)
        print(f"| {area} | {total - skip} | {skip} | {what} |")
    if len(runs) > 1:  # make test runs the suite, then the notebooks (nbval), in that order
        nb = runs[1]
        print(
            f"| Notebooks (every cell run, outputs compared with the committed ones) | {nb.get('passed', 0)} "
            f"| {nb.get('skipped', 0)} | nbval over notebooks/*.ipynb, strict, modulo notebooks/sanitize.cfg |"
        )


if __name__ == "__main__":
    main()
