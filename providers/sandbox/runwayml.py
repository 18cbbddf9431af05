"""RunwayML emulator: text_to_video, image_to_video, text_to_image and the /v1/tasks/{id} lifecycle.

Every request needs `Authorization: Bearer ...` and `X-Runway-Version: 2024-11-06`. A create call is
checked against the catalog's RunwayML rows (model, ratio, duration, promptImage) and answered
`{"id", "estimatedCost": {"credits"}}`; GET /v1/tasks/{id} then moves one step per poll:
PENDING -> THROTTLED -> RUNNING (progress 0..1) -> SUCCEEDED (`output`: [url], `cost`), or FAILED
(`failure`, `failureCode`). DELETE cancels a task still in flight (CANCELLED, refunded) and deletes a
finished one (then 404). Shapes follow runwayml SDK 5.24.0 `types/task_retrieve_response.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..video.catalog import MediaModel, list_media_models
from .media import SandboxJob, iso_time, jobs, new_job, output_url
from .wire import Call, ProviderSpec, Reply

__all__ = ["RUNWAYML"]

VERSION = "2024-11-06"
_CREDITS_PER_IMAGE = 5


def error(status: int, message: str, request_id: str, *, issues: list[Any] | None = None, **_: Any) -> Reply:
    """RunwayML's error body: {"error": "...", "issues": [...]}."""
    body: dict[str, Any] = {"error": message}
    if issues:
        body["issues"] = issues
    return Reply(status=status, body=body)


def fault(status: int, request_id: str) -> Reply:
    """The reply for an injected status fault."""
    return error(status, "Too many requests" if status == 429 else "An unexpected error occurred", request_id)


