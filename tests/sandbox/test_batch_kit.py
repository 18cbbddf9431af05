"""kit.batch in the notebook layer: the job renders (escaped), waits with progress, resumes by id, and its
results render as a table and reach the ledger once, at the batch discount."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest

from llmkit_nb import LLMKit
from llmkit_nb.batch import BatchJobView, LiveBatch
from providers.errors import JobInterrupted
from providers.jobs import JobTiming

NOW = JobTiming(first_s=0.0, factor=1.0, max_s=0.0, jitter=0.0)
EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture
def kit() -> Iterator[LLMKit]:
    with LLMKit(sandbox=True) as k:
        k.client.batches.timing = NOW
        yield k


def test_the_job_renders_its_state_and_counts_escaped(kit: LLMKit) -> None:
    job = kit.batch(["Why is the sky blue?", EVIL], model="openai/gpt-6.1-terra")
    assert isinstance(job, BatchJobView)
    bundle = job._repr_mimebundle_()
    assert "openai:batch_" in bundle["text/plain"] and "queued (validating)" in bundle["text/plain"]
    html = bundle["text/html"]
    assert "SANDBOX" in html and "<progress" in html and "0/2 done" in html
    assert f"kit.batch_job(&#x27;{job.id}&#x27;)" in html
    job.wait(progress=False)
    rows = job.results()
    table = rows._repr_mimebundle_()["text/html"]
    assert EVIL not in table and "&lt;img src=x onerror=alert(1)&gt;" in table
    assert "2 rows (2 succeeded)" in table


def test_wait_shows_progress_in_place_and_results_reach_the_ledger_once(kit: LLMKit) -> None:
    job = kit.batch(["a", "b [sandbox:fail]", "c"], model="anthropic/claude-haiku-5-5", max_tokens=100)
    out = io.StringIO()
    seen: list[str] = []

    def fake_live(**_: Any) -> LiveBatch:
        return LiveBatch(notebook=False, out=out)

    import llmkit_nb.batch as module

    original = module.LiveBatch
    module.LiveBatch = fake_live  # type: ignore[assignment,misc]
    try:
        job.wait(on_progress=lambda j: seen.append(j.raw_status))
    finally:
        module.LiveBatch = original  # type: ignore[misc]
    lines = out.getvalue().splitlines()
    assert "in_progress" in lines[0] and "completed (ended)" in lines[-1]
    assert seen[-1] == "ended"
    rows = job.results()
    assert [r.status for r in rows] == ["succeeded", "failed", "succeeded"]
    assert job.results() is rows
    [entry] = [e for e in kit.ledger if e.kind == "batch"]
    assert entry.cost_usd == pytest.approx(rows.cost_usd)
    assert entry.error == "1 of 3 requests without a result"
    assert entry.input_tokens == rows.usage.input_tokens
    kit.batch_job(job.id).results()  # the same batch, picked up again: not counted twice
    assert len([e for e in kit.ledger if e.kind == "batch"]) == 1


def test_ctrl_c_stops_the_waiting_not_the_batch(kit: LLMKit) -> None:
    job = kit.batch(["a", "b"], model="mistral/mistral-small-2603")

    def interrupt(_: Any) -> None:
        raise KeyboardInterrupt

    with pytest.raises(JobInterrupted) as info:
        job.wait(progress=False, on_progress=interrupt)
    assert info.value.job_id == job.id and not info.value.cancelled
    assert f"kit.batch_job({job.id!r})" in str(info.value)
    again = kit.batch_job(job.id).wait(progress=False)
    assert again.status == "completed"
    assert [r.status for r in again.results()] == ["succeeded", "succeeded"]


def test_cancel_from_the_kit(kit: LLMKit) -> None:
    job = kit.batch(["a", "b", "c", "d"], model="gemini/gemini-3.8-flash")
    job.refresh().cancel().wait(progress=False)
    assert job.status == "cancelled"
    assert [r.status for r in job.results()] == ["succeeded", "succeeded", "cancelled", "cancelled"]


def test_results_convert_to_plain_rows(kit: LLMKit) -> None:
    job = kit.batch({"q1": "a", "q2": "b"}, model="openai/gpt-6.1-terra").wait(progress=False)
    rows = job.results().to_dicts()
    assert [r["custom_id"] for r in rows] == ["q1", "q2"]
    assert set(rows[0]) == {
        "index",
        "custom_id",
        "status",
        "text",
        "input_tokens",
        "output_tokens",
        "cost_usd",
        "error",
    }
