"""Gemini API Batch Mode in the sandbox: `:batchGenerateContent`, `batches/...`, and the Files API it uses.

Shapes follow google-genai 3.6.1 (`batches.py` `_BatchJob_from_mldev`, `files.py`, `_api_client.py`
`upload_file`) and wire/tools-batch.md §9.3:

* `POST /{version}/models/{model}:batchGenerateContent {"batch": {"displayName", "inputConfig":
  {"requests": {"requests": [{"request", "metadata"}]}} | {"fileName": "files/..."}}}` answers a
  long-running operation `{"name": "batches/...", "metadata": {"@type", "model", "displayName",
  "createTime", "updateTime", "batchStats", "state"}, "done": false}`. The state is written the way
  the wire writes it: `BATCH_STATE_PENDING | RUNNING | SUCCEEDED | FAILED | CANCELLED | EXPIRED`.
* When it ends: `done: true`, `metadata.endTime`, and the output (in `metadata.output` and in
  `response`): `inlinedResponses.inlinedResponses[]` (`{"response"} | {"error"}` with the request's
  `metadata`, in request order) for inline input, `responsesFile` for file input, whose lines are
  `{"key", "response"} | {"key", "error"}`.
* `GET /{version}/batches/{id}` (one step per poll), `GET /{version}/batches` (`operations`),
  `POST /{version}/batches/{id}:cancel` (answers `{}`), `DELETE /{version}/batches/{id}`.
* Files: `POST /upload/{version}/files` with `X-Goog-Upload-Command: start` answers the session URL in
  `x-goog-upload-url`; `upload, finalize` to that URL (authorized by its upload_id, as the SDK does
  it: no key) answers `{"file": {...}}`. `GET /{version}/files/{id}:download?alt=media` (and the
  docs' `/download/{version}/files/{id}:download`) serves a file.

Every request is answered by the sandbox's own generateContent handler, so a request the API would
refuse fails in its row with Google's error.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from . import gemini as G
from .batches import (
    BatchItem,
    SandboxBatch,
    SandboxFile,
    answer,
    batches,
    files,
    item_call,
    mark_of,
    public_base,
    rfc3339,
)
from .wire import Call, Reply, dumps

__all__ = ["ROUTES"]

HOST = "generativelanguage.googleapis.com"
MAX_INLINE_BYTES = 20_000_000
_STATE = {
    "queued": "BATCH_STATE_PENDING",
    "running": "BATCH_STATE_RUNNING",
    "finalizing": "BATCH_STATE_RUNNING",
    "ended": "BATCH_STATE_SUCCEEDED",
    "expired": "BATCH_STATE_EXPIRED",
    "cancelling": "BATCH_STATE_RUNNING",  # Google has no cancelling state: the next poll says CANCELLED
    "cancelled": "BATCH_STATE_CANCELLED",
    "failed": "BATCH_STATE_FAILED",
}
_generate = G.generate("gemini")


def _version_ok(call: Call) -> Reply | None:
    version = call.params.get("version")
    if version not in G.VERSIONS["gemini"]:
        return G.error(
            404, f"The requested URL /{version}/... was not found on this server.", call.request_id
        )
    return None


def _answer(
    call: Call, batch_id: str, index: int, key: str, request: Any, params: dict[str, str]
) -> BatchItem:
    outcome = mark_of(request)
    sub = item_call(call, batch_id, index, request, params=params)
    if outcome == "expired":
        return BatchItem(key, "expired", request_id=sub.request_id)
    if outcome == "fail":
        reply = G.error(400, "sandbox: this request was asked to fail ([sandbox:fail])", sub.request_id)
    else:
        route = f"/{params['version']}/models/{params['model']}:generateContent"
        reply = answer(sub, G.GEMINI, route, _generate)
    return BatchItem(key, "ok" if reply.status < 400 else "fail", reply.status, reply.body, sub.request_id)


def create_batch(call: Call) -> Reply:
    """POST /{version}/models/{model}:batchGenerateContent."""
    if (bad := _version_ok(call)) is not None:
        return bad
    rid, version, model = call.request_id, call.params["version"], call.params["model"]
    if G._model(model) is None or G._GONE["gemini"].match(model):
        return G.error(
            404,
            f"models/{model} is not found for API version {version}, or is not supported for batchGenerateContent.",
            rid,
        )
    body = call.body
    batch = body.get("batch") if isinstance(body, dict) else None
    if not isinstance(batch, dict):
        return G.error(400, "* BatchGenerateContentRequest.batch: batch is not specified", rid)
    config = batch.get("inputConfig") or batch.get("input_config")
    if not isinstance(config, dict) or ("requests" in config) == (
        "fileName" in config or "file_name" in config
    ):
        return G.error(
            400, "* GenerateContentBatch.input_config: exactly one of requests or file_name must be set", rid
        )
    entries: list[tuple[str, Any, dict[str, Any] | None]] = []  # (key, request, metadata)
    source: dict[str, Any]
    if "requests" in config:
        inline = (config.get("requests") or {}).get("requests")
        if not isinstance(inline, list) or not inline:
            return G.error(400, "* InlinedRequests.requests: requests is empty", rid)
        if len(dumps(inline).encode()) > MAX_INLINE_BYTES:
            return G.error(400, "Inline batch requests exceed the 20 MB limit: use a file (fileName).", rid)
        for i, item in enumerate(inline):
            if not isinstance(item, dict) or not isinstance(item.get("request"), dict):
                return G.error(400, f"* InlinedRequest[{i}].request: request is not specified", rid)
            meta = item.get("metadata") if isinstance(item.get("metadata"), dict) else None
            entries.append((str((meta or {}).get("key", i)), item["request"], meta))
        source = {"requests": {"requests": [{"metadata": e[2]} for e in entries]}}
    else:
        name = str(config.get("fileName") or config.get("file_name"))
        found = files(call).get(name)
        if found is None or found.provider != "gemini":
            return G.error(404, f"File {name} not found.", rid, status_name="NOT_FOUND")
        for number, raw in enumerate(found.data.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
            except ValueError:
                return G.error(400, f"Invalid JSON on line {number} of {name}.", rid)
            if not isinstance(line, dict) or not isinstance(line.get("request"), dict):
                return G.error(400, f"Line {number} of {name} has no request.", rid)
            entries.append((str(line.get("key", number - 1)), line["request"], None))
        source = {"fileName": name}
    batch_id = f"batches/{call.serial[:16]}"
    params = {"version": version, "model": model, "method": "generateContent"}
    items = [_answer(call, batch_id, i, key, req, params) for i, (key, req, _) in enumerate(entries)]
    sandbox_batch = SandboxBatch(
        batch_id,
        "gemini",
        call.created,
        items,
        info={
            "version": version,
            "model": model,
            "displayName": batch.get("displayName") or batch.get("display_name") or "",
            "source": source,
            "metadata": [e[2] for e in entries],
            "file": "fileName" in source,
        },
        stuck=any(mark_of(e[1]) == "stuck" for e in entries),
    )
    batches(call)[batch_id] = sandbox_batch
    return Reply(body=_operation(call, sandbox_batch))


def _output(call: Call, batch: SandboxBatch) -> dict[str, Any]:
    """The batch's output: inline responses, or a responses file (written once)."""
    pieces: list[dict[str, Any]] = []
    for i, item in enumerate(batch.items):
        outcome = batch.outcome(i)
        if outcome not in ("ok", "fail"):
            continue
        result = {"response": item.body} if outcome == "ok" else {"error": (item.body or {}).get("error", {})}
        if batch.info["file"]:
            pieces.append({"key": item.custom_id, **result})
        else:
            meta = batch.info["metadata"][i]
            pieces.append({**result, **({"metadata": meta} if meta is not None else {})})
    if not batch.info["file"]:
        return {"inlinedResponses": {"inlinedResponses": pieces}}
    name = batch.files.get("output")
    if name is None:
        name = f"files/batch-{batch.id.removeprefix('batches/')}"
        data = "".join(dumps(p) + "\n" for p in pieces).encode()
        files(call)[name] = SandboxFile(name, "gemini", name, "batch_output", data, call.created)
        batch.files["output"] = name
    return {"responsesFile": name}


