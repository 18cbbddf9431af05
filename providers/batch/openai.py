"""OpenAI Batch: upload a JSONL file (`purpose=batch`), create the batch, poll it, read two files.

Wire facts (wire/tools-batch.md §9.1; openai-python 3.60.0 `resources/batches.py`, `files.py`,
`types/batch.py`, `types/file_object.py`):

1. `POST /v1/files`, multipart: `purpose=batch` and the file. Each line
   `{"custom_id", "method": "POST", "url": "/v1/responses", "body": {...}}`; custom ids unique; every
   line's `url` is the batch's endpoint; one model per file; up to 50,000 requests and 200 MB.
2. `POST /v1/batches {"input_file_id", "endpoint", "completion_window": "24h", "metadata"?}`.
3. `GET /v1/batches/{id}`: `status` validating | in_progress | finalizing | completed | failed |
   expired | cancelling | cancelled; `request_counts {total, completed, failed}`; `errors.data[]`
   (validation failures, each with its `line`); `output_file_id`, `error_file_id`; unix timestamps.
   `POST /v1/batches/{id}/cancel`.
4. `GET /v1/files/{id}/content` (the SDK sends `Accept: application/binary`). Output line
   `{"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error": null}`; a failed
   request has `status_code` >= 400 and the error envelope as `body`; a request the window closed on
   has `"response": null, "error": {"code": "batch_expired", ...}`. Lines are joined on `custom_id`.
"""

from __future__ import annotations

from typing import Any

import httpx2

from ..chat.base import Connection, auth_headers, error_from_body
from ..chat.openai import _usage as responses_usage  # the batch's usage has the Responses shape
from ..chat.openai_common import openai_error
from ..errors import InvalidParameterError, ProviderError
from ..jobs import JobTiming
from ..multipart import multipart
from ..types import HttpCall
from .base import BatchSpec, InputKind, as_obj, iso, read_jsonl
from .types import BatchCounts, BatchOutput, BatchState, BatchStatus, RawLine

__all__ = ["STATUS", "OpenAIBatch"]

STATUS: dict[str, BatchStatus] = {
    "validating": "queued",
    "in_progress": "running",
    "finalizing": "finalizing",
    "completed": "completed",
    "failed": "failed",
    "expired": "expired",
    "cancelling": "cancelling",
    "cancelled": "cancelled",
}
ENDPOINTS = ("/v1/responses", "/v1/chat/completions")
MAX_REQUESTS = 50_000
MAX_FILE_BYTES = 200_000_000


def _v1(conn: Connection) -> str:
    return conn.base_url.rstrip("/")


