"""What a batch is while it runs (`BatchJob`), what one poll says (`BatchState`), and what it gave
back (`BatchResults`: one `BatchRow` per input, in input order, successes and failures alike).

Each provider's words are normalized into one vocabulary by its codec (docs/batch.md has the table):

    queued -> running -> finalizing -> completed        (and cancelling -> cancelled, failed, expired)

`raw_status` keeps the provider's own word. A batch that ended `completed`, `cancelled` or `expired`
can still hold results: rows say per request whether it succeeded, failed (with its typed error),
expired, was cancelled, or is missing from the output; nothing is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import LLMKitError
from ..types import ChatResult, Usage

__all__ = [
    "TERMINAL",
    "BatchCounts",
    "BatchJob",
    "BatchOutput",
    "BatchResults",
    "BatchRow",
    "BatchState",
    "BatchStatus",
    "RawLine",
    "RowStatus",
]

BatchStatus = Literal[
    "queued", "running", "finalizing", "cancelling", "completed", "failed", "cancelled", "expired"
]
TERMINAL: frozenset[str] = frozenset({"completed", "failed", "cancelled", "expired"})
RowStatus = Literal["succeeded", "failed", "expired", "cancelled", "missing"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BatchCounts(_Model):
    """How many requests the provider reports in each state (`total` None when it does not say)."""

    total: int | None = None
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0
    expired: int = 0

    @property
    def done(self) -> int:
        """Requests that have an outcome, whatever it is."""
        return self.succeeded + self.failed + self.cancelled + self.expired

    @property
    def progress(self) -> float | None:
        """0..1 where the total is known, else None."""
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


class BatchOutput(_Model):
    """Where a batch's results are: files to download, a results URL, or inline lines."""

    output_file_id: str | None = Field(None, description="OpenAI / Mistral output file.")
    error_file_id: str | None = Field(None, description="OpenAI / Mistral error file.")
    results_url: str | None = Field(None, description="Anthropic's results JSONL.")
    responses_file: str | None = Field(None, description="Gemini's responses file (files/...).")
    inline: list[dict[str, Any]] | None = Field(
        None, repr=False, description="Results given inside the job itself (Gemini inline responses)."
    )

    @property
    def ready(self) -> bool:
        """True when there is anything to fetch or read."""
        return any((self.output_file_id, self.error_file_id, self.results_url, self.responses_file)) or bool(
            self.inline
        )


class BatchState(_Model):
    """One poll, normalized by the codec: what the provider says about the batch right now."""

    native_id: str = Field(..., description="The provider's own id (batch_..., msgbatch_..., batches/...).")
    status: BatchStatus
    raw_status: str = ""
    counts: BatchCounts = Field(default_factory=BatchCounts)
    model: str | None = None
    endpoint: str | None = None
    created_at: str | None = Field(None, description="ISO 8601, UTC.")
    expires_at: str | None = None
    ended_at: str | None = None
    input_file_id: str | None = None
    output: BatchOutput = Field(default_factory=BatchOutput)
    errors: list[str] = Field(default_factory=list, description="Batch-level errors (validation, failure).")
    usage: Usage | None = Field(None, description="Token totals where the provider reports them.")


