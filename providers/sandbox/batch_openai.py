"""OpenAI's Files and Batch APIs in the sandbox: `/v1/files`, `/v1/batches`, output and error files.

Shapes follow openai-python 3.60.0 `types/file_object.py`, `types/batch.py` (wire/tools-batch.md §9.1).
The create call checks what the API checks synchronously (input_file_id, endpoint, completion_window,
metadata); the file's lines are checked as the API does while `validating`: a line that is not JSON,
a missing or duplicate custom_id, a method other than POST, a url other than the batch's endpoint,
a body without the same model as the others, more than 50,000 requests -- any of these fails the
batch with `errors.data[]` (`code`, `line`, `message`, `param`; the messages are the sandbox's
wording, the codes as OpenAI documents them where known). Requests are answered by the sandbox's own
`/v1/responses` and `/v1/chat/completions` handlers; the batch's life is sandbox/batches.py's.
"""

from __future__ import annotations

import json
from typing import Any

from . import openai as O
from .batches import (
    BatchItem,
    SandboxBatch,
    SandboxFile,
    answer,
    batches,
    files,
    item_call,
    mark_of,
)
from .wire import Call, Reply, form

__all__ = ["ROUTES"]

ENDPOINTS = (
    "/v1/responses",
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/completions",
    "/v1/moderations",
    "/v1/images/generations",
    "/v1/images/edits",
)
SERVED = {"/v1/responses": O.responses, "/v1/chat/completions": O.chat_completions}
PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
MAX_REQUESTS = 50_000
DAY = 86_400
_STATUS = {
    "queued": "validating",
    "running": "in_progress",
    "finalizing": "finalizing",
    "ended": "completed",
    "expired": "expired",
    "cancelling": "cancelling",
    "cancelled": "cancelled",
    "failed": "failed",
}
EXPIRED_ERROR = {
    "code": "batch_expired",
    "message": "This request could not be executed before the completion window expired.",
}


def _file_object(f: SandboxFile) -> dict[str, Any]:
    return {
        "id": f.id,
        "object": "file",
        "bytes": len(f.data),
        "created_at": f.created,
        "filename": f.filename,
        "purpose": f.purpose,
        "status": "processed",
        "expires_at": f.created + 30 * DAY if f.purpose in ("batch", "batch_output") else None,
        "status_details": None,
    }


def upload_file(call: Call) -> Reply:
    """POST /v1/files (multipart: purpose, file)."""
    fields, upload = form(call)
    if upload is None:
        return O._missing("file", call.request_id)
    purpose = fields.get("purpose")
    if purpose is None:
        return O._missing("purpose", call.request_id)
    if purpose not in PURPOSES:
        return O._bad_value(purpose, PURPOSES, "purpose", call.request_id)
    if purpose == "batch" and not upload[0].endswith(".jsonl"):
        return O.error(
            400, "Invalid file format for Batch API. Must be .jsonl", call.request_id, param="file"
        )
    f = SandboxFile(f"file-{call.serial}", "openai", upload[0], purpose, upload[1], call.created)
    files(call)[f.id] = f
    return Reply(body=_file_object(f))


def _find_file(call: Call) -> SandboxFile | None:
    f = files(call).get(call.params.get("id", ""))
    return f if f is not None and f.provider == "openai" else None


def get_file(call: Call) -> Reply:
    """GET /v1/files/{id}."""
    f = _find_file(call)
    if f is None:
        return O.error(404, f"No such File object: {call.params.get('id')}", call.request_id, param="id")
    return Reply(body=_file_object(f))


def file_content(call: Call) -> Reply:
    """GET /v1/files/{id}/content: the bytes as uploaded (or written by a batch)."""
    f = _find_file(call)
    if f is None:
        return O.error(404, f"No such File object: {call.params.get('id')}", call.request_id, param="id")
    return Reply(content=f.data, headers={"content-type": "application/octet-stream"})


def _invalid(code: str, line: int | None, message: str, param: str | None = None) -> dict[str, Any]:
    return {"code": code, "line": line, "message": message, "param": param}