class OpenAIBatch:
    """The OpenAI Batch API (files + batches)."""

    provider = "openai"
    timing = JobTiming(first_s=5.0, factor=1.5, max_s=60.0)
    request_id_header = "x-request-id"

    def check_custom_id(self, custom_id: str) -> str | None:
        return None if custom_id else "a custom_id is a non-empty string"

    def endpoint(self, call: HttpCall, conn: Connection) -> str:
        path = "/v1" + call.url.removeprefix(_v1(conn))
        if path not in ENDPOINTS:
            raise InvalidParameterError(
                f"OpenAI Batch takes {', '.join(ENDPOINTS)}; this call goes to {path}"
            )
        return path

    def choose_input(self, count: int, size: int, wanted: InputKind | None) -> InputKind:
        if wanted == "inline":
            raise InvalidParameterError("OpenAI Batch takes an uploaded file only: leave input= unset")
        if count > MAX_REQUESTS:
            raise InvalidParameterError(
                f"OpenAI Batch takes at most {MAX_REQUESTS:,} requests per batch; got {count:,}: split them"
            )
        if size > MAX_FILE_BYTES:
            raise InvalidParameterError(
                f"OpenAI Batch input files are at most 200 MB; these requests make {size / 1e6:.0f} MB: split them"
            )
        return "file"

    def file_lines(self, spec: BatchSpec) -> list[dict[str, Any]]:
        return [
            {"custom_id": cid, "method": "POST", "url": spec.endpoint, "body": body}
            for cid, body in zip(spec.custom_ids, spec.bodies, strict=True)
        ]

    def _headers(self, conn: Connection) -> dict[str, str]:
        return {**auth_headers(conn), **conn.extra_headers}

    def upload(self, data: bytes, conn: Connection, *, name: str) -> HttpCall:
        content_type, body = multipart({"purpose": "batch"}, (name, data, "application/jsonl"))
        return HttpCall(
            url=_v1(conn) + "/files",
            headers={"content-type": content_type, **self._headers(conn)},
            content=body,
            sent={"purpose": "batch", "file": f"<{name}, {len(data):,} bytes>"},
        )

    def parse_upload(
        self, status: int, headers: httpx2.Headers, payload: Any, *, data: bytes, conn: Connection
    ) -> str | HttpCall:
        file_id = payload.get("id") if isinstance(payload, dict) else None
        if not isinstance(file_id, str) or not file_id:
            raise ProviderError("openai answered the file upload without a file id", provider=self.provider)
        return file_id

    def create(self, spec: BatchSpec, conn: Connection) -> HttpCall:
        body: dict[str, Any] = {
            "input_file_id": spec.file_id,
            "endpoint": spec.endpoint,
            "completion_window": "24h",
        }
        if spec.metadata:
            body["metadata"] = spec.metadata
        return HttpCall(
            url=_v1(conn) + "/batches",
            headers={"content-type": "application/json", **self._headers(conn)},
            json_body=body,
            sent=dict(body),
        )

    def poll(self, native_id: str, conn: Connection) -> HttpCall:
        return HttpCall(method="GET", url=f"{_v1(conn)}/batches/{native_id}", headers=self._headers(conn))

    def cancel(self, native_id: str, conn: Connection) -> HttpCall:
        return HttpCall(url=f"{_v1(conn)}/batches/{native_id}/cancel", headers=self._headers(conn))

    def parse_job(self, payload: Any) -> BatchState:
        if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
            raise ProviderError("openai sent a batch object without an id", provider=self.provider)
        raw = str(payload.get("status") or "")
        counts = payload.get("request_counts") or {}
        errors = ((payload.get("errors") or {}).get("data")) or []
        usage = payload.get("usage") or None
        ended = next(
            (
                payload.get(k)
                for k in ("completed_at", "failed_at", "expired_at", "cancelled_at")
                if payload.get(k)
            ),
            None,
        )
        return BatchState(
            native_id=payload["id"],
            status=STATUS.get(raw, "running"),
            raw_status=raw,
            counts=BatchCounts(
                total=counts.get("total"),
                succeeded=counts.get("completed") or 0,
                failed=counts.get("failed") or 0,
            ),
            model=payload.get("model"),
            endpoint=payload.get("endpoint"),
            created_at=iso(payload.get("created_at")),
            expires_at=iso(payload.get("expires_at")),
            ended_at=iso(ended),
            input_file_id=payload.get("input_file_id"),
            output=BatchOutput(
                output_file_id=payload.get("output_file_id"), error_file_id=payload.get("error_file_id")
            ),
            errors=[_error_text(e) for e in errors if isinstance(e, dict)],
            usage=responses_usage(usage) if isinstance(usage, dict) else None,
        )

    def result_calls(self, state: BatchState, conn: Connection) -> list[HttpCall]:
        headers = {"accept": "application/binary", **self._headers(conn)}
        return [
            HttpCall(method="GET", url=f"{_v1(conn)}/files/{file_id}/content", headers=headers)
            for file_id in (state.output.output_file_id, state.output.error_file_id)
            if file_id
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
        message, code = openai_error(body)
        return error_from_body(
            provider,
            status,
            headers,
            body,
            message=message,
            code=code,
            request_id_header=self.request_id_header,
        )


def _error_text(error: dict[str, Any]) -> str:
    where = f"line {error['line']}: " if error.get("line") is not None else ""
    code = f" ({error['code']})" if error.get("code") else ""
    return f"{where}{error.get('message') or 'invalid'}{code}"


def _line(obj: dict[str, Any]) -> RawLine:
    custom_id = obj.get("custom_id")
    custom_id = str(custom_id) if custom_id is not None else None
    response = as_obj(obj.get("response")) or None
    error = as_obj(obj.get("error")) or None
    status = response.get("status_code") if response else None
    request_id = response.get("request_id") if response else None
    body = response.get("body") if response and isinstance(response.get("body"), dict) else None
    if error is not None and error.get("code") == "batch_expired":
        return RawLine(custom_id, "expired", message=error.get("message"), code="batch_expired")
    if error is None and isinstance(status, int) and status < 400 and body is not None:
        return RawLine(custom_id, "succeeded", body=body, status=status, request_id=request_id)
    message = (error or {}).get("message")
    code = (error or {}).get("code")
    return RawLine(
        custom_id,
        "failed",
        body=body if body is not None else ({"error": error} if error else None),
        status=status if isinstance(status, int) else None,
        request_id=request_id,
        message=message,
        code=code,
    )
