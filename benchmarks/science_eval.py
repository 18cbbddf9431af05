"""A small exact-answer science evaluation: a dozen maths and physics problems, graded strictly.

Each problem (benchmarks/data/science_eval.json) goes through the scientific domain preset
(providers.domains: DeepSeek's guidance -- no system prompt, "put your final answer within
\\boxed{}", thinking on at high or max effort) and is graded on the last non-empty \\boxed{...}
of the answer, compared numerically. Per model it reports accuracy, reasoning tokens, latency and
cost (at catalog prices) as a Markdown table.

It always runs offline against the sandbox, which exercises the whole request path but answers by
restating the question -- so the sandbox's accuracy is ~0 by design, and the table says so. It runs
live for every model whose provider key is set; a missing key skips that model, never fails.

    python benchmarks/science_eval.py                        # sandbox + every keyed provider
    python benchmarks/science_eval.py --effort max --models deepseek/deepseek-v4-pro openai/gpt-6.1-terra
    python benchmarks/science_eval.py --sandbox-only -n 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from providers.client import AsyncClient
from providers.domains import apply, final_answer, for_scientific_domain
from providers.errors import LLMKitError
from providers.registry import list_models, list_provider_specs, provider_spec, split_model

DATA = Path(__file__).with_name("data") / "science_eval.json"
# one reasoning model per provider, DeepSeek first (the plan's DeepSeek-R1 is their thinking mode)
DEFAULT_MODELS = (
    "deepseek/deepseek-v4-pro",
    "deepseek/deepseek-flash",
    "openai/gpt-6.1-terra",
    "anthropic/claude-sonnet-5-5",
    "gemini/gemini-3.8-flash",
    "xai/grok-4.7",
    "mistral/mistral-medium-3-5",
)
SANDBOX_NOTE = (
    "sandbox rows exercise the real request path offline, but the sandbox answers by restating the "
    "question, so their accuracy is ~0 by design: it measures the toolkit, not a model"
)

_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]+)\}\s*\{([^{}]+)\}")
_TEXT = re.compile(r"\\(?:text|mathrm|textbf|mathbf)\s*\{[^{}]*\}")
_NUMBER = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$", re.IGNORECASE)


def load_problems(path: Path = DATA) -> list[dict[str, str]]:
    """The problems shipped with the repo."""
    problems: list[dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))["problems"]
    return problems


def parse_number(text: str) -> Fraction | float | None:
    """A number from a final answer: 2, 1170, 1/6, \\frac{1}{6}, 3.0, 34{,}650, "600 K" -> 600."""
    s = text.strip().strip("$").strip()
    s = _TEXT.sub("", s)
    s = _FRAC.sub(r"(\1)/(\2)", s)
    for spacing in ("{,}", "\\,", "\\;", "\\:", "\\!", "\\ ", "~", ","):
        s = s.replace(spacing, "")
    s = s.replace("\\left", "").replace("\\right", "").replace(" ", "")
    s = re.sub(r"[a-zA-Z°Ω]+$", "", s)  # a trailing unit: 600K, 3s, 2eV
    s = s.replace("(", "").replace(")", "").replace("{", "").replace("}", "")
    if "/" in s:
        num, _, den = s.partition("/")
        if _NUMBER.match(num) and _NUMBER.match(den) and float(den) != 0:
            return Fraction(num) / Fraction(den)
        return None
    if _NUMBER.match(s):
        return Fraction(s) if "e" not in s.lower() else float(s)
    return None


def grade(answer_text: str, expected: str) -> tuple[bool, str | None]:
    """(correct?, the boxed answer found). Strict: no non-empty \\boxed{} means not answered."""
    boxed = final_answer(answer_text)
    if not boxed:
        return False, None
    got, want = parse_number(boxed), parse_number(expected)
    if got is None or want is None:
        return boxed.replace(" ", "") == expected.replace(" ", ""), boxed
    return abs(float(got) - float(want)) <= 1e-6 * max(1.0, abs(float(want))), boxed


@dataclass
class Row:
    """One model's results over the problem set."""

    model: str
    where: str
    correct: int = 0
    boxed: int = 0
    done: int = 0
    errors: list[str] = field(default_factory=list)
    reasoning_tokens: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    cost: float | None = None

    def cells(self, total: int) -> list[str]:
        """The table cells for this row."""
        acc = f"{self.correct}/{total} ({100 * self.correct / total:.0f}%)" if total else "-"
        rt = (
            f"{sum(self.reasoning_tokens):,} ({statistics.mean(self.reasoning_tokens):,.0f}/problem)"
            if self.reasoning_tokens
            else "-"
        )
        lat = f"{statistics.median(self.latencies):.3f}" if self.latencies else "-"
        cost = f"${self.cost:.4f}" if self.cost is not None else "-"
        errs = f"{len(self.errors)}: {self.errors[0]}" if self.errors else "0"
        return [self.model, self.where, acc, f"{self.boxed}/{total}", rt, lat, cost, errs]


