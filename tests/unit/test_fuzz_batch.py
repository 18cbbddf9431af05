"""Property: a provider batch whose job or results replies are malformed still ends in rows or a typed
error: each result line goes through the chat codec at the boundary, so a broken line is a failed row."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.batch.types import BatchResults
from providers.errors import LLMKitError, ResponseFormatError
from tests.fuzzing import (
    BATCH_MODELS,
    Outcome,
    batch_case,
    batch_recording,
    bodies,
    fuzz_settings,
    jsonl_bodies,
)

PROVIDERS = sorted(BATCH_MODELS)


def check(outcome: Outcome, provider: str) -> None:
    if outcome.kind == "escape":
        raise AssertionError(f"{provider} batch: {outcome.label} escaped") from outcome.value
    if outcome.kind == "typed":
        assert isinstance(outcome.value, LLMKitError) and outcome.value.provider in (provider, None)
    else:
        assert isinstance(outcome.value, BatchResults)
        for row in outcome.value.rows:
            assert row.result is not None or isinstance(row.error, LLMKitError)


@pytest.mark.parametrize("provider", PROVIDERS)
@fuzz_settings
@given(data=st.data())
def test_batch_job_replies(provider: str, data: Any) -> None:
    rec = batch_recording(provider)
    job = json.loads(rec.replies[rec.job_key][2])
    check(batch_case(provider, job_body=data.draw(bodies(job), label="job")), provider)


@pytest.mark.parametrize("provider", [p for p in PROVIDERS if batch_recording(p).result_keys])
@fuzz_settings
@given(data=st.data())
def test_batch_results_replies(provider: str, data: Any) -> None:
    rec = batch_recording(provider)
    results = rec.replies[rec.result_keys[0]][2]
    check(batch_case(provider, results_body=data.draw(jsonl_bodies(results), label="results")), provider)


@pytest.mark.parametrize("provider", [p for p in PROVIDERS if batch_recording(p).result_keys])
def test_a_result_line_no_codec_can_read_is_a_failed_row(provider: str) -> None:
    rec = batch_recording(provider)
    lines = rec.replies[rec.result_keys[0]][2].decode().splitlines()
    first = json.loads(lines[0])
    body = _body_of(first)
    body.clear()
    body.update({"content": 5, "choices": {"a": 1}, "output": 5, "candidates": 5})
    outcome = batch_case(provider, results_body="\n".join([json.dumps(first), *lines[1:]]).encode())
    assert outcome.kind == "result", outcome.label
    rows = {row.custom_id: row for row in outcome.value.rows}
    broken, other = rows.pop(first["custom_id"]), next(iter(rows.values()))
    assert other.status == "succeeded" and other.result is not None and other.result.text
    assert broken.status == "failed" and isinstance(broken.error, ResponseFormatError)
    assert broken.error.provider == provider and "batch result" in broken.error.where


def _body_of(line: dict[str, Any]) -> dict[str, Any]:
    """The chat body inside one provider's result line."""
    for path in (("response", "body"), ("result", "message"), ("response",)):
        node: Any = line
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict):
            return node
    raise AssertionError(f"no chat body in {line}")
