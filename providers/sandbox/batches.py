"""Sandbox batches (shared by the OpenAI, Anthropic, Gemini and Mistral batch emulators) and uploaded files.

Every request in a batch is answered at creation as its chat endpoint answers it -- the strict
sandbox's schema and rules, then the provider's own sandbox chat handler -- so a request the real API
would refuse fails in its row, with the provider's own error; the answers are then revealed
one step per poll of the batch, never per second, so a test watches the states go by without
waiting and a notebook sees them as fast as it polls:

    poll 0 (the create reply)  queued       nothing done
    poll 1                     running      half the requests done
    poll 2                     finalizing   all done (a provider without this state: still running)
    poll 3 and later           ended        results available

How to ask for failures (put the mark anywhere in a request's text):

    "[sandbox:fail]"     that request fails with the provider's per-request error (a 400-style error row)
    "[sandbox:expired]"  the batch's window closes at that request: it and every later one expire,
                         and the batch ends expired (OpenAI `expired`, Anthropic `expired` results,
                         Gemini BATCH_STATE_EXPIRED, Mistral TIMEOUT_EXCEEDED)
    "[sandbox:stuck]"    the batch never finishes (for timeouts)

A cancel moves the batch to the provider's cancelling state, and to cancelled on the next poll:
the requests done by then keep their results, the rest are cancelled. Invalid input (a malformed
line, a duplicate custom id, a wrong endpoint...) fails the whole batch the way each API does.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from .wire import Call, ProviderSpec, Reply, dumps

__all__ = [
    "MARKS",
    "BatchItem",
    "SandboxBatch",
    "SandboxFile",
    "Stage",
    "answer",
    "batches",
    "files",
    "item_call",
    "mark_of",
    "public_base",
    "rfc3339",
    "serial_uuid",
]

MARKS = {"fail": "[sandbox:fail]", "expired": "[sandbox:expired]", "stuck": "[sandbox:stuck]"}
Stage = Literal["queued", "running", "finalizing", "ended", "expired", "cancelling", "cancelled", "failed"]


def mark_of(body: Any) -> str:
    """The outcome a request body asks for: 'fail', 'expired', 'stuck' or 'ok'."""
    text = dumps(body) if not isinstance(body, str) else body
    for outcome, mark in MARKS.items():
        if mark in text:
            return outcome
    return "ok"


@dataclass
class BatchItem:
    """One request's answer, decided at creation: ok or failed (status + body), or expired."""

    custom_id: str
    outcome: Literal["ok", "fail", "expired"]
    status: int = 200
    body: Any = None
    request_id: str = ""


