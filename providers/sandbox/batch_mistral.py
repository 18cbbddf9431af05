"""Mistral's batch jobs and Files API in the sandbox: `/v1/batch/jobs`, `/v1/files`, result files.

Shapes follow mistralai 3.7.0 (`client/models/batchjob.py`, `createbatchjobrequest.py`,
`createfileresponse.py`, `extra/batch/client.py`) and wire/tools-batch.md §9.5. The create call
checks the request as the API's schema does (`endpoint` one of the batch endpoints, `model` or
`agent_id`, exactly one of `input_files` / `requests`, a non-empty list, unique custom ids --
the uniqueness wording is the sandbox's); each request is answered by the sandbox's own
`/v1/chat/completions` handler, so a bad one becomes a failed line with Mistral's error.
`GET /v1/batch/jobs/{id}?inline=true` adds the results as `outputs`. TIMEOUT_EXCEEDED keeps the
results of what finished; the rest get no line.
"""

from __future__ import annotations

import json
from typing import Any

from . import mistral as M
from .batches import (
    BatchItem,
    SandboxBatch,
    SandboxFile,
    answer,
    batches,
    files,
    item_call,
    mark_of,
    serial_uuid,
)
from .wire import Call, Reply, form

__all__ = ["ROUTES"]

ENDPOINTS = (
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/fim/completions",
    "/v1/moderations",
    "/v1/chat/moderations",
    "/v1/ocr",
    "/v1/classifications",
    "/v1/chat/classifications",
    "/v1/conversations",
    "/v1/audio/transcriptions",
)
_STATUS = {
    "queued": "QUEUED",
    "running": "RUNNING",
    "finalizing": "RUNNING",
    "ended": "SUCCESS",
    "expired": "TIMEOUT_EXCEEDED",
    "cancelling": "CANCELLATION_REQUESTED",
    "cancelled": "CANCELLED",
    "failed": "FAILED",
}


def _detail(loc: list[Any], message: str, kind: str = "value_error") -> Reply:
    """Mistral's 422 validation envelope."""
    return Reply(
        status=422, body={"detail": [{"type": kind, "loc": ["body", *loc], "msg": message, "input": None}]}
    )


def _file_object(f: SandboxFile) -> dict[str, Any]:
    return {
        "id": f.id,
        "object": "file",
        "bytes": len(f.data),
        "created_at": f.created,
        "filename": f.filename,
        "purpose": f.purpose,
        "sample_type": f.extra.get("sample_type", "batch_request"),
        "source": "upload" if f.purpose == "batch" and "sample_type" not in f.extra else "mistral",
        "num_lines": sum(1 for line in f.data.splitlines() if line.strip()),
        "mimetype": "application/jsonl",
        "signature": None,
        "expires_at": None,
        "visibility": f.extra.get("visibility", "workspace"),
    }


def upload_file(call: Call) -> Reply:
    """POST /v1/files (multipart: file, purpose, visibility)."""
    fields, upload = form(call)
    if upload is None:
        return _detail(["file"], "Field required", "missing")
    purpose = fields.get("purpose", "fine-tune")
    if purpose not in ("fine-tune", "batch", "ocr", "audio"):
        return _detail(
            ["purpose"], f"Input should be 'fine-tune', 'batch', 'ocr' or 'audio', got {purpose!r}"
        )
    f = SandboxFile(
        serial_uuid(call.serial), "mistral", upload[0], purpose, upload[1], call.created,
        extra={"visibility": fields.get("visibility", "workspace")},
    )  # fmt: skip
    files(call)[f.id] = f
    return Reply(body=_file_object(f))


def _find_file(call: Call) -> SandboxFile | None:
    f = files(call).get(call.params.get("id", ""))
    return f if f is not None and f.provider == "mistral" else None


def file_content(call: Call) -> Reply:
    """GET /v1/files/{id}/content."""
    f = _find_file(call)
    if f is None:
        return M.error(404, f"File {call.params.get('id')} not found", call.request_id, code="1403")
    return Reply(content=f.data, headers={"content-type": "application/octet-stream"})


def get_file(call: Call) -> Reply:
    """GET /v1/files/{id}."""
    f = _find_file(call)
    if f is None:
        return M.error(404, f"File {call.params.get('id')} not found", call.request_id, code="1403")
    return Reply(body=_file_object(f))


