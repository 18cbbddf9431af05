"""Runware emulator: POST /v1 with a JSON array of tasks (videoInference, imageInference, getResponse).

Like the real API: every task needs a UUIDv4 `taskUUID`; video tasks must be `deliveryMethod:
"async"` and are acknowledged at once; `getResponse` with the same taskUUID reports `processing`
(with a `progress` that grows by one step per poll) until `success` with `videoURL`/`imageURL`,
`cost` and `seed`. A task the model would refuse comes back in `errors[]` (HTTP 400) with a code
and the parameter; a failed generation comes back in `errors[]` of the poll reply (HTTP 200).
Sizes and durations are checked against the catalog's Runware rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..video.catalog import MediaModel, estimate_cost, list_media_models
from .media import SandboxJob, jobs, new_job, output_url
from .wire import Call, ProviderSpec, Reply

__all__ = ["RUNWARE"]

_UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I)
_KINDS = {"videoInference": "video", "imageInference": "image"}


def error(status: int, message: str, request_id: str, *, code: str | None = None, **extra: Any) -> Reply:
    """Runware's envelope: {"data": [], "errors": [{code, message, ...}]}."""
    item = {
        "code": code or ("serverError" if status >= 500 else "invalidRequest"),
        "message": message,
        **extra,
    }
    return Reply(status=status, body={"data": [], "errors": [item]})


def fault(status: int, request_id: str) -> Reply:
    """The reply for an injected status fault."""
    messages = {429: "Too many requests; slow down", 529: "Overloaded"}
    return error(status, messages.get(status, "Internal server error"), request_id)


def check_auth(headers: Mapping[str, str], request_id: str) -> Reply | None:
    """Always None here: Runware also takes the key as an `authentication` task inside the body, so
    `tasks` checks it (a Bearer header or that task) once it has read the array."""
    return None


def _model(air: str, kind: str) -> MediaModel | None:
    return next((m for m in list_media_models("runware", kind) if m.id == air), None)  # type: ignore[arg-type]


def _bad(task: dict[str, Any], code: str, message: str, parameter: str | None = None) -> dict[str, Any]:
    item = {
        "code": code,
        "message": message,
        "taskType": task.get("taskType"),
        "taskUUID": task.get("taskUUID"),
    }
    if parameter:
        item["parameter"] = parameter
    return item


def _images(task: dict[str, Any]) -> list[Any]:
    inputs = task.get("inputs")
    nested = inputs.get("frameImages") if isinstance(inputs, dict) else None
    return list(task.get("frameImages") or []) + list(nested or [])


def _validate(task: dict[str, Any], kind: str) -> dict[str, Any] | None:
    uid = task.get("taskUUID")
    if not isinstance(uid, str) or not _UUID4.match(uid):
        return _bad(task, "invalidTaskUUID", "taskUUID must be a UUID v4 string", "taskUUID")
    if not isinstance(task.get("model"), str):
        return _bad(task, "missingModel", "model is required (an AIR id such as runway:1@2)", "model")
    if kind == "video" and task.get("deliveryMethod") != "async":
        return _bad(
            task, "invalidDeliveryMethod", "video tasks take deliveryMethod 'async' only", "deliveryMethod"
        )
    if not task.get("positivePrompt") and not _images(task):
        return _bad(
            task, "missingPositivePrompt", "provide positivePrompt or inputs.frameImages", "positivePrompt"
        )
    if ("width" in task) != ("height" in task):
        return _bad(task, "invalidDimensions", "width and height must be used together", "width")
    model = _model(task["model"], kind)
    if model is None:
        return None  # a model the catalog does not hold: accepted as the real API would for a valid AIR
    duration = task.get("duration")
    if (
        kind == "video"
        and duration is not None
        and model.durations
        and float(duration) not in model.durations
    ):
        allowed = ", ".join(f"{d:g}" for d in model.durations)
        return _bad(
            task, "invalidDuration", f"Invalid value for duration. Allowed values: {allowed}", "duration"
        )
    if (
        "width" in task
        and model.sizes
        and f"{task['width']}x{task['height']}" not in model.sizes
        and not model.size_range
    ):
        return _bad(
            task, "invalidDimensions", f"Unsupported dimensions. Supported: {', '.join(model.sizes)}", "width"
        )
    return None


def _duration(task: dict[str, Any], kind: str) -> float | None:
    """How long the video asked for lasts: its duration, else the model's default."""
    model = _model(task.get("model", ""), kind)
    asked = task.get("duration") or (model.default_duration if model else None)
    return float(asked) if kind == "video" and asked else None


