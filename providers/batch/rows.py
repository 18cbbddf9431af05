"""Result lines -> one row per input, in input order, joined on custom_id (never on position).

Pure: the caller passes how a successful body becomes a ChatResult and how a failed line becomes a
typed error (both come from the chat codec). Every input gets a row: a result, or the typed error
saying why not -- its own error, expired or cancelled with the batch, or missing from the output.
An output line that no input claims is kept too, as a row without an index.

Ids we make are `row-<index>`, so a batch resumed after a restart (the inputs forgotten) still
puts its rows back in input order; with ids the user chose, a resumed batch keeps the output order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..errors import (
    JobCancelledError,
    JobExpiredError,
    JobFailedError,
    LLMKitError,
    ResultUnavailableError,
)
from ..types import ChatResult
from .types import BatchJob, BatchResults, BatchRow, RawLine, RowStatus

__all__ = ["assemble", "default_custom_id", "index_of"]

_ROW = re.compile(r"^row-(\d{1,9})$")


def default_custom_id(index: int) -> str:
    """The custom id we give input number `index` when the caller names none."""
    return f"row-{index}"


def index_of(custom_id: str) -> int | None:
    """The input index a custom id of ours encodes (None for other ids)."""
    found = _ROW.match(custom_id)
    return int(found.group(1)) if found else None


def _our_ids(job: BatchJob, lines: list[RawLine]) -> list[str]:
    """A resumed batch's input ids, when every line has one of ours and the provider says how many."""
    total = job.counts.total
    found = [index_of(line.custom_id or "") for line in lines]
    if not total or not found or any(i is None or i >= total for i in found):
        return []
    return [default_custom_id(i) for i in range(total)]


def _ended_error(job: BatchJob, custom_id: str) -> tuple[RowStatus, LLMKitError]:
    """The row for an input with no result line, by how the batch ended."""
    where = f"{job.provider} batch {job.native_id}, request {custom_id!r}"
    kw: dict[str, Any] = {"job_id": job.id, "model": job.model, "provider": job.provider}
    match job.status:
        case "expired":
            return "expired", JobExpiredError(f"{where}: the batch expired before this request ran", **kw)
        case "cancelled":
            return "cancelled", JobCancelledError(
                f"{where}: the batch was cancelled before this request ran", **kw
            )
        case "failed":
            why = "; ".join(job.errors) or "the provider gave no reason"
            return "failed", JobFailedError(f"{where}: the batch failed: {why}", **kw)
        case _:
            return "missing", ResultUnavailableError(
                f"{where}: the batch ended {job.raw_status or job.status} but wrote no result for this request",
                **kw,
            )


def _row(
    job: BatchJob,
    index: int | None,
    line: RawLine,
    parse_ok: Callable[[RawLine], ChatResult],
    parse_failed: Callable[[RawLine], LLMKitError],
) -> BatchRow:
    custom_id = line.custom_id or ""
    kw: dict[str, Any] = {"job_id": job.id, "model": job.model, "provider": job.provider}
    where = f"{job.provider} batch {job.native_id}, request {custom_id!r}"
    match line.outcome:
        case "succeeded":
            try:
                return BatchRow(index, custom_id, "succeeded", result=parse_ok(line))
            except LLMKitError as exc:
                return BatchRow(index, custom_id, "failed", error=exc)
        case "expired":
            message = line.message or "the batch expired before this request ran"
            return BatchRow(index, custom_id, "expired", error=JobExpiredError(f"{where}: {message}", **kw))
        case "cancelled":
            message = line.message or "the batch was cancelled before this request ran"
            return BatchRow(
                index, custom_id, "cancelled", error=JobCancelledError(f"{where}: {message}", **kw)
            )
        case "failed":
            return BatchRow(index, custom_id, "failed", error=parse_failed(line))


def assemble(
    job: BatchJob,
    lines: list[RawLine],
    *,
    parse_ok: Callable[[RawLine], ChatResult],
    parse_failed: Callable[[RawLine], LLMKitError],
    notes: list[str] | None = None,
) -> BatchResults:
    """One row per input of `job` (in input order), then one per unclaimed line; nothing dropped."""
    notes = list(notes or [])
    by_id: dict[str, RawLine] = {}
    extra: list[RawLine] = []
    for line in lines:
        if line.custom_id is None or line.custom_id in by_id:
            if line.custom_id is not None:
                notes.append(f"the output holds more than one line for {line.custom_id!r}; all are kept")
            extra.append(line)
        else:
            by_id[line.custom_id] = line
    ids = job.custom_ids or _our_ids(job, lines)
    rows: list[BatchRow] = []
    for index, custom_id in enumerate(ids):
        found = by_id.pop(custom_id, None)
        if found is None:
            status, error = _ended_error(job, custom_id)
            rows.append(BatchRow(index, custom_id, status, error=error))
        else:
            rows.append(_row(job, index, found, parse_ok, parse_failed))
    rest = list(by_id.values())
    if not ids:  # resumed without its inputs: our own ids still give the input order
        known = sorted(
            ((i, line) for line in rest if (i := index_of(line.custom_id or "")) is not None),
            key=lambda p: p[0],
        )
        rows += [_row(job, i, line, parse_ok, parse_failed) for i, line in known]
        rest = [line for line in rest if index_of(line.custom_id or "") is None]
    elif rest:
        notes.append(f"{len(rest)} output line(s) match no input id; kept as rows without an index")
    if extra and any(line.custom_id is None for line in extra):
        notes.append("output line(s) without a custom id; kept as rows without an index")
    rows += [_row(job, None, line, parse_ok, parse_failed) for line in rest + extra]
    return BatchResults(job=job, rows=rows, notes=notes)