def _operation(call: Call, batch: SandboxBatch) -> dict[str, Any]:
    stage = batch.stage
    done = batch.ended
    version = batch.info["version"]
    counts = batch.counts()
    meta: dict[str, Any] = {
        "@type": f"type.googleapis.com/google.ai.generativelanguage.{version}.GenerateContentBatch",
        "model": f"models/{batch.info['model']}",
        "displayName": batch.info["displayName"],
        "inputConfig": batch.info["source"],
        "createTime": rfc3339(batch.created),
        "updateTime": rfc3339(batch.created + batch.polls),
        "batchStats": {
            "requestCount": str(len(batch.items)),
            "successfulRequestCount": str(counts["ok"]),
            "failedRequestCount": str(counts["fail"]),
            "pendingRequestCount": str(counts["pending"]),
        },
        "state": _STATE[stage],
        "name": batch.id,
    }
    operation: dict[str, Any] = {"name": batch.id, "metadata": meta, "done": done}
    if done:
        meta["endTime"] = rfc3339(batch.created + 60 * batch.polls)
        if stage in ("ended", "cancelled") or counts["ok"] or counts["fail"]:
            output = _output(call, batch)
            meta["output"] = output
            operation["response"] = {
                "@type": f"type.googleapis.com/google.ai.generativelanguage.{version}.GenerateContentBatchOutput",
                **output,
            }
        if stage == "expired":
            operation["error"] = {
                "code": 4,
                "message": "Batch expired after 48 hours.",
                "status": "DEADLINE_EXCEEDED",
            }
    return operation