@dataclass
class SandboxBatch:
    """One emulated batch: its requests' answers, how many times it was polled, how it will end."""

    id: str
    provider: str
    created: int
    items: list[BatchItem]
    info: dict[str, Any] = field(default_factory=dict)  # the provider's own fields (endpoint, model, ...)
    polls: int = 0
    cancel_at: int | None = None  # the poll count when the cancel was asked
    stuck: bool = False
    invalid: list[dict[str, Any]] = field(default_factory=list)  # validation errors: the batch fails
    deleted: bool = False
    files: dict[str, str] = field(default_factory=dict)  # output / error file ids once ended

    @functools.cached_property
    def first_expired(self) -> int:
        """Where the window closes: the first request marked to expire (the items never change)."""
        return next((i for i, item in enumerate(self.items) if item.outcome == "expired"), len(self.items))

    def _processed_after(self, polls: int) -> int:
        n = len(self.items)
        done = 0 if polls <= 0 else (n // 2 if polls == 1 or self.stuck else n)
        return min(done, self.first_expired)

    @property
    def processed(self) -> int:
        """How many requests have their answer now (in input order)."""
        if self.invalid:
            return 0
        if self.cancel_at is not None:
            return self._processed_after(self.cancel_at)
        return self._processed_after(self.polls)

    @property
    def stage(self) -> Stage:
        """Where the batch stands after `polls` polls."""
        if self.invalid:
            return "queued" if self.polls == 0 else "failed"
        if self.cancel_at is not None:
            return "cancelling" if self.polls <= self.cancel_at else "cancelled"
        if self.stuck:
            return "queued" if self.polls == 0 else "running"
        if self.polls <= 0:
            return "queued"
        if self.polls == 1:
            return "running"
        if self.polls == 2:
            return "finalizing"
        return "expired" if self.first_expired < len(self.items) else "ended"

    @property
    def ended(self) -> bool:
        return self.stage in ("ended", "expired", "cancelled", "failed")

    def outcome(self, index: int) -> str:
        """A request's outcome as of now: ok | fail | pending | expired | cancelled."""
        if index < self.processed:
            return self.items[index].outcome
        if not self.ended:
            return "pending"
        return {"expired": "expired", "cancelled": "cancelled"}.get(self.stage, "pending")

    def counts(self) -> dict[str, int]:
        """ok / fail / expired / cancelled / pending counts as of now."""
        out = {"ok": 0, "fail": 0, "expired": 0, "cancelled": 0, "pending": 0}
        done = self.processed
        for item in self.items[:done]:
            out[item.outcome] += 1
        rest = len(self.items) - done
        if rest:
            tail = (
                {"expired": "expired", "cancelled": "cancelled"}.get(self.stage, "pending")
                if self.ended
                else "pending"
            )
            out[tail] += rest
        return out

    def cancel(self) -> None:
        if not self.ended and self.cancel_at is None:
            self.cancel_at = self.polls


@dataclass
class SandboxFile:
    """An uploaded or generated file (OpenAI, Mistral, Gemini Files APIs)."""

    id: str
    provider: str
    filename: str
    purpose: str
    data: bytes
    created: int
    mime_type: str = "application/jsonl"
    extra: dict[str, Any] = field(default_factory=dict)


def batches(call: Call) -> dict[str, SandboxBatch]:
    """This app's batches (kept in the app's state, so each SandboxApp has its own)."""
    found: dict[str, SandboxBatch] = call.state.setdefault("batches", {})
    return found


def files(call: Call) -> dict[str, SandboxFile]:
    """This app's files."""
    found: dict[str, SandboxFile] = call.state.setdefault("files", {})
    return found


def serial_uuid(serial: str) -> str:
    """A UUID made from a request serial (Mistral ids)."""
    return str(uuid.UUID(hashlib.sha256(serial.encode()).hexdigest()[:32], version=4))


def item_call(
    call: Call, batch_id: str, index: int, body: Any, *, params: dict[str, str] | None = None
) -> Call:
    """The Call one batch request is answered with: the batch call's headers, its own ids."""
    serial = hashlib.sha256(f"{batch_id}-{index}".encode()).hexdigest()[:24]
    return Call(
        body,
        call.headers,
        "req_" + serial,
        call.created,
        serial,
        params=params or {},
        state=call.state,
        strict=call.strict,
    )


def answer(sub: Call, spec: ProviderSpec, route: str, handler: Callable[[Call], Reply]) -> Reply:
    """One batch request answered the way its chat endpoint answers it: under the strict sandbox the
    endpoint's schema and rules first -- a request the API would refuse fails in its own row, in the
    API's own words, as the live batch APIs report it -- then the handler."""
    if sub.strict:
        from .validate import check

        if (refused := check(spec, "POST", route, sub)) is not None:
            return refused
    return handler(sub)


def rfc3339(epoch: int) -> str:
    """2026-12-04T10:00:00Z (Anthropic and Google timestamps)."""
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def public_base(call: Call, provider: str, real_host: str) -> str:
    """The provider's base URL as this request reached it: the real host in-process, the server's otherwise."""
    host = call.headers.get("host", "")
    if host.rsplit(":", 1)[0].lower() == real_host:
        return f"https://{real_host}"
    return f"http://{host or '127.0.0.1'}/{provider}"