def _validate_lines(data: bytes, endpoint: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The file's requests, and the validation errors that fail the batch (OpenAI's `errors.data`)."""
    lines: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    model: str | None = None
    for number, raw in enumerate(data.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except ValueError:
            errors.append(_invalid("invalid_json_line", number, "This line is not parseable as valid JSON."))
            continue
        if not isinstance(line, dict):
            errors.append(_invalid("invalid_json_line", number, "This line is not a JSON object."))
            continue
        cid = line.get("custom_id")
        if not isinstance(cid, str) or not cid:
            errors.append(_invalid("missing_required_parameter", number, "Missing 'custom_id'.", "custom_id"))
        elif cid in seen:
            message = (
                "The custom_id for this request is a duplicate of another request. "
                "The custom_id parameter must be unique for each request in a batch."
            )
            errors.append(_invalid("duplicate_custom_id", number, message, "custom_id"))
        else:
            seen.add(cid)
        if line.get("method") != "POST":
            errors.append(_invalid("invalid_method", number, "Only POST is supported.", "method"))
        if line.get("url") != endpoint:
            message = f"The URL provided for this request does not match the batch endpoint {endpoint}."
            errors.append(_invalid("invalid_url", number, message, "url"))
        body = line.get("body")
        if not isinstance(body, dict):
            errors.append(_invalid("missing_required_parameter", number, "Missing 'body'.", "body"))
        else:
            model = model or body.get("model")
            if body.get("model") != model:
                message = "All requests in a batch must use the same model."
                errors.append(_invalid("model_mismatch", number, message, "body.model"))
            if body.get("stream"):
                errors.append(
                    _invalid("invalid_value", number, "Streaming is not supported in batches.", "body.stream")
                )
        lines.append(line)
    if not lines and not errors:
        errors.append(_invalid("empty_file", None, "The input file is empty."))
    if len(lines) > MAX_REQUESTS:
        message = f"The batch input file has {len(lines)} requests; the limit is {MAX_REQUESTS}."
        errors.append(_invalid("too_many_requests", None, message))
    return lines, errors


def _answer(call: Call, batch_id: str, index: int, line: dict[str, Any], endpoint: str) -> BatchItem:
    cid = str(line.get("custom_id"))
    body = line.get("body")
    outcome = mark_of(body)
    sub = item_call(call, batch_id, index, body)
    if outcome == "expired":
        return BatchItem(cid, "expired", request_id=sub.request_id)
    if outcome == "fail":
        reply = O.error(
            400,
            "sandbox: this request was asked to fail ([sandbox:fail])",
            sub.request_id,
            code="sandbox_fail",
        )
    else:
        reply = answer(sub, O.OPENAI, endpoint, SERVED[endpoint])
    ok = reply.status < 400
    return BatchItem(cid, "ok" if ok else "fail", reply.status, reply.body, sub.request_id)


def create_batch(call: Call) -> Reply:
    """POST /v1/batches."""
    body, rid = call.body, call.request_id
    if not isinstance(body, dict):
        return O.error(400, O._BAD_JSON, rid)
    for name in ("input_file_id", "endpoint", "completion_window"):
        if body.get(name) is None:
            return O._missing(name, rid)
    if body["endpoint"] not in ENDPOINTS:
        return O._bad_value(body["endpoint"], ENDPOINTS, "endpoint", rid)
    if body["completion_window"] != "24h":
        return O._bad_value(body["completion_window"], ("24h",), "completion_window", rid)
    metadata = body.get("metadata")
    if metadata is not None and (not isinstance(metadata, dict) or len(metadata) > 16):
        return O.error(400, "Invalid 'metadata': at most 16 key-value pairs.", rid, param="metadata")
    f = files(call).get(str(body["input_file_id"]))
    if f is None or f.provider != "openai":
        return O.error(404, f"No such File object: {body['input_file_id']}", rid, param="input_file_id")
    if f.purpose != "batch":
        message = f"File {f.id} has purpose '{f.purpose}'; the Batch API needs purpose 'batch'."
        return O.error(400, message, rid, param="input_file_id")
    endpoint = body["endpoint"]
    lines, invalid = _validate_lines(f.data, endpoint)
    if not invalid and endpoint not in SERVED:
        invalid = [
            _invalid("unsupported_endpoint", None, f"The sandbox does not emulate {endpoint} batches.")
        ]
    batch_id = f"batch_{call.serial}"
    items = [] if invalid else [_answer(call, batch_id, i, line, endpoint) for i, line in enumerate(lines)]
    model = next((line["body"].get("model") for line in lines if isinstance(line.get("body"), dict)), None)
    batch = SandboxBatch(
        batch_id,
        "openai",
        call.created,
        items,
        info={"endpoint": endpoint, "input_file_id": f.id, "metadata": metadata, "model": model},
        stuck=any(mark_of(line.get("body")) == "stuck" for line in lines),
        invalid=invalid,
    )
    batches(call)[batch.id] = batch
    return Reply(body=_batch_object(call, batch))


def _usage(batch: SandboxBatch) -> dict[str, Any]:
    totals = {"input": 0, "output": 0, "reasoning": 0}
    for i, item in enumerate(batch.items):
        if batch.outcome(i) != "ok" or not isinstance(item.body, dict):
            continue
        usage = item.body.get("usage") or {}
        totals["input"] += usage.get("input_tokens", usage.get("prompt_tokens", 0)) or 0
        totals["output"] += usage.get("output_tokens", usage.get("completion_tokens", 0)) or 0
        details = usage.get("output_tokens_details") or usage.get("completion_tokens_details") or {}
        totals["reasoning"] += details.get("reasoning_tokens", 0) or 0
    return {
        "input_tokens": totals["input"],
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": totals["output"],
        "output_tokens_details": {"reasoning_tokens": totals["reasoning"]},
        "total_tokens": totals["input"] + totals["output"],
    }


def _write_outputs(call: Call, batch: SandboxBatch) -> None:
    """Once ended: the output file (successes) and the error file (failures, expired requests)."""
    if batch.files or batch.stage == "failed":
        return
    out: list[bytes] = []
    err: list[bytes] = []
    for i, item in enumerate(batch.items):
        outcome = batch.outcome(i)
        line: dict[str, Any] = {"id": f"batch_req_{item.request_id[4:]}", "custom_id": item.custom_id}
        if outcome == "ok":
            line |= {
                "response": {"status_code": 200, "request_id": item.request_id, "body": item.body},
                "error": None,
            }
            out.append(json.dumps(line).encode())
        elif outcome == "fail":
            line |= {
                "response": {"status_code": item.status, "request_id": item.request_id, "body": item.body},
                "error": None,
            }
            err.append(json.dumps(line).encode())
        elif outcome == "expired":
            err.append(json.dumps(line | {"response": None, "error": EXPIRED_ERROR}).encode())
    for kind, lines in (("output", out), ("error", err)):
        if lines:
            name = f"file-{batch.id[6:14]}{kind[:3]}{call.serial[:8]}"
            files(call)[name] = SandboxFile(
                name,
                "openai",
                f"{batch.id}_{kind}.jsonl",
                "batch_output",
                b"\n".join(lines) + b"\n",
                call.created,
            )
            batch.files[kind] = name


def _batch_object(call: Call, batch: SandboxBatch) -> dict[str, Any]:
    stage = batch.stage
    status = _STATUS[stage]
    if batch.ended:
        _write_outputs(call, batch)
    counts = batch.counts()
    done_at = batch.created + 60 * max(batch.polls, 1)
    info = batch.info
    return {
        "id": batch.id,
        "object": "batch",
        "endpoint": info["endpoint"],
        "model": info.get("model"),
        "errors": {"object": "list", "data": batch.invalid} if batch.invalid else None,
        "input_file_id": info["input_file_id"],
        "completion_window": "24h",
        "status": status,
        "output_file_id": batch.files.get("output"),
        "error_file_id": batch.files.get("error"),
        "created_at": batch.created,
        "in_progress_at": batch.created + 1 if batch.polls >= 1 and not batch.invalid else None,
        "expires_at": batch.created + DAY,
        "finalizing_at": batch.created + 2 if batch.polls >= 2 and not batch.invalid else None,
        "completed_at": done_at if status == "completed" else None,
        "failed_at": done_at if status == "failed" else None,
        "expired_at": batch.created + DAY if status == "expired" else None,
        "cancelling_at": batch.created + 1 if batch.cancel_at is not None else None,
        "cancelled_at": done_at if status == "cancelled" else None,
        "request_counts": {
            "total": 0 if batch.invalid else len(batch.items),
            "completed": counts["ok"],
            "failed": counts["fail"],
        },
        "usage": _usage(batch),
        "metadata": info.get("metadata"),
    }


def _find(call: Call) -> SandboxBatch | None:
    batch = batches(call).get(call.params.get("id", ""))
    return batch if batch is not None and batch.provider == "openai" else None


def _not_found(call: Call) -> Reply:
    return O.error(
        404, f"No batch found with id '{call.params.get('id')}'.", call.request_id, code="not_found"
    )


def get_batch(call: Call) -> Reply:
    """GET /v1/batches/{id}: one step further per poll."""
    batch = _find(call)
    if batch is None:
        return _not_found(call)
    batch.polls += 1
    return Reply(body=_batch_object(call, batch))


def cancel_batch(call: Call) -> Reply:
    """POST /v1/batches/{id}/cancel: cancelling now, cancelled on the next poll."""
    batch = _find(call)
    if batch is None:
        return _not_found(call)
    if batch.ended:
        message = f"Cannot cancel a batch with status '{_STATUS[batch.stage]}'."
        return O.error(400, message, call.request_id, code="invalid_state")
    batch.cancel()
    return Reply(body=_batch_object(call, batch))


def list_batches(call: Call) -> Reply:
    """GET /v1/batches?after=&limit=: newest first, cursor paging."""
    found = sorted(
        (b for b in batches(call).values() if b.provider == "openai"), key=lambda b: b.id, reverse=True
    )
    after = call.query.get("after")
    if after:
        ids = [b.id for b in found]
        found = found[ids.index(after) + 1 :] if after in ids else []
    try:
        limit = max(1, min(100, int(call.query.get("limit", "20"))))
    except ValueError:
        return O.error(400, "Invalid 'limit': expected an integer.", call.request_id, param="limit")
    page = found[:limit]
    data = [_batch_object(call, b) for b in page]
    return Reply(
        body={
            "object": "list",
            "data": data,
            "first_id": page[0].id if page else None,
            "last_id": page[-1].id if page else None,
            "has_more": len(found) > limit,
        }
    )


ROUTES = {
    "/v1/files": upload_file,
    "GET /v1/files/{id}": get_file,
    "GET /v1/files/{id}/content": file_content,
    "/v1/batches": create_batch,
    "GET /v1/batches": list_batches,
    "GET /v1/batches/{id}": get_batch,
    "/v1/batches/{id}/cancel": cancel_batch,
}
