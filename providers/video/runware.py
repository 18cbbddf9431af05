"""Runware: the task-array API at https://api.runware.ai/v1 (videoInference, polled with getResponse).

Every request is a POST of a JSON *array* of task objects; every task carries a client-made UUIDv4
`taskUUID`, which is also how results are matched and how the job is polled:

    [{"taskType": "videoInference", "taskUUID": "...", "model": "runway:1@2", "positivePrompt": "...",
      "duration": 5, "width": 1280, "height": 720, "deliveryMethod": "async", "includeCost": true, ...}]
    -> {"data": [{"taskType": "videoInference", "taskUUID": "..."}]}              (acknowledged)
    [{"taskType": "getResponse", "taskUUID": "..."}]
    -> {"data": [{"taskUUID": "...", "status": "processing"}]}                    (poll: processing)
    -> {"data": [{"taskUUID": "...", "status": "success", "videoURL": "https://vm.runware.ai/...",
                  "videoUUID": "...", "cost": 0.965, "seed": 48281}]}              (poll: done)
    -> {"data": [], "errors": [{"taskUUID": "...", "status": "error", "code": "...", "message": "..."}]}

Sources: runware.ai/docs/platform/task-polling and /docs/platform/errors; runware-sdk 1.8.0
(runware/client.py `_poll_rest`, `_is_terminal`, `_progress_value`; runware/errors.py
`parse_api_error`, which also reads `{status: "error", error: {...}}` items); the model pages for
`inputs.frameImages` (newer models) versus top-level `frameImages` (older ones). Runware has no
cancel task, so an interrupted job keeps running and can be resumed by its taskUUID.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2

from ..chat.base import Connection, auth_headers, error_from_body
from ..errors import BadRequestError, ProviderError
from ..media_types import JobKind, JobState
from ..types import HttpCall
from .jobs import JobTiming, Submitted
from .plan import MediaRequest, shorten

__all__ = ["RunwareVideo", "parse_items", "task_call"]

_QUEUED = frozenset({"pending", "queued", "scheduled", "waiting"})
_URL_KEYS = ("videoURL", "mediaURL", "imageURL", "audioURL")


def task_call(
    conn: Connection, tasks: list[dict[str, Any]], *, sent: dict[str, Any] | None = None
) -> HttpCall:
    """The POST that carries a task array (its body is a JSON array, so it is sent as raw bytes)."""
    return HttpCall(
        method="POST",
        url=conn.base_url,
        headers={**auth_headers(conn), "content-type": "application/json"},
        content=json.dumps(tasks, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        sent=sent or {},
    )


def _error_list(payload: Any) -> list[dict[str, Any]]:
    if not isinstance(payload, dict):
        return []
    errors = payload.get("errors")
    if isinstance(errors, list):
        return [e for e in errors if isinstance(e, dict)]
    if isinstance(payload.get("error"), dict):  # older docs: a single `error`
        return [{**payload["error"], "taskUUID": payload.get("taskUUID")}]
    return []


def _message(err: dict[str, Any]) -> tuple[str, str | None]:
    """(message, code) of one error object, camelCase or the SDK's snake_case."""
    message = err.get("message") or err.get("error_message") or err.get("errorMessage") or "no message"
    code = err.get("code") or err.get("error_code") or err.get("errorId")
    param = err.get("parameter")
    if param and isinstance(param, str) and param not in str(message):
        message = f"{message} (parameter {param})"
    return str(message), (str(code) if code else None)


