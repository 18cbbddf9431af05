"""The notebook side of provider batch APIs: a job that renders and waits, results that render as a table.

    job = kit.batch(prompts, model="anthropic/claude-haiku-5-5")   # submitted; renders state and counts
    job.wait()                # progress in place (a bar in a notebook, a line in a terminal)
    rows = job.results()      # one row per input, in input order; rows.errors keeps every failure
    job = kit.batch_job(job.id)                    # after a kernel restart

Interrupting `wait()` (Ctrl-C, the stop button) stops the waiting, not the batch: it raises
`JobInterrupted` naming the id to resume. `job.cancel()` cancels it at the provider.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from providers.batch.types import BatchJob, BatchResults
from providers.errors import JobInterrupted, LLMKitError

from .display.batch import (
    render_batch_job,
    render_batch_results,
    render_plain_batch_job,
    render_plain_batch_results,
)
from .display.objects import DisplayHandle, _Bundle, _ipython_display, _select, in_notebook

if TYPE_CHECKING:
    from providers.batch_driver import AsyncBatch

    from .kit import LLMKit

__all__ = ["BatchJobView", "BatchResultsView", "LiveBatch"]


class LiveBatch:
    """A batch shown while it is waited on: one notebook output updated in place, or a terminal line."""

    def __init__(
        self,
        *,
        notebook: bool | None = None,
        out: TextIO | None = None,
        display_fn: Callable[[Any], DisplayHandle | None] | None = None,
    ) -> None:
        self.notebook = (display_fn is not None or in_notebook()) if notebook is None else notebook
        self.out = out
        self._display_fn = display_fn or _ipython_display
        self._handle: DisplayHandle | None = None
        self._last = ""
        self.renders = 0

    def update(self, job: BatchJob, note: str = "") -> None:
        """Show the job as of its latest poll."""
        if self.notebook:
            bundle = _Bundle(
                {"text/plain": render_plain_batch_job(job), "text/html": render_batch_job(job, note=note)}
            )
            if self._handle is None:
                self._handle = self._display_fn(bundle)
            else:
                self._handle.update(bundle)
        else:
            line = render_plain_batch_job(job) + (f" · {note}" if note else "")
            if line != self._last:
                stream = self.out if self.out is not None else sys.stdout
                stream.write(line + "\n")
                stream.flush()
            self._last = line
        self.renders += 1


class BatchResultsView(BatchResults):
    """Batch results that render as a table in Jupyter (first rows; `.to_dicts()` has every row)."""

    @classmethod
    def of(cls, results: BatchResults) -> BatchResultsView:
        return cls(job=results.job, rows=results.rows, notes=results.notes)

    def __repr__(self) -> str:
        return f"BatchResults({self.job.id!r}, {len(self)} rows, {self.counts()})"

    def to_pandas(self) -> Any:
        """A pandas DataFrame of `.to_dicts()` (pandas is not a dependency: install it to use this)."""
        try:
            import pandas
        except ImportError as exc:
            raise LLMKitError("to_pandas() needs pandas: pip install pandas (or use .to_dicts())") from exc
        return pandas.DataFrame(self.to_dicts())

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return _select(
            {"text/plain": render_plain_batch_results(self), "text/html": render_batch_results(self)},
            include,
            exclude,
        )


class BatchJobView:
    """A submitted batch, bound to its kit: `.id`, `.status`, `.job`; `refresh()`, `wait()`, `results()`,
    `cancel()`. It renders its last known state (state, counts, progress); rendering sends nothing."""

    def __init__(self, kit: LLMKit, handle: AsyncBatch) -> None:
        self._kit = kit
        self._handle = handle
        self._results: BatchResultsView | None = None

    def __repr__(self) -> str:
        job = self.job
        return f"BatchJob({job.id!r}, {job.status}, {job.counts.done}/{job.counts.total or '?'})"

    @property
    def id(self) -> str:
        """'provider:native id': what kit.batch_job() takes to pick it up again."""
        return self._handle.id

    @property
    def job(self) -> BatchJob:
        """The job as of its last poll (providers.batch.BatchJob)."""
        return self._handle.job

    @property
    def status(self) -> str:
        return self.job.status

    @property
    def done(self) -> bool:
        return self.job.done

    def refresh(self) -> BatchJobView:
        """Poll the provider once."""
        self._kit._runner.run(self._handle.refresh())
        return self

    def wait(
        self,
        *,
        timeout: float | None = None,
        progress: bool = True,
        on_progress: Callable[[BatchJob], Any] | None = None,
    ) -> BatchJobView:
        """Poll until the batch ends (with backoff), showing its progress; returns this job.

        `timeout` seconds without an end raise JobTimeoutError (the batch keeps running). Ctrl-C stops
        the waiting and raises JobInterrupted with the id to resume; the batch itself is not cancelled.
        """
        view = LiveBatch() if progress else None
        if view is not None:
            view.update(self.job, note="waiting")
        try:
            for job in self._kit._runner.iterate(self._handle.watch(timeout=timeout)):
                if view is not None:
                    view.update(job)
                if on_progress is not None:
                    on_progress(job)
        except KeyboardInterrupt as exc:
            if isinstance(exc, JobInterrupted):
                raise
            job = self.job
            err = JobInterrupted(
                f"stopped waiting; {job.provider} batch {job.id} keeps running (it was not cancelled): "
                f"pick it up with kit.batch_job({job.id!r}), or cancel it with job.cancel()",
                job_id=job.id,
                provider=job.provider,
                model=job.model or "",
                cancelled=False,
            )
            if view is not None:
                view.update(job, note=str(err))
            raise err from exc
        return self

    def cancel(self) -> BatchJobView:
        """Ask the provider to cancel the batch; requests already done keep their results."""
        self._kit._runner.run(self._handle.cancel())
        return self

    def results(self) -> BatchResultsView:
        """The results of an ended batch: one row per input, in input order (recorded in the kit's ledger)."""
        if self._results is None:
            raw = self._kit._runner.run(self._handle.results())
            self._results = BatchResultsView.of(raw)
            self._kit.ledger.record_batch(self._results)
        return self._results

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        job = self.job
        return _select(
            {"text/plain": render_plain_batch_job(job), "text/html": render_batch_job(job)}, include, exclude
        )
