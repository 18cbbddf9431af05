"""benchmarks/science_eval.py: the shipped answers are right, grading is strict, the sandbox run is honest."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import product

import pytest

from benchmarks import science_eval as ev

ANSWERS = {p["id"]: p["answer"] for p in ev.load_problems()}


def test_a_dozen_problems_with_unique_ids() -> None:
    problems = ev.load_problems()
    assert len(problems) == 12 and len(ANSWERS) == 12
    assert all(p["question"].strip() and p["answer"].strip() and p["why"].strip() for p in problems)


def _recomputed() -> dict[str, Fraction]:
    divisors = sum(d for d in range(1, 361) if 360 % d == 0)
    both = sum(1 for n in range(1, 1000) if n % 3 == 0 or n % 5 == 0)
    words = math.factorial(11) // (math.factorial(4) * math.factorial(4) * math.factorial(2))
    sevens = Fraction(sum(1 for a, b in product(range(1, 7), repeat=2) if a + b == 7), 36)
    return {
        "divisor-sum": Fraction(divisors),
        "power-mod": Fraction(pow(2, 100, 7)),
        "last-two-digits": Fraction(pow(7, 2024, 100)),
        "inclusion-exclusion": Fraction(both),
        "mississippi": Fraction(words),
        "binomial-coefficient": Fraction(math.comb(5, 3) * 2**3),
        "dice-seven": sevens,
        "free-fall": Fraction(math.isqrt(2 * 45 // 10)),
        "spring-energy": Fraction(200) * Fraction(1, 10) ** 2 / 2,
        "parallel-resistors": Fraction(6 * 3, 6 + 3),
        "photon-energy": Fraction(1240, 620),
        "charles-law": Fraction(300 * 2),
    }


def test_every_shipped_answer_is_recomputed() -> None:
    recomputed = _recomputed()
    assert set(recomputed) == set(ANSWERS)
    for pid, value in recomputed.items():
        assert ev.parse_number(ANSWERS[pid]) == value, pid


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1170", Fraction(1170)),
        ("34{,}650", Fraction(34650)),
        ("34,650", Fraction(34650)),
        (r"\frac{1}{6}", Fraction(1, 6)),
        (r"\dfrac{1}{6}", Fraction(1, 6)),
        ("1/6", Fraction(1, 6)),
        ("3.0", Fraction(3)),
        (r"600\,\text{K}", Fraction(600)),
        ("600 K", Fraction(600)),
        (r"2\ \mathrm{eV}", Fraction(2)),
        ("$2$", Fraction(2)),
        ("-0.5", Fraction(-1, 2)),
    ],
)
def test_numbers_are_read_from_final_answers(text: str, value: Fraction) -> None:
    assert ev.parse_number(text) == value


@pytest.mark.parametrize("text", ["x + 1", r"\sqrt{2}", "", "1/0"])
def test_non_numbers_are_not_guessed(text: str) -> None:
    assert ev.parse_number(text) is None


def test_grading_counts_only_the_last_boxed_answer() -> None:
    assert ev.grade(r"Reasoning... \boxed{466}", "466") == (True, "466")
    assert ev.grade(r"First \boxed{465}, corrected: \boxed{466}", "466") == (True, "466")
    assert ev.grade(r"So the probability is \boxed{\frac{1}{6}}.", "1/6") == (True, r"\frac{1}{6}")
    assert ev.grade("The answer is 466.", "466") == (False, None)  # strict: no box, no credit
    assert ev.grade(r"put it in \boxed{}", "466") == (False, None)  # an empty box is no answer
    assert ev.grade(r"\boxed{467}", "466") == (False, "467")


def test_the_sandbox_run_reports_near_zero_accuracy_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    ev.main(["--sandbox-only", "--models", "openai/gpt-6.1-terra", "anthropic/claude-sonnet-5-5", "-n", "3"])
    out = capsys.readouterr().out
    rows = [
        line for line in out.splitlines() if line.startswith("| openai/") or line.startswith("| anthropic/")
    ]
    assert len(rows) == 2
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == "sandbox" and cells[2] == "0/3 (0%)" and cells[7] == "0"
        assert cells[4] != "-" and cells[6].startswith("$")  # reasoning tokens and cost are measured
    assert "answers by restating the question" in out and "~0 by design" in out


def test_unknown_or_non_thinking_models_are_skipped_not_fatal(capsys: pytest.CaptureFixture[str]) -> None:
    ev.main(["--sandbox-only", "--models", "nosuch/model", "openai/gpt-4.1", "-n", "1"])
    out = capsys.readouterr().out
    assert "nosuch/model (provider not in this build)" in out
    assert "openai/gpt-4.1 (not a thinking model in the catalog)" in out