def parse_items(payload: Any, job_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The data items and the errors of a reply that belong to this taskUUID."""
    data = (
        payload.get("data") if isinstance(payload, dict) else payload if isinstance(payload, list) else None
    )
    items = [i for i in (data or []) if isinstance(i, dict) and i.get("taskUUID", job_id) == job_id]
    errors = [
        e for e in _error_list(payload) if (e.get("taskUUID") or e.get("task_uuid") or job_id) == job_id
    ]
    return items, errors


class RunwareVideo:
    """videoInference over REST, delivered async and polled with getResponse."""

    provider = "runware"
    kind: JobKind = "video"
    task_type = "videoInference"
    timing = JobTiming(first_s=2.0, factor=1.5, max_s=10.0)  # docs: start at 1-2 s, back off
    can_cancel = False
    expires = "output URLs expire (Runware does not say when): download with .save(path)"
    request_id_header = "x-request-id"
    max_inline_bytes = 20_000_000  # model pages: input images up to 20 MB

    # -- building ---------------------------------------------------------------------------

    def task(self, request: MediaRequest, *, job_id: str) -> dict[str, Any]:
        """The task object (without images shortened): what goes inside the array."""
        m = request.model
        task: dict[str, Any] = {
            "taskType": self.task_type,
            "taskUUID": job_id,
            "model": m.id,
            "deliveryMethod": "async",
            "outputType": "URL",
            "includeCost": True,
            "numberResults": 1,
        }
        if request.prompt:
            task["positivePrompt"] = request.prompt
        if request.negative_prompt:
            task["negativePrompt"] = request.negative_prompt
        if request.duration is not None:
            task["duration"] = int(request.duration) if request.duration.is_integer() else request.duration
        if request.width and request.height:
            task["width"], task["height"] = request.width, request.height
        if request.seed is not None:
            task["seed"] = request.seed
        self._images(task, request)
        if request.audio is not None and m.id.startswith("google:"):
            task["providerSettings"] = {"google": {"generateAudio": request.audio}}
        return _merge(task, request.options)

    def _images(self, task: dict[str, Any], request: MediaRequest) -> None:
        if not request.frames:
            return
        if request.model.image_field == "frameImages":
            task["frameImages"] = [{"inputImage": ref, "frame": pos} for pos, ref in request.frames.items()]
        else:
            task["inputs"] = {
                "frameImages": [{"image": ref, "frame": pos} for pos, ref in request.frames.items()]
            }

    def submit(self, request: MediaRequest, conn: Connection, *, job_id: str) -> HttpCall:
        """POST the one-task array."""
        task = self.task(request, job_id=job_id)
        return task_call(conn, [task], sent=shorten(task))

    def poll(self, job_id: str, conn: Connection) -> HttpCall:
        """POST a getResponse task for the same taskUUID."""
        return task_call(conn, [{"taskType": "getResponse", "taskUUID": job_id}])

    def cancel(self, job_id: str, conn: Connection) -> HttpCall | None:
        """Runware offers no cancel task."""
        return None

    # -- parsing ----------------------------------------------------------------------------

    def parse_submit(self, payload: Any, *, job_id: str) -> Submitted:
        """The acknowledgement; an `errors` entry for this task means it was refused."""
        items, errors = parse_items(payload, job_id)
        if errors:
            message, code = _message(errors[0])
            raise BadRequestError(
                f"runware refused the task: {message}", provider=self.provider, code=code, body=payload
            )
        if items and (items[0].get("status") or _url(items[0])):
            return Submitted(job_id, self.parse_poll(payload, job_id=job_id))
        return Submitted(job_id)

    def parse_poll(self, payload: Any, *, job_id: str) -> JobState:
        """A getResponse reply: processing, success (with the URL and cost) or error."""
        items, errors = parse_items(payload, job_id)
        if errors:
            message, code = _message(errors[0])
            return JobState(
                status="failed",
                raw_status=str(errors[0].get("status") or "error"),
                error=message,
                error_code=code,
            )
        if not items:
            return JobState(status="queued", raw_status="(no result yet)")
        item = items[0]
        raw = str(item.get("status") or "")
        nested = item.get("error")
        if raw == "error" or isinstance(nested, dict):
            message, code = _message(nested if isinstance(nested, dict) else item)
            return JobState(status="failed", raw_status=raw or "error", error=message, error_code=code)
        url = _url(item)
        if raw == "success" or url:
            return JobState(
                status="succeeded",
                raw_status=raw or "success",
                outputs=[url] if url else [],
                cost_usd=_number(item.get("cost")),
                seed=item.get("seed") if isinstance(item.get("seed"), int) else None,
            )
        progress = _number(item.get("progress"))
        return JobState(
            status="queued" if raw in _QUEUED else "running",
            raw_status=raw or "processing",
            progress=None if progress is None else max(0.0, min(progress / 100.0, 1.0)),
        )

    def parse_error(self, provider: str, status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
        """An HTTP error: the first entry of `errors` (or `error`) names it."""
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
        errors = _error_list(payload)
        message, code = _message(errors[0]) if errors else (None, None)
        return error_from_body(
            provider,
            status,
            headers,
            body,
            message=message,
            code=code,
            request_id_header=self.request_id_header,
        )


def _url(item: dict[str, Any]) -> str | None:
    for key in _URL_KEYS:
        if isinstance(item.get(key), str) and item[key]:
            return str(item[key])
    return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """`extra` laid over `base`, merging nested dicts (so providerSettings from options keeps audio)."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
