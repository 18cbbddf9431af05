"""docs/domain_models.md: every Python example on the page runs, offline, as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "domain_models.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_page_has_examples_for_every_domain() -> None:
    code = "\n".join(BLOCKS)
    for needle in (
        'domain="legal"',
        'domain="finance"',
        "for_medical_domain",
        "for_scientific_domain",
        "vllm/finance-chat",
        "vllm/fingpt-sentiment",
        "acknowledge_disclaimer=True",
    ):
        assert needle in code, needle


def test_every_example_runs_in_the_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, object] = {"__name__": "domain_models_doc"}
    for i, block in enumerate(BLOCKS):
        try:
            exec(compile(block, f"{DOC.name} example {i + 1}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"example {i + 1} of {DOC.name} failed: {type(exc).__name__}: {exc}\n{block}")
    out = capsys.readouterr().out
    assert "UnknownDomainError" in out and "ThinkingNotSupportedError" in out  # the refusals example
    assert "2025-09-29 gemini-3.8-flash" in out  # MedLM: date and successor
    assert "europe-west4-aiplatform.googleapis.com" in out  # the region you picked
    assert "no hosted API" in out and "sandbox.invalid/chatlaw" in out  # legal: no endpoint / emulated
    assert "max None" in out  # scientific: max effort sent; the sandbox gives no boxed answer
