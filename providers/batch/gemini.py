"""Gemini API Batch Mode: inline requests or an uploaded JSONL file, a long-running batch, results inline or in a file.

Wire facts (wire/tools-batch.md §9.3; google-genai 3.6.1 `batches.py`, `files.py`,
`_api_client.py` `upload_file`, `_extra_utils.py` `prepare_resumable_upload`, `_transformers.py`
`t_job_state`):

* `POST {base}/{version}/models/{model}:batchGenerateContent` with `{"batch": {"displayName",
  "inputConfig": {"requests": {"requests": [{"request": <GenerateContentRequest>, "metadata":
  {"key"}}]}}}}` (inline, up to 20 MB) or `"inputConfig": {"fileName": "files/..."}` (up to 2 GB).
  The SDK uses `/v1/`; the docs' REST samples `/v1beta/`: the connection's API version decides.
* The file goes up through the Files API's resumable protocol: `POST {base}/upload/{version}/files`
  (`X-Goog-Upload-Protocol: resumable`, `X-Goog-Upload-Command: start`, the size and type as
  `X-Goog-Upload-Header-*`, body `{"file": {...}}`) answers an `x-goog-upload-url`; the bytes go
  there with `X-Goog-Upload-Command: upload, finalize`, which answers `{"file": {"name": ...}}`.
  Lines: `{"key", "request"}`.
* The batch is a long-running operation: `{"name": "batches/...", "metadata": {"state", "model",
  "displayName", "createTime", "endTime", "updateTime", "batchStats", "output"}, "done",
  "response", "error"}`; `GET {version}/batches/{id}`, `POST {version}/batches/{id}:cancel`.
  The wire says `BATCH_STATE_*`; the SDK rewrites it to `JOB_STATE_*`, and the docs' samples test
  the latter: both spellings are read.
* Results: `output.inlinedResponses.inlinedResponses[]` (`{"response"} | {"error"}` with the
  request's `metadata`) or `output.responsesFile`, downloaded with `GET {version}/files/{id}:download
  ?alt=media` (the SDK's form); each file line carries its `key` and a `response` or an error
  (`error`, or `status` -- UNCONFIRMED which one the live API writes, so both are read).
  Batchstats counts are int64, i.e. JSON strings.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx2

from ..chat.base import Connection, auth_headers
from ..chat.gemini import Gemini, api_version
from ..errors import InvalidParameterError, ProviderError, StreamError
from ..jobs import JobTiming
from ..types import HttpCall
from .base import BatchSpec, InputKind, as_obj, read_jsonl
from .types import BatchCounts, BatchOutput, BatchState, BatchStatus, RawLine

__all__ = ["STATES", "GeminiBatch"]

STATES: dict[str, BatchStatus] = {
    "UNSPECIFIED": "queued",
    "QUEUED": "queued",
    "PENDING": "queued",
    "RUNNING": "running",
    "UPDATING": "running",
    "PAUSED": "running",
    "SUCCEEDED": "completed",
    "PARTIALLY_SUCCEEDED": "completed",
    "FAILED": "failed",
    "CANCELLING": "cancelling",
    "CANCELLED": "cancelled",
    "EXPIRED": "expired",
}
MAX_INLINE_BYTES = 20_000_000
MAX_FILE_BYTES = 2_000_000_000


def state_of(raw: str) -> BatchStatus:
    """BATCH_STATE_RUNNING and JOB_STATE_RUNNING alike -> 'running' (unknown words count as running)."""
    word = raw.removeprefix("BATCH_STATE_").removeprefix("JOB_STATE_")
    return STATES.get(word, "running")


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _google_error(error: Any) -> tuple[dict[str, Any], int | None, str | None, str | None]:
    """({"error": {...}} envelope, HTTP status, message, status name) of a google.rpc.Status."""
    err = error if isinstance(error, dict) else {}
    code = err.get("code")
    return {"error": err}, code if isinstance(code, int) else None, err.get("message"), err.get("status")


class GeminiBatch:
    """The Gemini API's Batch Mode (`batchGenerateContent`)."""

    provider = "gemini"
    timing = JobTiming(first_s=5.0, factor=1.5, max_s=60.0)
    request_id_header = "x-request-id"

    def check_custom_id(self, custom_id: str) -> str | None:
        return None if custom_id else "a key is a non-empty string"

    def endpoint(self, call: HttpCall, conn: Connection) -> str:
        return ":generateContent"

    def choose_input(self, count: int, size: int, wanted: InputKind | None) -> InputKind:
        if size > MAX_FILE_BYTES:
            raise InvalidParameterError(
                f"a Gemini batch file is at most 2 GB; these requests make {size / 1e9:.1f} GB: split them"
            )
        if wanted == "inline" and size > MAX_INLINE_BYTES:
            raise InvalidParameterError(
                f"inline Gemini batches are at most 20 MB; these requests make {size / 1e6:.0f} MB: "
                "leave input= unset (or input='file') to upload them"
            )
        return wanted or ("inline" if size <= MAX_INLINE_BYTES else "file")

    def file_lines(self, spec: BatchSpec) -> list[dict[str, Any]]:
        return [{"key": cid, "request": body} for cid, body in zip(spec.custom_ids, spec.bodies, strict=True)]

    def _base(self, conn: Connection) -> str:
        return f"{conn.base_url.rstrip('/')}/{api_version(conn)}"

    def _headers(self, conn: Connection) -> dict[str, str]:
        return {**auth_headers(conn), **conn.extra_headers}

    def upload(self, data: bytes, conn: Connection, *, name: str) -> HttpCall:
        file = {"displayName": name, "mimeType": "application/jsonl", "sizeBytes": str(len(data))}
        return HttpCall(
            url=f"{conn.base_url.rstrip('/')}/upload/{api_version(conn)}/files",
            headers={
                "content-type": "application/json",
                "x-goog-upload-protocol": "resumable",
                "x-goog-upload-command": "start",
                "x-goog-upload-header-content-length": str(len(data)),
                "x-goog-upload-header-content-type": "application/jsonl",
                **self._headers(conn),
            },
            json_body={"file": file},
            sent={"file": file},
        )

    def parse_upload(
        self, status: int, headers: httpx2.Headers, payload: Any, *, data: bytes, conn: Connection
    ) -> str | HttpCall:
        found = payload.get("file") if isinstance(payload, dict) else None
        if isinstance(found, dict) and isinstance(found.get("name"), str):
            return str(found["name"])
        url = headers.get("x-goog-upload-url")
        if not url:
            raise StreamError(
                "gemini answered the upload without an upload URL or a file",
                provider=self.provider,
                status=status,
            )
        if urlsplit(url).netloc != urlsplit(conn.base_url).netloc:
            raise StreamError(
                f"gemini gave an upload URL on another host ({urlsplit(url).hostname}); refused",
                provider=self.provider,
            )
        return HttpCall(
            url=url,
            headers={
                "x-goog-upload-command": "upload, finalize",
                "x-goog-upload-offset": "0",
                "content-type": "application/jsonl",
                **self._headers(conn),
            },
            content=data,
            sent={"upload": f"<{len(data):,} bytes>"},
        )

    def create(self, spec: BatchSpec, conn: Connection) -> HttpCall:
        config: dict[str, Any]
        if spec.input == "file":
            config = {"fileName": spec.file_id}
        else:
            requests = [
                {"request": body, "metadata": {"key": cid}}
                for cid, body in zip(spec.custom_ids, spec.bodies, strict=True)
            ]
            config = {"requests": {"requests": requests}}
        batch: dict[str, Any] = {"displayName": spec.display_name or "llmkit batch", "inputConfig": config}
        model = spec.model.removeprefix("models/")
        shown = dict(batch, inputConfig={"fileName": spec.file_id} if spec.file_id else "<inline requests>")
        return HttpCall(
            url=f"{self._base(conn)}/models/{model}:batchGenerateContent",
            headers={"content-type": "application/json", **self._headers(conn)},
            json_body={"batch": batch},
            sent={"batch": shown},
        )

    def poll(self, native_id: str, conn: Connection) -> HttpCall:
        return HttpCall(method="GET", url=f"{self._base(conn)}/{native_id}", headers=self._headers(conn))

    def cancel(self, native_id: str, conn: Connection) -> HttpCall:
        return HttpCall(url=f"{self._base(conn)}/{native_id}:cancel", headers=self._headers(conn))

    def parse_job(self, payload: Any) -> BatchState:
        if not isinstance(payload, dict):
            raise ProviderError("gemini sent a batch that is not a JSON object", provider=self.provider)
        meta = as_obj(payload.get("metadata")) or payload
        name = payload.get("name") or meta.get("name")
        if not isinstance(name, str) or not name:
            raise ProviderError("gemini sent a batch without a name", provider=self.provider)
        raw = str(meta.get("state") or "")
        stats = as_obj(meta.get("batchStats"))
        total = _int(stats.get("requestCount")) or None
        output = as_obj(meta.get("output")) or as_obj(payload.get("response"))
        inline = as_obj(output.get("inlinedResponses")).get("inlinedResponses")
        errors: list[str] = []
        if isinstance(payload.get("error"), dict):
            _, code, message, status_name = _google_error(payload["error"])
            errors.append(f"{message or 'the batch failed'} ({status_name or code})")
        model = meta.get("model")
        return BatchState(
            native_id=name,
            status=state_of(raw),
            raw_status=raw,
            counts=BatchCounts(
                total=total,
                succeeded=_int(stats.get("successfulRequestCount")),
                failed=_int(stats.get("failedRequestCount")),
            ),
            model=model.removeprefix("models/") if isinstance(model, str) else None,
            endpoint=":generateContent",
            created_at=meta.get("createTime"),
            ended_at=meta.get("endTime"),
            output=BatchOutput(
                responses_file=output.get("responsesFile"),
                inline=[r for r in inline if isinstance(r, dict)] if isinstance(inline, list) else None,
            ),
            errors=errors,
        )

    def result_calls(self, state: BatchState, conn: Connection) -> list[HttpCall]:
        name = state.output.responses_file
        if not name:
            return []
        file_id = name.removeprefix("files/")
        return [
            HttpCall(
                method="GET",
                url=f"{self._base(conn)}/files/{file_id}:download",
                headers=self._headers(conn),
                params={"alt": "media"},
            )
        ]

    def parse_results(self, state: BatchState, bodies: list[bytes]) -> tuple[list[RawLine], list[str]]:
        lines: list[RawLine] = []
        notes: list[str] = []
        for item in state.output.inline or []:
            key = (item.get("metadata") or {}).get("key")
            lines.append(_line(key, item))
        for body in bodies:
            objects, bad = read_jsonl(body)
            notes += bad
            lines += [_line(obj.get("key"), obj) for obj in objects]
        return lines, notes

    def parse_error(self, provider: str, status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
        return Gemini().parse_error(provider, status, headers, body)


def _line(key: Any, item: dict[str, Any]) -> RawLine:
    custom_id = str(key) if key is not None else None
    response = item.get("response")
    if isinstance(response, dict) and not item.get("error"):
        return RawLine(custom_id, "succeeded", body=response)
    error = item.get("error") or item.get("status")
    body, code, message, status_name = _google_error(error)
    return RawLine(
        custom_id, "failed", body=body, status=code or 500, message=message or "no response", code=status_name
    )
