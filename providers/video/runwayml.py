"""RunwayML's own API (api.dev.runwayml.com): text_to_video, image_to_video, polled at /v1/tasks/{id}.

Every request carries `Authorization: Bearer <RUNWAYML_API_SECRET>` and `X-Runway-Version:
2024-11-06` (required; the official SDK's default). Bodies are camelCase:

    POST /v1/text_to_video  {"model": "gen4.5", "promptText": "...", "ratio": "1280:720", "duration": 5}
    POST /v1/image_to_video {"model": "gen4.5", "promptImage": "https://...", "promptText": "...", ...}
    -> {"id": "<task id>", "estimatedCost": {"credits": 60}}
    GET /v1/tasks/{id} -> {"id", "createdAt", "status": PENDING | THROTTLED | RUNNING (+ progress 0..1)
                           | SUCCEEDED (+ output: [url, ...], cost) | FAILED (+ failure, failureCode)
                           | CANCELLED, "estimatedCost" | "cost": {"credits": n}}
    DELETE /v1/tasks/{id}  cancels a pending, throttled or running task (deletes a finished one)

Output URLs expire within 24-48 hours. Sources: runwayml SDK 5.24.0 (`_client.py` base URL and
headers, `resources/tasks.py`, `types/task_retrieve_response.py`, `types/*_create_params.py`,
`lib/polling.py`: it polls every 6 s +- jitter with a 10 min default timeout).
"""

from __future__ import annotations

import json
from typing import Any

import httpx2

from ..chat.base import Connection, auth_headers, error_from_body
from ..errors import ProviderError, StreamError
from ..media_types import JobKind, JobState, JobStatus
from ..types import HttpCall
from .jobs import JobTiming, Submitted
from .plan import MediaRequest, shorten

__all__ = ["API_VERSION", "USD_PER_CREDIT", "RunwayMLVideo", "task_state"]

API_VERSION = "2024-11-06"
USD_PER_CREDIT = 0.01  # docs.dev.runwayml.com pricing: API credits are bought at $0.01 each
_STATUS: dict[str, JobStatus] = {
    "PENDING": "queued",
    "THROTTLED": "queued",
    "RUNNING": "running",
    "SUCCEEDED": "succeeded",
    "FAILED": "failed",
    "CANCELLED": "cancelled",
}


def _headers(conn: Connection, **extra: str) -> dict[str, str]:
    return {**auth_headers(conn), "x-runway-version": conn.api_version or API_VERSION, **extra}


def _ratio(request: MediaRequest) -> str | None:
    return f"{request.width}:{request.height}" if request.width and request.height else None


def _credits(task: dict[str, Any]) -> tuple[float | None, bool]:
    for key, estimated in (("cost", False), ("estimatedCost", True)):
        value = task.get(key)
        if isinstance(value, dict) and isinstance(value.get("credits"), int | float):
            return float(value["credits"]), estimated
    return None, False


def task_state(task: Any) -> JobState:
    """A /v1/tasks/{id} body (or a create reply), normalized."""
    if not isinstance(task, dict) or "status" not in task:
        raise StreamError(f"runwayml sent a task without a status: {str(task)[:120]}", provider="runwayml")
    raw = str(task["status"])
    credits, estimated = _credits(task)
    progress = task.get("progress")
    output = task.get("output")
    outputs: list[Any] = output if isinstance(output, list) else []
    return JobState(
        status=_STATUS.get(raw, "running"),
        raw_status=raw,
        progress=float(progress) if isinstance(progress, int | float) and raw == "RUNNING" else None,
        outputs=[str(u) for u in outputs if isinstance(u, str)],
        cost_credits=credits,
        cost_usd=None if credits is None else round(credits * USD_PER_CREDIT, 4),
        estimated=estimated,
        error=task.get("failure"),
        error_code=task.get("failureCode"),
    )