async def run_model(
    client: AsyncClient, model: str, problems: list[dict[str, str]], *, effort: str, concurrency: int
) -> Row:
    """Every problem on one model through the scientific preset; failures are counted, not raised."""
    row = Row(model=model, where="sandbox" if client.sandbox else "live")
    preset = for_scientific_domain(effort=effort)  # type: ignore[arg-type]
    gate = asyncio.Semaphore(concurrency)

    async def one(problem: dict[str, str]) -> None:
        async with gate:
            try:
                call = apply(preset, problem["question"], model=model)
                started = time.perf_counter()
                result = await client.chat(call.model, call.prompt, **call.kwargs)
            except LLMKitError as exc:
                row.errors.append(f"{type(exc).__name__}: {exc.message[:80]}")
                return
        row.done += 1
        row.latencies.append(
            result.latency_s if result.latency_s is not None else time.perf_counter() - started
        )
        if result.usage.reasoning_tokens is not None:
            row.reasoning_tokens.append(result.usage.reasoning_tokens)
        if result.cost_usd is not None:
            row.cost = (row.cost or 0.0) + result.cost_usd
        ok, boxed = grade(result.text, problem["answer"])
        row.correct += ok
        row.boxed += boxed is not None

    await asyncio.gather(*(one(p) for p in problems))
    return row


def available(models: list[str]) -> tuple[list[str], list[str]]:
    """(models whose provider is registered and can think, those skipped with the reason)."""
    known = {s.name for s in list_provider_specs()}
    keep, skipped = [], []
    for model in models:
        provider, model_id = split_model(model)
        if provider not in known:
            skipped.append(f"{model} (provider not in this build)")
        elif not any(m.id == model_id for m in list_models(provider, thinking=True)):
            skipped.append(f"{model} (not a thinking model in the catalog)")
        else:
            keep.append(model)
    return keep, skipped


def has_key(model: str) -> bool:
    """Whether the environment holds a key for the model's provider."""
    spec = provider_spec(split_model(model)[0])
    return any(os.environ.get(var) for var in spec.env)


async def evaluate(
    models: list[str], problems: list[dict[str, str]], *, effort: str, live: bool, concurrency: int
) -> tuple[list[Row], list[str]]:
    """Sandbox rows for every model, live rows for every keyed one; the list of models not run live."""
    rows: list[Row] = []
    async with AsyncClient(sandbox=True) as client:
        for model in models:
            rows.append(await run_model(client, model, problems, effort=effort, concurrency=concurrency))
    not_live = []
    if live:
        keyed = [m for m in models if has_key(m)]
        not_live = [m for m in models if m not in keyed]
        async with AsyncClient() as client:
            for model in keyed:
                rows.append(await run_model(client, model, problems, effort=effort, concurrency=concurrency))
    return rows, not_live


def table(rows: list[Row], total: int) -> str:
    """The Markdown table of results."""
    head = ["model", "where", "accuracy", "boxed", "reasoning tokens", "median latency s", "cost", "errors"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * 3 + "---:|" * 4 + "---|"]
    lines += ["| " + " | ".join(r.cells(total)) + " |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", nargs="+", default=list(DEFAULT_MODELS))
    parser.add_argument("--effort", choices=("high", "max"), default="high")
    parser.add_argument("-n", "--problems", type=int, default=None, help="only the first N problems")
    parser.add_argument("--sandbox-only", action="store_true", help="skip live calls even where keys are set")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    problems = load_problems()[: args.problems]
    models, skipped = available(args.models)
    rows, not_live = asyncio.run(
        evaluate(
            models, problems, effort=args.effort, live=not args.sandbox_only, concurrency=args.concurrency
        )
    )
    print(f"science eval: {len(problems)} exact-answer problems, scientific preset, effort={args.effort}\n")
    print(table(rows, len(problems)))
    print(f"\nnote: {SANDBOX_NOTE}.")
    print(
        "accuracy counts only the last non-empty \\boxed{} of each answer; 'boxed' counts answers that had one."
    )
    if not_live:
        print(f"live skipped (no key): {', '.join(not_live)}")
    if skipped:
        print(f"not run: {', '.join(skipped)}")


if __name__ == "__main__":
    main()
