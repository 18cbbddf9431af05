"""Anthropic's Message Batches API in the sandbox: `/v1/messages/batches`, its results JSONL.

Shapes follow anthropic-python 2.17.0 `types/messages/message_batch.py` and the result types
(wire/tools-batch.md §9.2). The create call checks what the API checks: a non-empty `requests`
list, each with `custom_id` (1-64 of `[a-zA-Z0-9_-]`, unique in the batch) and `params`, and
`params.stream` not set; each request is then answered by the sandbox's own `/v1/messages`
handler, so a bad request becomes an `errored` result with Anthropic's error. Counts other than
`processing` stay 0 until the batch ends, as the API documents. `results_url` points at this
sandbox (the real host in-process, the server's own address otherwise).
"""

from __future__ import annotations

import re
from typing import Any

from . import anthropic as A
from .batches import BatchItem, SandboxBatch, answer, batches, item_call, mark_of, public_base, rfc3339
from .wire import Call, Reply, dumps

__all__ = ["ROUTES"]

CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MAX_REQUESTS = 100_000
DAY = 86_400
_STATUS = {
    "queued": "in_progress",
    "running": "in_progress",
    "finalizing": "in_progress",
    "ended": "ended",
    "expired": "ended",
    "cancelling": "canceling",
    "cancelled": "ended",
    "failed": "ended",
}


def _answer(call: Call, batch_id: str, index: int, request: dict[str, Any]) -> BatchItem:
    cid = request["custom_id"]
    params = request["params"]
    outcome = mark_of(params)
    sub = item_call(call, batch_id, index, params)
    if outcome == "expired":
        return BatchItem(cid, "expired", request_id=sub.request_id)
    if outcome == "fail":
        reply = A.error(400, "sandbox: this request was asked to fail ([sandbox:fail])", sub.request_id)
    else:
        reply = answer(sub, A.ANTHROPIC, "/v1/messages", A.messages)
    return BatchItem(cid, "ok" if reply.status < 400 else "fail", reply.status, reply.body, sub.request_id)


def _check(call: Call) -> Reply | None:
    body, rid = call.body, call.request_id
    if not isinstance(body, dict):
        return A.error(400, "Request body is not valid JSON.", rid)
    requests = body.get("requests")
    if not isinstance(requests, list):
        return A.error(400, "requests: Field required", rid)
    if not requests:
        return A.error(400, "requests: List should have at least 1 item after validation, not 0", rid)
    if len(requests) > MAX_REQUESTS:
        return A.error(413, f"requests: at most {MAX_REQUESTS} requests per batch", rid)
    seen: set[str] = set()
    for i, request in enumerate(requests):
        if not isinstance(request, dict):
            return A.error(400, f"requests.{i}: Input should be a valid dictionary", rid)
        cid = request.get("custom_id")
        if not isinstance(cid, str):
            return A.error(400, f"requests.{i}.custom_id: Field required", rid)
        if not CUSTOM_ID.match(cid):
            return A.error(
                400, f"requests.{i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'", rid
            )
        if cid in seen:
            return A.error(
                400, f"Duplicate custom_id value '{cid}' in requests. custom_id values must be unique.", rid
            )
        seen.add(cid)
        params = request.get("params")
        if not isinstance(params, dict):
            return A.error(400, f"requests.{i}.params: Field required", rid)
        if params.get("stream"):
            return A.error(
                400, f"requests.{i}.params.stream: streaming is not supported in message batches", rid
            )
    return None


def create_batch(call: Call) -> Reply:
    """POST /v1/messages/batches."""
    if (bad := _check(call)) is not None:
        return bad
    requests = call.body["requests"]
    batch_id = f"msgbatch_{call.serial}"
    items = [_answer(call, batch_id, i, r) for i, r in enumerate(requests)]
    batch = SandboxBatch(
        batch_id,
        "anthropic",
        call.created,
        items,
        stuck=any(mark_of(r["params"]) == "stuck" for r in requests),
    )
    batches(call)[batch.id] = batch
    return Reply(body=_batch_object(call, batch))


