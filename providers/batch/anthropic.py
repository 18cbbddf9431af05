"""Anthropic Message Batches: the requests inline, poll the batch, read the results JSONL.

Wire facts (wire/tools-batch.md §9.2; anthropic-python 2.17.0 `resources/messages/batches.py`,
`types/messages/*`):

* `POST /v1/messages/batches {"requests": [{"custom_id", "params": <a non-streaming Messages body>}]}`
  with the Messages headers (`x-api-key`, `anthropic-version`). custom_id: 1-64 characters of
  `[a-zA-Z0-9_-]`, unique in the batch; up to 100,000 requests or 256 MB.
* The batch: `processing_status` in_progress | canceling | ended; `request_counts {processing,
  succeeded, errored, canceled, expired}` (all but processing stay 0 until it ends); RFC 3339
  timestamps; `results_url` once ended. `GET /v1/messages/batches/{id}`, `POST .../{id}/cancel`.
* Results: `GET results_url` (the SDK sends `Accept: application/binary`), one line per request,
  not in request order: `{"custom_id", "result": {"type": "succeeded", "message"} | {"type":
  "errored", "error": {"type": "error", "error": {type, message}}} | {"type": "expired"} |
  {"type": "canceled"}}`.

"ended" says nothing about how it ended: a batch whose cancel was initiated is `cancelled` here,
one with expired requests `expired`, else `completed` (the rows tell each request's outcome).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import httpx2

from ..chat.anthropic import API_VERSION, Anthropic
from ..chat.base import Connection, auth_headers
from ..errors import InvalidParameterError, ProviderError
from ..jobs import JobTiming
from ..types import HttpCall
from .base import BatchSpec, InputKind, as_obj, iso, read_jsonl
from .types import BatchCounts, BatchOutput, BatchState, BatchStatus, RawLine

__all__ = ["ERROR_STATUS", "AnthropicBatch"]

CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MAX_REQUESTS = 100_000
MAX_BYTES = 256_000_000
ERROR_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}


class AnthropicBatch:
    """Anthropic's Message Batches API."""

    provider = "anthropic"
    timing = JobTiming(first_s=5.0, factor=1.5, max_s=60.0)
    request_id_header = "request-id"

    def check_custom_id(self, custom_id: str) -> str | None:
        if CUSTOM_ID.match(custom_id):
            return None
        return "Anthropic custom ids are 1 to 64 characters of letters, digits, '_' and '-'"

    def endpoint(self, call: HttpCall, conn: Connection) -> str:
        return "/v1/messages"

    def choose_input(self, count: int, size: int, wanted: InputKind | None) -> InputKind:
        if wanted == "file":
            raise InvalidParameterError(
                "Anthropic Message Batches take inline requests only: leave input= unset"
            )
        if count > MAX_REQUESTS or size > MAX_BYTES:
            raise InvalidParameterError(
                f"an Anthropic batch takes at most {MAX_REQUESTS:,} requests and 256 MB; got {count:,} "
                f"requests, {size / 1e6:.0f} MB: split them"
            )
        return "inline"

    def file_lines(self, spec: BatchSpec) -> list[dict[str, Any]]:
        raise InvalidParameterError("Anthropic Message Batches take no input file")

    def _headers(self, conn: Connection) -> dict[str, str]:
        return {
            "anthropic-version": conn.api_version or API_VERSION,
            **auth_headers(conn),
            **conn.extra_headers,
        }

    def _root(self, conn: Connection) -> str:
        return conn.base_url.rstrip("/") + "/v1/messages/batches"

    def upload(self, data: bytes, conn: Connection, *, name: str) -> HttpCall:
        raise InvalidParameterError("Anthropic Message Batches take no input file")

    def parse_upload(
        self, status: int, headers: httpx2.Headers, payload: Any, *, data: bytes, conn: Connection
    ) -> str | HttpCall:
        raise InvalidParameterError("Anthropic Message Batches take no input file")

    def create(self, spec: BatchSpec, conn: Connection) -> HttpCall:
        requests = [
            {"custom_id": cid, "params": body} for cid, body in zip(spec.custom_ids, spec.bodies, strict=True)
        ]
        return HttpCall(
            url=self._root(conn),
            headers={"content-type": "application/json", **self._headers(conn)},
            json_body={"requests": requests},
            sent={"requests": f"<{len(requests)} requests>"},
        )

    def poll(self, native_id: str, conn: Connection) -> HttpCall:
        return HttpCall(method="GET", url=f"{self._root(conn)}/{native_id}", headers=self._headers(conn))

    def cancel(self, native_id: str, conn: Connection) -> HttpCall:
        return HttpCall(url=f"{self._root(conn)}/{native_id}/cancel", headers=self._headers(conn))

    def parse_job(self, payload: Any) -> BatchState:
        if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
            raise ProviderError("anthropic sent a batch object without an id", provider=self.provider)
        raw = str(payload.get("processing_status") or "")
        c = payload.get("request_counts") or {}
        counts = BatchCounts(
            total=sum(
                int(c.get(k) or 0) for k in ("processing", "succeeded", "errored", "canceled", "expired")
            )
            or None,
            succeeded=int(c.get("succeeded") or 0),
            failed=int(c.get("errored") or 0),
            cancelled=int(c.get("canceled") or 0),
            expired=int(c.get("expired") or 0),
        )
        status: BatchStatus
        if raw == "ended":
            if payload.get("cancel_initiated_at"):
                status = "cancelled"
            elif counts.expired:
                status = "expired"
            else:
                status = "completed"
        elif raw == "canceling":
            status = "cancelling"
        else:
            status = "running"
        return BatchState(
            native_id=payload["id"],
            status=status,
            raw_status=raw,
            counts=counts,
            endpoint="/v1/messages",
            created_at=iso(payload.get("created_at")),
            expires_at=iso(payload.get("expires_at")),
            ended_at=iso(payload.get("ended_at")),
            output=BatchOutput(results_url=payload.get("results_url")),
            errors=["the batch was archived: its results are no longer available"]
            if payload.get("archived_at")
            else [],
        )

    def result_calls(self, state: BatchState, conn: Connection) -> list[HttpCall]:
        url = state.output.results_url
        if not url:
            return []
        # our key goes only to the host we were configured for: a results URL elsewhere is rebuilt on it
        if urlsplit(url).netloc != urlsplit(conn.base_url).netloc:
            url = f"{self._root(conn)}/{state.native_id}/results"
        return [
            HttpCall(method="GET", url=url, headers={"accept": "application/binary", **self._headers(conn)})
        ]

    def parse_results(self, state: BatchState, bodies: list[bytes]) -> tuple[list[RawLine], list[str]]:
        lines: list[RawLine] = []
        notes: list[str] = []
        for body in bodies:
            objects, bad = read_jsonl(body)
            notes += bad
            lines += [_line(obj) for obj in objects]
        return lines, notes

    def parse_error(self, provider: str, status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
        return Anthropic().parse_error(provider, status, headers, body)


def _line(obj: dict[str, Any]) -> RawLine:
    custom_id = obj.get("custom_id")
    custom_id = str(custom_id) if custom_id is not None else None
    result = as_obj(obj.get("result"))
    kind = result.get("type")
    if kind == "succeeded" and isinstance(result.get("message"), dict):
        return RawLine(custom_id, "succeeded", body=result["message"])
    if kind == "expired":
        return RawLine(custom_id, "expired", message="the batch expired before this request was processed")
    if kind == "canceled":
        return RawLine(
            custom_id, "cancelled", message="the batch was cancelled before this request was processed"
        )
    envelope = as_obj(result.get("error"))
    inner = as_obj(envelope.get("error"))
    etype = inner.get("type")
    return RawLine(
        custom_id,
        "failed",
        body=envelope or None,
        status=ERROR_STATUS.get(str(etype), 500 if etype else None),
        request_id=envelope.get("request_id"),
        message=inner.get("message") or (f"unknown result type {kind!r}" if kind != "errored" else None),
        code=etype,
    )