def _find(call: Call) -> SandboxBatch | None:
    batch = batches(call).get(f"batches/{call.params.get('id', '')}")
    return batch if batch is not None and batch.provider == "gemini" and not batch.deleted else None


def _not_found(call: Call) -> Reply:
    return G.error(
        404, f"Batch batches/{call.params.get('id')} not found.", call.request_id, status_name="NOT_FOUND"
    )


def get_batch(call: Call) -> Reply:
    """GET /{version}/batches/{id}: one step further per poll."""
    if (bad := _version_ok(call)) is not None:
        return bad
    batch = _find(call)
    if batch is None:
        return _not_found(call)
    batch.polls += 1
    return Reply(body=_operation(call, batch))


def cancel_batch(call: Call) -> Reply:
    """POST /{version}/batches/{id}:cancel: answers {}; the next poll says CANCELLED."""
    if (bad := _version_ok(call)) is not None:
        return bad
    batch = _find(call)
    if batch is None:
        return _not_found(call)
    batch.cancel()
    return Reply(body={})


def delete_batch(call: Call) -> Reply:
    """DELETE /{version}/batches/{id}."""
    batch = _find(call)
    if batch is None:
        return _not_found(call)
    batch.deleted = True
    return Reply(body={})


def list_batches(call: Call) -> Reply:
    """GET /{version}/batches: the operations, newest first."""
    found = sorted(
        (b for b in batches(call).values() if b.provider == "gemini" and not b.deleted),
        key=lambda b: b.id,
        reverse=True,
    )
    return Reply(body={"operations": [_operation(call, b) for b in found]})