def _requests(call: Call, body: dict[str, Any]) -> tuple[list[dict[str, Any]] | None, Reply | None]:
    """The job's requests (inline or from its files), or the error reply."""
    if body.get("requests") is not None:
        requests = body["requests"]
        if not isinstance(requests, list) or not requests:
            return None, _detail(["requests"], "List should have at least 1 item after validation, not 0")
        return requests, None
    out: list[dict[str, Any]] = []
    for file_id in body.get("input_files") or []:
        f = files(call).get(str(file_id))
        if f is None or f.provider != "mistral":
            return None, M.error(404, f"File {file_id} not found", call.request_id, code="1403")
        for number, raw in enumerate(f.data.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                out.append(json.loads(raw))
            except ValueError:
                return None, M.error(400, f"Invalid JSON on line {number} of file {file_id}", call.request_id)
    if not out:
        return None, M.error(400, "The batch has no requests", call.request_id)
    return out, None


def _answer(call: Call, job_id: str, index: int, request: dict[str, Any], model: str) -> BatchItem:
    cid = str(request.get("custom_id", index))
    body = dict(request.get("body") or {})
    body.setdefault("model", model)
    outcome = mark_of(body)
    sub = item_call(call, job_id, index, body)
    if outcome == "expired":
        return BatchItem(cid, "expired", request_id=sub.request_id)
    if outcome == "fail":
        reply = M.error(400, "sandbox: this request was asked to fail ([sandbox:fail])", sub.request_id)
    else:
        reply = answer(sub, M.MISTRAL, "/v1/chat/completions", M.chat_completions)
    return BatchItem(cid, "ok" if reply.status < 400 else "fail", reply.status, reply.body, sub.request_id)


def create_job(call: Call) -> Reply:
    """POST /v1/batch/jobs."""
    body = call.body
    if not isinstance(body, dict):
        return _detail([], "Input should be a valid dictionary", "dict_type")
    endpoint = body.get("endpoint")
    if endpoint is None:
        return _detail(["endpoint"], "Field required", "missing")
    if endpoint not in ENDPOINTS:
        return _detail(
            ["endpoint"], f"Input should be one of {', '.join(repr(e) for e in ENDPOINTS)}", "enum"
        )
    if endpoint != "/v1/chat/completions":
        return M.error(
            400, f"sandbox: only /v1/chat/completions batches are emulated, not {endpoint}", call.request_id
        )
    if not body.get("model") and not body.get("agent_id"):
        return M.error(400, "Either model or agent_id must be provided", call.request_id)
    if (body.get("requests") is None) == (not body.get("input_files")):
        return M.error(400, "Provide exactly one of input_files or requests", call.request_id)
    requests, bad = _requests(call, body)
    if bad is not None or requests is None:
        return bad or M.error(400, "The batch has no requests", call.request_id)
    seen: set[str] = set()
    for request in requests:
        cid = request.get("custom_id") if isinstance(request, dict) else None
        if not isinstance(request, dict) or not isinstance(request.get("body"), dict):
            return M.error(400, "Every batch request needs a body", call.request_id)
        if cid is not None:
            if str(cid) in seen:
                return M.error(
                    400, f"Duplicate custom_id {cid!r}: custom ids must be unique in a batch", call.request_id
                )
            seen.add(str(cid))
    job_id = serial_uuid(call.serial)
    model = str(body.get("model") or "")
    items = [_answer(call, job_id, i, r, model) for i, r in enumerate(requests)]
    job = SandboxBatch(
        job_id,
        "mistral",
        call.created,
        items,
        info={
            "endpoint": endpoint,
            "model": body.get("model"),
            "agent_id": body.get("agent_id"),
            "metadata": body.get("metadata"),
            "input_files": list(body.get("input_files") or []),
        },
        stuck=any(mark_of(r.get("body")) == "stuck" for r in requests),
    )
    batches(call)[job_id] = job
    return Reply(body=_job_object(call, job))


def _lines(job: SandboxBatch, outcome: str) -> list[dict[str, Any]]:
    out = []
    for i, item in enumerate(job.items):
        if job.outcome(i) != outcome:
            continue
        line: dict[str, Any] = {
            "id": f"batch-{item.request_id[4:12]}",
            "custom_id": item.custom_id,
            "response": {"status_code": item.status, "body": item.body},
            "error": None
            if outcome == "ok"
            else {"message": (item.body or {}).get("message"), "code": item.status},
        }
        out.append(line)
    return out


def _write_outputs(call: Call, job: SandboxBatch) -> None:
    if job.files or job.stage == "failed":
        return
    for kind, outcome in (("output", "ok"), ("error", "fail")):
        lines = _lines(job, outcome)
        if lines:
            f = SandboxFile(
                serial_uuid(f"{job.id}-{kind}"), "mistral", f"{job.id}_{kind}.jsonl", "batch",
                "".join(json.dumps(line) + "\n" for line in lines).encode(), call.created,
                extra={"sample_type": f"batch_{'result' if kind == 'output' else 'error'}"},
            )  # fmt: skip
            files(call)[f.id] = f
            job.files[kind] = f.id


def _job_object(call: Call, job: SandboxBatch, *, inline: bool = False) -> dict[str, Any]:
    stage = job.stage
    if job.ended:
        _write_outputs(call, job)
    counts = job.counts()
    info = job.info
    body: dict[str, Any] = {
        "id": job.id,
        "object": "batch",
        "input_files": info["input_files"],
        "metadata": info.get("metadata"),
        "endpoint": info["endpoint"],
        "model": info.get("model"),
        "agent_id": info.get("agent_id"),
        "output_file": job.files.get("output"),
        "error_file": job.files.get("error"),
        "errors": [{"message": "sandbox: the batch timed out", "count": counts["expired"]}]
        if counts["expired"]
        else [],
        "outputs": None,
        "status": _STATUS[stage],
        "created_at": job.created,
        "total_requests": len(job.items),
        "completed_requests": counts["ok"] + counts["fail"],
        "succeeded_requests": counts["ok"],
        "failed_requests": counts["fail"],
        "started_at": job.created + 1 if job.polls >= 1 else None,
        "completed_at": job.created + 60 * job.polls if job.ended else None,
    }
    if inline and job.ended:
        body["outputs"] = _lines(job, "ok") + _lines(job, "fail")
    return body


def _find(call: Call) -> SandboxBatch | None:
    job = batches(call).get(call.params.get("id", ""))
    return job if job is not None and job.provider == "mistral" and not job.deleted else None


def _not_found(call: Call) -> Reply:
    return M.error(404, f"Batch job {call.params.get('id')} not found", call.request_id, code="3002")


def get_job(call: Call) -> Reply:
    """GET /v1/batch/jobs/{id} (?inline=true: with the results): one step further per poll."""
    job = _find(call)
    if job is None:
        return _not_found(call)
    job.polls += 1
    return Reply(body=_job_object(call, job, inline=call.query.get("inline") == "true"))


def cancel_job(call: Call) -> Reply:
    """POST /v1/batch/jobs/{id}/cancel."""
    job = _find(call)
    if job is None:
        return _not_found(call)
    job.cancel()
    return Reply(body=_job_object(call, job))


def delete_job(call: Call) -> Reply:
    """DELETE /v1/batch/jobs/{id}."""
    job = _find(call)
    if job is None:
        return _not_found(call)
    job.deleted = True
    return Reply(body={"id": job.id, "object": "batch", "deleted": True})


def list_jobs(call: Call) -> Reply:
    """GET /v1/batch/jobs."""
    found = sorted(
        (j for j in batches(call).values() if j.provider == "mistral" and not j.deleted),
        key=lambda j: -j.created,
    )
    data = [_job_object(call, j) for j in found]
    return Reply(body={"data": data, "object": "list", "total": len(data)})


ROUTES = {
    "/v1/files": upload_file,
    "GET /v1/files/{id}": get_file,
    "GET /v1/files/{id}/content": file_content,
    "/v1/batch/jobs": create_job,
    "GET /v1/batch/jobs": list_jobs,
    "GET /v1/batch/jobs/{id}": get_job,
    "/v1/batch/jobs/{id}/cancel": cancel_job,
    "DELETE /v1/batch/jobs/{id}": delete_job,
}