def _cost(task: dict[str, Any], kind: str) -> float:
    model = _model(task.get("model", ""), kind)
    if model is None:
        return 0.0
    estimate = estimate_cost(
        model,
        duration=task.get("duration") or model.default_duration,
        width=task.get("width"),
        height=task.get("height"),
        audio=bool(((task.get("providerSettings") or {}).get("google") or {}).get("generateAudio")),
    )
    return round(estimate or 0.0, 4)


def _result(call: Call, job: SandboxJob, task_type: str) -> dict[str, Any]:
    key = "video" if job.kind == "video" else "image"
    return {
        "taskType": task_type,
        "taskUUID": job.id,
        "status": "success",
        f"{key}UUID": job.id,
        f"{key}URL": output_url(call, job),
        "seed": job.seed,
        **({"cost": job.cost_usd} if job.cost_usd else {}),  # no price in the catalog: no made-up cost
    }


def _poll(call: Call, task: dict[str, Any], data: list[Any], errors: list[Any]) -> None:
    job = jobs(call).get(str(task.get("taskUUID")))
    if job is None or job.provider != "runware":
        errors.append(_bad(task, "taskFailedOrNotFound", "no async task with this taskUUID", "taskUUID"))
        return
    job.polls += 1
    task_type = "videoInference" if job.kind == "video" else "imageInference"
    if job.outcome == "fail" and job.polls >= job.steps - 2:
        errors.append(
            {
                "taskType": task_type,
                "taskUUID": job.id,
                "status": "error",
                "code": "contentPolicyViolation",
                "message": "The provider's content moderation rejected the prompt (sandbox: [sandbox:fail])",
            }
        )
        return
    if job.ended:
        data.append(_result(call, job, task_type))
        return
    share = min(job.polls, job.steps - 1) / job.steps
    data.append(
        {"taskType": task_type, "taskUUID": job.id, "status": "processing", "progress": round(100 * share)}
    )


def tasks(call: Call) -> Reply:
    """POST /v1: run each task of the array; acknowledgements and results in `data`, refusals in `errors`."""
    body = call.body
    if not isinstance(body, list) or not all(isinstance(t, dict) for t in body):
        return error(
            400,
            "The request body must be a JSON array of task objects",
            call.request_id,
            code="invalidPayload",
        )
    scheme, _, token = call.headers.get("authorization", "").partition(" ")
    authed = scheme.lower() == "bearer" and bool(token.strip())
    data: list[Any] = []
    errors: list[Any] = []
    for task in body:
        task_type = task.get("taskType")
        if task_type == "authentication":
            authed = authed or bool(task.get("apiKey"))
            data.append({"taskType": "authentication", "connectionSessionUUID": call.serial})
        elif not authed:
            return error(
                401,
                "Invalid API key. Get one at https://my.runware.ai/signup",
                call.request_id,
                code="invalidApiKey",
            )
        elif task_type == "getResponse":
            _poll(call, task, data, errors)
        elif task_type in _KINDS:
            kind = _KINDS[task_type]
            if (problem := _validate(task, kind)) is not None:
                errors.append(problem)
                continue
            if task["taskUUID"] in jobs(call):
                errors.append(_bad(task, "duplicatedTaskUUID", "taskUUID was already used", "taskUUID"))
                continue
            job = new_job(
                call,
                provider="runware",
                kind=kind,
                model=task["model"],
                prompt=task.get("positivePrompt"),
                job_id=task["taskUUID"],
                cost_usd=_cost(task, kind),
                duration=_duration(task, kind),
            )
            if kind == "image" and task.get("deliveryMethod", "sync") == "sync":
                job.polls = job.steps
                data.append(_result(call, job, task_type))
            else:
                data.append({"taskType": task_type, "taskUUID": job.id})
        else:
            errors.append(
                _bad(task, "unsupportedTaskType", f"the sandbox does not emulate {task_type!r}", "taskType")
            )
    reply: dict[str, Any] = {"data": data}
    if errors:
        reply["errors"] = errors
    refused = errors and not data and all(e.get("code") != "contentPolicyViolation" for e in errors)
    return Reply(status=400 if refused else 200, body=reply)


RUNWARE = ProviderSpec(
    name="runware",
    routes={"/v1": tasks},
    request_id_header="x-request-id",
    check_auth=check_auth,
    error=error,
    fault=fault,
)