def check_auth(headers: Mapping[str, str], request_id: str) -> Reply | None:
    """A Bearer key and the required X-Runway-Version header."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return error(
            401, "Missing or invalid API key (Authorization: Bearer <RUNWAYML_API_SECRET>)", request_id
        )
    version = headers.get("x-runway-version", "").strip()
    if not version:
        return error(400, "The X-Runway-Version header is required (e.g. 2024-11-06)", request_id)
    if version != VERSION:
        return error(400, f"Unsupported X-Runway-Version {version!r}; supported: {VERSION}", request_id)
    return None


def _issue(path: str, message: str) -> dict[str, Any]:
    return {"path": [path], "message": message}


def _model(name: Any, kind: str) -> MediaModel | None:
    return next((m for m in list_media_models("runwayml", kind) if m.id == name), None)  # type: ignore[arg-type]


def _frames(body: dict[str, Any]) -> list[str]:
    image = body.get("promptImage")
    if isinstance(image, str):
        return ["first"]
    if isinstance(image, list):
        return [str(p.get("position")) for p in image if isinstance(p, dict)]
    return []


def _check(body: dict[str, Any], model: MediaModel, endpoint: str) -> list[dict[str, Any]]:
    issues = []
    frames = _frames(body)
    if endpoint == "image_to_video" and "first" not in frames:
        issues.append(_issue("promptImage", "Required (a URL, data URI, or [{uri, position: 'first'}])"))
    if "last" in frames and "last_frame" not in model.inputs:
        issues.append(_issue("promptImage", f"{model.id} takes a first frame only"))
    if endpoint == "text_to_video" and "text" in model.inputs and not body.get("promptText"):
        issues.append(_issue("promptText", "Required"))
    if "first_frame" in model.requires and endpoint != "image_to_video":
        issues.append(_issue("model", f"{model.id} is only available on /v1/image_to_video"))
    sizes = model.sizes_for(endpoint == "image_to_video")
    ratio = body.get("ratio")
    if sizes and (not isinstance(ratio, str) or ratio.replace(":", "x") not in sizes):
        allowed = ", ".join(s.replace("x", ":") for s in sizes)
        issues.append(_issue("ratio", f"Invalid enum value. Expected {allowed}, received {ratio!r}"))
    duration = body.get("duration")
    if (
        model.kind == "video"
        and model.durations
        and duration is not None
        and float(duration) not in model.durations
    ):
        issues.append(_issue("duration", f"Expected one of {', '.join(f'{d:g}' for d in model.durations)}"))
    if "reference" in model.requires and not body.get("referenceImages"):
        issues.append(_issue("referenceImages", "Required (one to three images)"))
    return issues


def _create(endpoint: str, kind: str) -> Any:
    def handler(call: Call) -> Reply:
        body = call.body if isinstance(call.body, dict) else None
        if body is None:
            return error(400, "The request body must be a JSON object", call.request_id)
        model = _model(body.get("model"), kind)
        if model is None:
            return error(
                400,
                f"Model variant {body.get('model')!r} is not available on /v1/{endpoint}",
                call.request_id,
            )
        if issues := _check(body, model, endpoint):
            return error(400, "Validation of body failed", call.request_id, issues=issues)
        price = model.price
        if kind == "video":
            per_s = price.credits_per_second if price and price.credits_per_second else 0
            if body.get("audio") and price and price.credits_per_second_audio:
                per_s = price.credits_per_second_audio
            credits = float(per_s * float(body.get("duration") or model.default_duration or 0))
        else:
            credits = float(_CREDITS_PER_IMAGE)
        asked = body.get("duration") or model.default_duration
        seconds = float(asked) if kind == "video" and asked else None  # the served clip lasts this long
        job = new_job(
            call,
            provider="runwayml",
            kind=kind,
            model=model.id,
            prompt=body.get("promptText"),
            credits=credits,
            duration=seconds,
        )
        return Reply(body={"id": job.id, "estimatedCost": {"credits": credits}})

    return handler


def _task_body(call: Call, job: SandboxJob) -> dict[str, Any]:
    base: dict[str, Any] = {"id": job.id, "createdAt": iso_time(job.created)}
    if job.cancelled:
        return {**base, "status": "CANCELLED", "cost": {"credits": 0}}
    estimated = {"estimatedCost": {"credits": job.credits}}
    if job.outcome == "fail" and job.polls >= job.steps - 2:
        return {
            **base,
            "status": "FAILED",
            "failure": "The prompt was flagged by content moderation (sandbox: [sandbox:fail])",
            "failureCode": "SAFETY.INPUT.TEXT",
            "cost": {"credits": 0},
        }
    if job.ended:
        return {
            **base,
            "status": "SUCCEEDED",
            "output": [output_url(call, job)],
            "cost": {"credits": int(job.credits)},
        }
    if job.polls <= 1:
        return {**base, "status": "PENDING", **estimated}
    if job.polls == 2 and job.kind == "video":
        return {**base, "status": "THROTTLED", **estimated}
    share = min((job.polls - 1) / job.steps, 0.95)  # a stuck job creeps, never reaching 1
    return {**base, "status": "RUNNING", "progress": round(share, 2), **estimated}


def _find(call: Call) -> SandboxJob | None:
    job = jobs(call).get(call.params.get("id", ""))
    return job if job is not None and job.provider == "runwayml" and not job.deleted else None


def task(call: Call) -> Reply:
    """GET /v1/tasks/{id}: one step further per poll."""
    job = _find(call)
    if job is None:
        return error(404, "Task not found", call.request_id)
    job.polls += 1
    return Reply(body=_task_body(call, job))


def delete(call: Call) -> Reply:
    """DELETE /v1/tasks/{id}: cancel a task in flight, delete a finished one; 204 either way."""
    job = _find(call)
    if job is None:
        return error(404, "Task not found", call.request_id)
    if job.ended:
        job.deleted = True
    else:
        job.cancelled = True
    return Reply(status=204, content=b"")


RUNWAYML = ProviderSpec(
    name="runwayml",
    routes={
        "/v1/text_to_video": _create("text_to_video", "video"),
        "/v1/image_to_video": _create("image_to_video", "video"),
        "/v1/text_to_image": _create("text_to_image", "image"),
        "GET /v1/tasks/{id}": task,
        "DELETE /v1/tasks/{id}": delete,
    },
    request_id_header="x-request-id",
    check_auth=check_auth,
    error=error,
    fault=fault,
)