class BatchJob(_Model):
    """A submitted batch: what it is, where it stands, and what is needed to fetch its results."""

    id: str = Field(..., description="'provider:native id': what kit.batch_job() takes to resume it.")
    native_id: str
    provider: str
    model: str | None = None
    status: BatchStatus = "queued"
    raw_status: str = ""
    counts: BatchCounts = Field(default_factory=BatchCounts)
    polls: int = 0
    elapsed_s: float = 0.0
    created_at: str | None = None
    expires_at: str | None = None
    ended_at: str | None = None
    endpoint: str | None = None
    input: Literal["inline", "file"] | None = None
    input_file_id: str | None = None
    output: BatchOutput = Field(default_factory=BatchOutput)
    errors: list[str] = Field(default_factory=list)
    usage: Usage | None = None
    custom_ids: list[str] = Field(
        default_factory=list, repr=False, description="The inputs' ids in input order (empty when resumed)."
    )
    discount: float | None = Field(None, description="The batch price as a share of the standard price.")
    sandbox: bool = False
    notes: list[str] = Field(default_factory=list)
    sent: dict[str, Any] = Field(
        default_factory=dict, description="What was submitted (one body, shortened)."
    )

    @property
    def done(self) -> bool:
        """True once the batch has ended (completed, failed, cancelled or expired)."""
        return self.status in TERMINAL

    @property
    def progress(self) -> float | None:
        """0..1 from the provider's counts (1.0 once completed), else None."""
        return 1.0 if self.status == "completed" else self.counts.progress

    def with_state(self, state: BatchState, *, elapsed_s: float | None = None, poll: bool = True) -> BatchJob:
        """This job updated by one poll (fields a provider leaves out keep their last value)."""
        update: dict[str, Any] = {
            "status": state.status,
            "raw_status": state.raw_status,
            "counts": state.counts,
            "output": state.output,
            "errors": state.errors,
            "polls": self.polls + (1 if poll else 0),
        }
        for name in ("model", "endpoint", "created_at", "expires_at", "ended_at", "input_file_id", "usage"):
            value = getattr(state, name)
            if value is not None:
                update[name] = value
        if elapsed_s is not None:
            update["elapsed_s"] = round(elapsed_s, 3)
        return self.model_copy(update=update)


@dataclass(frozen=True)
class RawLine:
    """One request's outcome as the provider wrote it, before it is parsed into a result or an error.

    `body` is the response body for a success and the error body (the provider's own envelope) for a
    failure; `status` the failed request's HTTP status where the provider gives one.
    """

    custom_id: str | None
    outcome: Literal["succeeded", "failed", "expired", "cancelled"]
    body: dict[str, Any] | None = None
    status: int | None = None
    request_id: str | None = None
    message: str | None = None
    code: str | None = None


@dataclass
class BatchRow:
    """One input's outcome: a result, or a typed error saying why there is none."""

    index: int | None  # the input's position; None for an output line no input claims
    custom_id: str
    status: RowStatus
    result: ChatResult | None = None
    error: LLMKitError | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None

    def to_dict(self) -> dict[str, Any]:
        """A plain dict: index, custom_id, status, text, tokens, cost, error."""
        r = self.result
        return {
            "index": self.index,
            "custom_id": self.custom_id,
            "status": self.status,
            "text": r.text if r is not None else None,
            "input_tokens": r.usage.input_tokens if r is not None else None,
            "output_tokens": r.usage.output_tokens if r is not None else None,
            "cost_usd": r.cost_usd if r is not None else None,
            "error": f"{type(self.error).__name__}: {self.error}" if self.error is not None else None,
        }


@dataclass
class BatchResults:
    """Every input's row in input order (then any output line no input claims); nothing is dropped."""

    job: BatchJob
    rows: list[BatchRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __getitem__(self, index: int) -> BatchRow:
        return self.rows[index]

    @property
    def results(self) -> list[ChatResult]:
        """The successful results, in input order."""
        return [row.result for row in self.rows if row.result is not None]

    @property
    def errors(self) -> list[BatchRow]:
        """The rows without a result (failed, expired, cancelled, missing), each with its typed error."""
        return [row for row in self.rows if row.result is None]

    @property
    def texts(self) -> list[str | None]:
        """One answer per input, in input order (None where the request has no result)."""
        return [row.result.text if row.result is not None else None for row in self.rows]

    def counts(self) -> dict[str, int]:
        """How many rows have each status."""
        out: dict[str, int] = {}
        for row in self.rows:
            out[row.status] = out.get(row.status, 0) + 1
        return out

    @property
    def usage(self) -> Usage:
        """Token totals over the successful results."""
        totals = {"input_tokens": 0, "output_tokens": 0, "reasoning_tokens": 0}
        for r in self.results:
            for name in totals:
                totals[name] += getattr(r.usage, name) or 0
        return Usage(**totals, total_tokens=totals["input_tokens"] + totals["output_tokens"])

    @property
    def cost_usd(self) -> float | None:
        """The batch's cost at catalog prices with the batch discount (None if nothing is priced)."""
        costs = [r.cost_usd for r in self.results if r.cost_usd is not None]
        return sum(costs) if costs else None

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every row as a plain dict (e.g. for pandas.DataFrame)."""
        return [row.to_dict() for row in self.rows]