class RunwayMLVideo:
    """text_to_video / image_to_video tasks."""

    provider = "runwayml"
    kind: JobKind = "video"
    timing = JobTiming(first_s=5.0, factor=1.25, max_s=10.0)  # the SDK polls every 6 s +- 1.5
    can_cancel = True
    expires = "RunwayML output URLs expire within 24-48 hours: download with .save(path)"
    request_id_header = "x-request-id"
    max_inline_bytes = 5_000_000  # data URIs up to 5 MB (SDK docstrings)

    def endpoint(self, request: MediaRequest) -> str:
        """The path for this request: image_to_video when a frame is given, else text_to_video."""
        return "/v1/image_to_video" if request.frames else "/v1/text_to_video"

    def body(self, request: MediaRequest) -> dict[str, Any]:
        """The camelCase JSON body."""
        body: dict[str, Any] = {"model": request.model.id}
        if request.frames:
            if set(request.frames) == {"first"}:
                body["promptImage"] = request.frames["first"]
            else:
                body["promptImage"] = [{"uri": uri, "position": pos} for pos, uri in request.frames.items()]
        if request.prompt:
            body["promptText"] = request.prompt
        if (ratio := _ratio(request)) is not None:
            body["ratio"] = ratio
        if request.duration is not None:
            body["duration"] = int(request.duration) if request.duration.is_integer() else request.duration
        if request.seed is not None:
            body["seed"] = request.seed
        if request.audio is not None:
            body["audio"] = request.audio
        if request.negative_prompt:
            body["negativePrompt"] = request.negative_prompt
        return {**body, **request.options}

    def submit(self, request: MediaRequest, conn: Connection, *, job_id: str) -> HttpCall:
        """POST the create call (the task id comes back from the server; `job_id` is unused)."""
        body = self.body(request)
        return HttpCall(
            method="POST",
            url=conn.base_url + self.endpoint(request),
            headers=_headers(conn, **{"content-type": "application/json"}),
            json_body=body,
            sent={"endpoint": self.endpoint(request), **shorten(body)},
        )

    def poll(self, job_id: str, conn: Connection) -> HttpCall:
        """GET /v1/tasks/{id}."""
        return HttpCall(method="GET", url=f"{conn.base_url}/v1/tasks/{job_id}", headers=_headers(conn))

    def cancel(self, job_id: str, conn: Connection) -> HttpCall | None:
        """DELETE /v1/tasks/{id} (the SDK sends Accept: */* and expects no body)."""
        return HttpCall(
            method="DELETE", url=f"{conn.base_url}/v1/tasks/{job_id}", headers=_headers(conn, accept="*/*")
        )

    def parse_submit(self, payload: Any, *, job_id: str) -> Submitted:
        """{"id": ..., "estimatedCost": {"credits": n}}."""
        if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
            raise StreamError(
                f"runwayml's reply names no task id: {str(payload)[:120]}", provider=self.provider
            )
        credits, _ = _credits(payload)
        state = JobState(
            status="queued",
            raw_status="submitted",
            cost_credits=credits,
            cost_usd=None if credits is None else round(credits * USD_PER_CREDIT, 4),
            estimated=True,
        )
        return Submitted(payload["id"], state)

    def parse_poll(self, payload: Any, *, job_id: str) -> JobState:
        """A task body, normalized."""
        return task_state(payload)

    def parse_error(self, provider: str, status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
        """{"error": "..."} (sometimes with `issues`), or any body."""
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
        message = None
        if isinstance(payload, dict):
            err = payload.get("error")
            message = err.get("message") if isinstance(err, dict) else err if isinstance(err, str) else None
            issues = payload.get("issues")
            if message and isinstance(issues, list) and issues:
                message = f"{message}: " + "; ".join(
                    str(i.get("message", i)) if isinstance(i, dict) else str(i) for i in issues[:3]
                )
        return error_from_body(
            provider,
            status,
            headers,
            body,
            message=message,
            code=None,
            request_id_header=self.request_id_header,
        )