def _file_resource(call: Call, f: SandboxFile) -> dict[str, Any]:
    base = public_base(call, "gemini", HOST)
    return {
        "name": f.id,
        "displayName": f.extra.get("displayName", ""),
        "mimeType": f.mime_type,
        "sizeBytes": str(len(f.data)),
        "createTime": rfc3339(f.created),
        "updateTime": rfc3339(f.created),
        "expirationTime": rfc3339(f.created + 48 * 3600),
        "sha256Hash": hashlib.sha256(f.data).hexdigest(),
        "uri": f"{base}/v1beta/{f.id}",
        "state": "ACTIVE",
        "source": "UPLOADED",
    }


def upload(call: Call) -> Reply:
    """POST /upload/{version}/files: `start` opens a session; `upload, finalize` (to its URL) stores the bytes."""
    command = call.headers.get("x-goog-upload-command", "").replace(" ", "").lower()
    sessions: dict[str, dict[str, Any]] = call.state.setdefault("gemini_uploads", {})
    upload_id = call.query.get("upload_id")
    if upload_id is None:
        if (denied := G.check_gemini_auth(call.headers, call.request_id)) is not None:
            return denied  # opening a session needs the key; the session URL itself is the credential
        if command != "start" or call.headers.get("x-goog-upload-protocol", "").lower() != "resumable":
            return G.error(
                400,
                "Only resumable uploads are emulated: X-Goog-Upload-Protocol: resumable, start",
                call.request_id,
            )
        meta = (call.body or {}).get("file") if isinstance(call.body, dict) else None
        session = call.serial[:20]
        sessions[session] = {
            "file": meta if isinstance(meta, dict) else {},
            "type": call.headers.get("x-goog-upload-header-content-type", "application/octet-stream"),
            "size": call.headers.get("x-goog-upload-header-content-length"),
        }
        base = public_base(call, "gemini", HOST)
        url = (
            f"{base}/upload/{call.params.get('version')}/files?upload_id={session}&upload_protocol=resumable"
        )
        return Reply(content=b"", headers={"x-goog-upload-url": url, "x-goog-upload-status": "active"})
    session_info = sessions.get(upload_id)
    if session_info is None:
        return G.error(404, "Upload session not found or expired.", call.request_id, status_name="NOT_FOUND")
    if "finalize" not in command.split(","):
        return G.error(400, "Only single-chunk 'upload, finalize' uploads are emulated.", call.request_id)
    del sessions[upload_id]
    name = str(session_info["file"].get("name") or f"files/{call.serial[:12]}")
    f = SandboxFile(
        name if name.startswith("files/") else f"files/{name}",
        "gemini",
        name,
        "batch",
        call.raw,
        call.created,
        mime_type=str(session_info["type"]),
        extra={"displayName": session_info["file"].get("displayName", "")},
    )
    files(call)[f.id] = f
    return Reply(body={"file": _file_resource(call, f)}, headers={"x-goog-upload-status": "final"})


upload.no_auth = True  # type: ignore[attr-defined]  # the session's upload_id authorizes; `start` checks the key itself


def download(call: Call) -> Reply:
    """GET /{version}/files/{id}:download?alt=media."""
    f = files(call).get(f"files/{call.params.get('id', '')}")
    if f is None or f.provider != "gemini":
        return G.error(
            404, f"File files/{call.params.get('id')} not found.", call.request_id, status_name="NOT_FOUND"
        )
    if call.query.get("alt") != "media":
        return Reply(body=_file_resource(call, f))
    return Reply(content=f.data, headers={"content-type": f.mime_type})


ROUTES = {
    "/{version}/models/{model}:batchGenerateContent": create_batch,
    "GET /{version}/batches": list_batches,
    "GET /{version}/batches/{id}": get_batch,
    "/{version}/batches/{id}:cancel": cancel_batch,
    "DELETE /{version}/batches/{id}": delete_batch,
    "/upload/{version}/files": upload,
    "GET /{version}/files/{id}:download": download,
    "GET /download/{version}/files/{id}:download": download,
}
