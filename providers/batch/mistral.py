"""Mistral batch jobs: inline requests or an uploaded JSONL file, a job to poll, result files to read.

Wire facts (wire/tools-batch.md §9.5; mistralai 3.7.0 `client/jobs.py`, `client/files.py`,
`client/models/batchjob.py`, `createbatchjobrequest.py`, `extra/batch/client.py`):

* Inline: `POST /v1/batch/jobs {"endpoint": "/v1/chat/completions", "model", "requests": [{"custom_id",
  "body"}], "metadata"?, "timeout_hours": 24}`. File: `POST /v1/files` multipart (`purpose=batch`,
  the SDK adds `visibility=workspace`), lines `{"custom_id", "body"}`, then `"input_files": [id]`.
  The SDK's batch helper sends up to 1,000 requests inline and uploads more; so do we by default.
* `GET /v1/batch/jobs/{id}`: `status` QUEUED | RUNNING | SUCCESS | FAILED | TIMEOUT_EXCEEDED |
  CANCELLATION_REQUESTED | CANCELLED; `total_requests, completed_requests, succeeded_requests,
  failed_requests`; `errors [{message, count}]`; `output_file`, `error_file`; unix timestamps.
  `?inline=true` returns the results in `outputs`. Cancel: `POST /v1/batch/jobs/{id}/cancel`.
* `GET /v1/files/{id}/content`, lines `{"custom_id", "response": {"status_code", "body"}, "error"}`;
  an `error` or a `status_code` >= 400 is a failure (the SDK's `_parse_output_obj`).
  TIMEOUT_EXCEEDED keeps what finished; the rest are expired rows.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2

from ..chat.base import Connection, auth_headers
from ..chat.mistral import Mistral
from ..errors import InvalidParameterError, ProviderError
from ..jobs import JobTiming
from ..multipart import multipart
from ..types import HttpCall
from .base import BatchSpec, InputKind, as_obj, iso, read_jsonl
from .types import BatchCounts, BatchOutput, BatchState, BatchStatus, RawLine

__all__ = ["STATUS", "MistralBatch"]

STATUS: dict[str, BatchStatus] = {
    "QUEUED": "queued",
    "RUNNING": "running",
    "SUCCESS": "completed",
    "FAILED": "failed",
    "TIMEOUT_EXCEEDED": "expired",
    "CANCELLATION_REQUESTED": "cancelling",
    "CANCELLED": "cancelled",
}
INLINE_REQUESTS = 1_000  # extra/batch/client.py run(inline_threshold=1000)
MAX_REQUESTS = 1_000_000


class MistralBatch:
    """Mistral's batch jobs API."""

    provider = "mistral"
    timing = JobTiming(first_s=5.0, factor=1.5, max_s=60.0)
    request_id_header = "x-request-id"

    def check_custom_id(self, custom_id: str) -> str | None:
        return None if custom_id else "a custom_id is a non-empty string"

    def _v1(self, conn: Connection) -> str:
        return conn.base_url.rstrip("/")

    def endpoint(self, call: HttpCall, conn: Connection) -> str:
        return "/v1" + call.url.removeprefix(self._v1(conn))

    def choose_input(self, count: int, size: int, wanted: InputKind | None) -> InputKind:
        if count > MAX_REQUESTS:
            raise InvalidParameterError(
                f"a Mistral batch takes at most {MAX_REQUESTS:,} requests; got {count:,}: split them"
            )
        return wanted or ("inline" if count <= INLINE_REQUESTS else "file")

    def file_lines(self, spec: BatchSpec) -> list[dict[str, Any]]:
        return [
            {"custom_id": cid, "body": body} for cid, body in zip(spec.custom_ids, spec.bodies, strict=True)
        ]

    def _headers(self, conn: Connection) -> dict[str, str]:
        return {**auth_headers(conn), **conn.extra_headers}

    def upload(self, data: bytes, conn: Connection, *, name: str) -> HttpCall:
        content_type, body = multipart(
            {"visibility": "workspace", "purpose": "batch"}, (name, data, "application/jsonl")
        )
        return HttpCall(
            url=self._v1(conn) + "/files",
            headers={"content-type": content_type, **self._headers(conn)},
            content=body,
            sent={"purpose": "batch", "file": f"<{name}, {len(data):,} bytes>"},
        )

    def parse_upload(
        self, status: int, headers: httpx2.Headers, payload: Any, *, data: bytes, conn: Connection
    ) -> str | HttpCall:
        file_id = payload.get("id") if isinstance(payload, dict) else None
        if not isinstance(file_id, str) or not file_id:
            raise ProviderError("mistral answered the file upload without a file id", provider=self.provider)
        return file_id

    def create(self, spec: BatchSpec, conn: Connection) -> HttpCall:
        body: dict[str, Any] = {"endpoint": spec.endpoint, "model": spec.model}
        if spec.input == "file":
            body["input_files"] = [spec.file_id]
        else:
            body["requests"] = [
                {"custom_id": cid, "body": b} for cid, b in zip(spec.custom_ids, spec.bodies, strict=True)
            ]
        if spec.metadata:
            body["metadata"] = spec.metadata
        body["timeout_hours"] = 24
        sent = {k: v for k, v in body.items() if k != "requests"}
        if "requests" in body:
            sent["requests"] = f"<{len(body['requests'])} requests>"
        return HttpCall(
            url=self._v1(conn) + "/batch/jobs",
            headers={"content-type": "application/json", **self._headers(conn)},
            json_body=body,
            sent=sent,
        )

    def poll(self, native_id: str, conn: Connection) -> HttpCall:
        return HttpCall(
            method="GET", url=f"{self._v1(conn)}/batch/jobs/{native_id}", headers=self._headers(conn)
        )

    def cancel(self, native_id: str, conn: Connection) -> HttpCall:
        return HttpCall(url=f"{self._v1(conn)}/batch/jobs/{native_id}/cancel", headers=self._headers(conn))

    def parse_job(self, payload: Any) -> BatchState:
        if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
            raise ProviderError("mistral sent a batch job without an id", provider=self.provider)
        raw = str(payload.get("status") or "")
        errors = [
            f"{e.get('message')}" + (f" (x{e['count']})" if (e.get("count") or 1) > 1 else "")
            for e in payload.get("errors") or []
            if isinstance(e, dict)
        ]
        return BatchState(
            native_id=payload["id"],
            status=STATUS.get(raw, "running"),
            raw_status=raw,
            counts=BatchCounts(
                total=payload.get("total_requests"),
                succeeded=payload.get("succeeded_requests") or 0,
                failed=payload.get("failed_requests") or 0,
            ),
            model=payload.get("model"),
            endpoint=payload.get("endpoint"),
            created_at=iso(payload.get("created_at")),
            ended_at=iso(payload.get("completed_at")),
            input_file_id=(payload.get("input_files") or [None])[0],
            output=BatchOutput(
                output_file_id=payload.get("output_file"),
                error_file_id=payload.get("error_file"),
                inline=[o for o in payload["outputs"] if isinstance(o, dict)]
                if isinstance(payload.get("outputs"), list)
                else None,
            ),
            errors=errors,
        )

    def result_calls(self, state: BatchState, conn: Connection) -> list[HttpCall]:
        files = [f for f in (state.output.output_file_id, state.output.error_file_id) if f]
        if not files:  # an inline job without result files: ask for the results inline
            call = self.poll(state.native_id, conn)
            return [call.model_copy(update={"params": {"inline": "true"}})]
        headers = {"accept": "application/octet-stream", **self._headers(conn)}
        return [
            HttpCall(method="GET", url=f"{self._v1(conn)}/files/{f}/content", headers=headers) for f in files
        ]

    def parse_results(self, state: BatchState, bodies: list[bytes]) -> tuple[list[RawLine], list[str]]:
        lines: list[RawLine] = [_line(o) for o in state.output.inline or []]
        notes: list[str] = []
        files = state.output.output_file_id or state.output.error_file_id
        for body in bodies:
            if not files:
                try:
                    job = json.loads(body)
                except ValueError:
                    notes.append(f"the inline results are not JSON: {body[:80]!r}")
                    continue
                lines += [_line(o) for o in (job.get("outputs") or []) if isinstance(o, dict)]
                continue
            objects, bad = read_jsonl(body)
            notes += bad
            lines += [_line(obj) for obj in objects]
        return lines, notes

    def parse_error(self, provider: str, status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
        return Mistral().parse_error(provider, status, headers, body)


def _line(obj: dict[str, Any]) -> RawLine:
    custom_id = obj.get("custom_id")
    custom_id = str(custom_id) if custom_id is not None else None
    response = as_obj(obj.get("response"))
    status = response.get("status_code")
    raw_body = response.get("body")
    body = raw_body if isinstance(raw_body, dict) else None
    error = obj.get("error")
    if error is None and body is not None and not (isinstance(status, int) and status >= 400):
        return RawLine(custom_id, "succeeded", body=body, status=status)
    message = error.get("message") if isinstance(error, dict) else (str(error) if error else None)
    return RawLine(
        custom_id,
        "failed",
        body=body if body is not None else ({"message": message} if message else None),
        status=status if isinstance(status, int) else None,
        message=message,
        code=error.get("code") if isinstance(error, dict) else None,
    )
