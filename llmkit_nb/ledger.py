"""The spend ledger: every call a kit makes, with tokens, latency and cost at catalog prices.

`kit.usage()` returns the ledger; it renders as a table with a small bar chart of spend per model
and converts to plain data with `.to_dicts()`. Costs are estimates at the catalog's dated list
prices (standard tier, no cache or long-context adjustments; a provider batch is one entry at its batch
discount); sandbox calls are priced the same way
and marked as sandbox, so a notebook can rehearse a budget offline.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from providers.types import ChatResult

__all__ = ["Ledger", "LedgerEntry"]


@dataclass(frozen=True)
class LedgerEntry:
    """One call: what it was, what it used, what it cost (None where unknown)."""

    at: float
    kind: str
    provider: str
    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None
    latency_s: float | None = None
    cost_usd: float | None = None
    sandbox: bool = False
    error: str | None = None
    cached: bool = False


class Ledger:
    """An append-only record of a kit's calls."""

    def __init__(self) -> None:
        self._entries: list[LedgerEntry] = []
        self._batches: set[str] = set()

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Any:
        return iter(self._entries)

    def __repr__(self) -> str:
        return f"Ledger({len(self)} calls, ${self.total_cost():.4f})"

    def record_chat(self, result: ChatResult, *, kind: str = "chat") -> None:
        """Record a finished (or partial) chat result; a tool loop's turns each get their own entry."""
        if result.steps:
            for i, step in enumerate(result.steps, 1):
                self.record_chat(step, kind=f"{kind} (turn {i}/{len(result.steps)})")
            return
        u = result.usage
        self._entries.append(
            LedgerEntry(
                at=time.time(),
                kind=kind,
                provider=result.provider,
                model=result.model,
                input_tokens=u.input_tokens,
                output_tokens=u.output_tokens,
                reasoning_tokens=u.reasoning_tokens,
                latency_s=result.latency_s,
                cost_usd=result.cost_usd,
                sandbox=result.sandbox,
                error="incomplete" if result.incomplete else None,
                cached=result.cached,
            )
        )

    def record_error(
        self, model: str, exc: BaseException, *, kind: str = "chat", sandbox: bool = False
    ) -> None:
        """Record a call that failed (nothing billed as far as we know)."""
        provider, _, name = model.partition("/")
        self._entries.append(
            LedgerEntry(
                at=time.time(),
                kind=kind,
                provider=provider,
                model=name,
                sandbox=sandbox,
                error=type(exc).__name__,
            )
        )

    def record_result(self, result: Any, *, kind: str) -> None:
        """Record a speech, transcript, video or image result (fields it lacks stay None)."""
        self._entries.append(
            LedgerEntry(
                at=time.time(),
                kind=kind,
                provider=str(getattr(result, "provider", "") or ""),
                model=str(getattr(result, "model", "") or ""),
                latency_s=getattr(result, "latency_s", None) or getattr(result, "elapsed_s", None),
                cost_usd=getattr(result, "cost_usd", None),
                sandbox=bool(getattr(result, "sandbox", False)),
            )
        )

    def record_batch(self, results: Any) -> None:
        """Record a provider batch once (one entry: its tokens and its cost at the batch discount)."""
        job = results.job
        if job.id in self._batches:
            return
        self._batches.add(job.id)
        usage = results.usage
        failed = len(results.errors)
        self._entries.append(
            LedgerEntry(
                at=time.time(),
                kind="batch",
                provider=job.provider,
                model=job.model or "",
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                reasoning_tokens=usage.reasoning_tokens,
                latency_s=job.elapsed_s or None,
                cost_usd=results.cost_usd,
                sandbox=job.sandbox,
                error=f"{failed} of {len(results)} requests without a result" if failed else None,
            )
        )

    def record(self, entry: LedgerEntry) -> None:
        """Record any other kind of call (speech, transcription, video...)."""
        self._entries.append(entry)

    def clear(self) -> None:
        self._entries.clear()
        self._batches.clear()

    def total_cost(self) -> float:
        return sum(e.cost_usd or 0.0 for e in self._entries)

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every entry as a plain dict (e.g. for pandas.DataFrame)."""
        return [asdict(e) for e in self._entries]

    def by_model(self) -> list[dict[str, Any]]:
        """Totals per provider/model: calls, tokens, reasoning tokens, cost."""
        totals: dict[str, dict[str, Any]] = {}
        for e in self._entries:
            row = totals.setdefault(
                f"{e.provider}/{e.model}",
                {
                    "model": f"{e.provider}/{e.model}",
                    "calls": 0,
                    "errors": 0,
                    "input_tokens": 0,
                    "output_tokens": 0,
                    "reasoning_tokens": 0,
                    "cost_usd": None,
                    "sandbox": e.sandbox,
                },
            )
            row["calls"] += 1
            row["errors"] += 1 if e.error and e.error != "incomplete" else 0
            row["input_tokens"] += e.input_tokens or 0
            row["output_tokens"] += e.output_tokens or 0
            row["reasoning_tokens"] += e.reasoning_tokens or 0
            if e.cost_usd is not None:
                row["cost_usd"] = (row["cost_usd"] or 0.0) + e.cost_usd
        return sorted(totals.values(), key=lambda r: -(r["cost_usd"] or 0.0))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from .display.ledger import render_ledger, render_plain_ledger

        return {"text/plain": render_plain_ledger(self), "text/html": render_ledger(self)}