def _batch_object(call: Call, batch: SandboxBatch) -> dict[str, Any]:
    stage = batch.stage
    ended = _STATUS[stage] == "ended"
    counts = batch.counts()
    n = len(batch.items)
    base = public_base(call, "anthropic", "api.anthropic.com")
    return {
        "id": batch.id,
        "type": "message_batch",
        "processing_status": _STATUS[stage],
        "request_counts": {
            "processing": 0 if ended else n,  # the others stay 0 until the batch ends
            "succeeded": counts["ok"] if ended else 0,
            "errored": counts["fail"] if ended else 0,
            "canceled": counts["cancelled"] if ended else 0,
            "expired": counts["expired"] if ended else 0,
        },
        "ended_at": rfc3339(batch.created + 60 * batch.polls) if ended else None,
        "created_at": rfc3339(batch.created),
        "expires_at": rfc3339(batch.created + DAY),
        "archived_at": None,
        "cancel_initiated_at": rfc3339(batch.created + 1) if batch.cancel_at is not None else None,
        "results_url": f"{base}/v1/messages/batches/{batch.id}/results" if ended else None,
    }


def _find(call: Call) -> SandboxBatch | None:
    batch = batches(call).get(call.params.get("id", ""))
    return batch if batch is not None and batch.provider == "anthropic" and not batch.deleted else None


def _not_found(call: Call) -> Reply:
    return A.error(404, f"No message batch found with id '{call.params.get('id')}'.", call.request_id)


def get_batch(call: Call) -> Reply:
    """GET /v1/messages/batches/{id}: one step further per poll."""
    batch = _find(call)
    if batch is None:
        return _not_found(call)
    batch.polls += 1
    return Reply(body=_batch_object(call, batch))


def cancel_batch(call: Call) -> Reply:
    """POST /v1/messages/batches/{id}/cancel: canceling now, ended (with canceled results) next poll."""
    batch = _find(call)
    if batch is None:
        return _not_found(call)
    batch.cancel()
    return Reply(body=_batch_object(call, batch))


def delete_batch(call: Call) -> Reply:
    """DELETE /v1/messages/batches/{id}: only once it has ended."""
    batch = _find(call)
    if batch is None:
        return _not_found(call)
    if _STATUS[batch.stage] != "ended":
        return A.error(
            400,
            "Message batches that are still processing cannot be deleted; cancel it first.",
            call.request_id,
        )
    batch.deleted = True
    return Reply(body={"id": batch.id, "type": "message_batch_deleted"})


def _result(batch: SandboxBatch, index: int) -> dict[str, Any]:
    item = batch.items[index]
    match batch.outcome(index):
        case "ok":
            result: dict[str, Any] = {"type": "succeeded", "message": item.body}
        case "fail":
            result = {"type": "errored", "error": item.body}
        case "expired":
            result = {"type": "expired"}
        case _:
            result = {"type": "canceled"}
    return {"custom_id": item.custom_id, "result": result}


def results(call: Call) -> Reply:
    """GET /v1/messages/batches/{id}/results: JSONL, one line per request (not in request order)."""
    batch = _find(call)
    if batch is None:
        return _not_found(call)
    if _STATUS[batch.stage] != "ended":
        message = f"Message batch {batch.id} has not yet ended: its results are not available."
        return A.error(400, message, call.request_id)
    order = list(range(len(batch.items)))
    order = order[1::2] + order[0::2]  # the API does not keep request order; neither do we
    data = "".join(dumps(_result(batch, i)) + "\n" for i in order).encode()
    return Reply(content=data, headers={"content-type": "application/binary"})


def list_batches(call: Call) -> Reply:
    """GET /v1/messages/batches: newest first."""
    found = sorted(
        (b for b in batches(call).values() if b.provider == "anthropic" and not b.deleted),
        key=lambda b: b.id,
        reverse=True,
    )
    data = [_batch_object(call, b) for b in found]
    return Reply(
        body={
            "data": data,
            "has_more": False,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
        }
    )


ROUTES = {
    "/v1/messages/batches": create_batch,
    "GET /v1/messages/batches": list_batches,
    "GET /v1/messages/batches/{id}": get_batch,
    "GET /v1/messages/batches/{id}/results": results,
    "/v1/messages/batches/{id}/cancel": cancel_batch,
    "DELETE /v1/messages/batches/{id}": delete_batch,
}
