"""Sandbox generation jobs (shared by the Runware and RunwayML emulators) and the CDN serving their files.

A job advances one step per poll, never per second, so progress is observable in tests without
waiting and a notebook watches it fill in as fast as it polls. Its outcome is read from the prompt:

    "[sandbox:fail]"     the job fails remotely (an emulated content-moderation refusal)
    "[sandbox:expired]"  the job succeeds, but its output URL answers 403 "Request has expired"
    "[sandbox:stuck]"    the job never finishes (for timeouts)

Outputs are real files shipped with the package (`assets/sandbox.mp4`, a 3 s 192x108 H.264 clip of a
few KB, and `assets/sandbox_image.png`), served from the providers' real CDN host names in-process
(vm.runware.ai, im.runware.ai, dnznrvs05pmza.cloudfront.net) and from `/media_cdn/...` by the server.
A video job's clip is retimed to last the duration that was asked for (or the model's default), so
the file agrees with what the result says (mp4.py).
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from .wire import Call, ProviderSpec, Reply

__all__ = [
    "CDN_HOSTS",
    "MARKS",
    "MEDIA_CDN",
    "SandboxJob",
    "asset",
    "clip",
    "iso_time",
    "jobs",
    "new_job",
    "output_url",
]

MARKS = {"fail": "[sandbox:fail]", "expired": "[sandbox:expired]", "stuck": "[sandbox:stuck]"}
CDN_HOSTS = {
    "vm.runware.ai": "media_cdn",
    "im.runware.ai": "media_cdn",
    "dnznrvs05pmza.cloudfront.net": "media_cdn",
}
_API_HOSTS = {"api.runware.ai", "api.dev.runwayml.com"}
_FILES = {"video": ("sandbox.mp4", "video/mp4"), "image": ("sandbox_image.png", "image/png")}


@dataclass
class SandboxJob:
    """One emulated job: what was asked, how many times it was polled, how it will end."""

    id: str
    provider: str
    kind: str
    model: str
    outcome: str  # ok | fail | expired | stuck
    created: int
    steps: int  # polls until it ends
    cost_usd: float = 0.0
    credits: float = 0.0
    polls: int = 0
    cancelled: bool = False
    deleted: bool = False
    seed: int = 0
    duration: float | None = None  # seconds, for a video: the served clip lasts this long

    @property
    def ended(self) -> bool:
        """True once a poll has shown (or would show) its final state."""
        return self.cancelled or (self.outcome != "stuck" and self.polls >= self.steps)


def jobs(call: Call) -> dict[str, SandboxJob]:
    """This app's jobs (kept in the app's state, so each SandboxApp has its own)."""
    state = call.state
    found: dict[str, SandboxJob] = state.setdefault("media_jobs", {})
    return found


def outcome_of(prompt: Any) -> str:
    """The outcome a prompt asks for (see the module docstring); 'ok' by default."""
    text = prompt if isinstance(prompt, str) else ""
    for outcome, mark in MARKS.items():
        if mark in text:
            return outcome
    return "ok"


def new_job(
    call: Call, *, provider: str, kind: str, model: str, prompt: Any, job_id: str | None = None, **kw: Any
) -> SandboxJob:
    """Create and remember a job; video takes more polls than an image."""
    job_id = job_id or str(uuid.UUID(hashlib.sha256(call.serial.encode()).hexdigest()[:32], version=4))
    steps = 6 if kind == "video" else 3
    seed = int(call.serial[:6], 16)
    job = SandboxJob(job_id, provider, kind, model, outcome_of(prompt), call.created, steps, seed=seed, **kw)
    jobs(call)[job_id] = job
    return job


def iso_time(epoch: int) -> str:
    """RunwayML's createdAt form: 2025-11-11T21:48:50.448Z."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def output_url(call: Call, job: SandboxJob) -> str:
    """Where the job's file is served: the real CDN host in-process, the server's own host otherwise."""
    host = call.headers.get("host", "").rsplit(":", 1)[0].lower()
    ext = "mp4" if job.kind == "video" else "png"
    if job.provider == "runware":
        path = f"/video/ws/5/vi/{job.id}.{ext}" if job.kind == "video" else f"/image/ws/5/ii/{job.id}.{ext}"
        real = "vm.runware.ai" if job.kind == "video" else "im.runware.ai"
    else:
        path = f"/{job.id}.{ext}"
        real = "dnznrvs05pmza.cloudfront.net"
    if host in _API_HOSTS:
        return f"https://{real}{path}"
    return f"http://{call.headers.get('host', '127.0.0.1')}/media_cdn{path}"


@functools.cache
def asset(name: str) -> bytes:
    """A file shipped under providers/sandbox/assets/."""
    return resources.files("providers.sandbox").joinpath("assets", name).read_bytes()


def _serve(call: Call) -> Reply:
    name = call.params.get("name", "")
    job = jobs(call).get(name.rsplit(".", 1)[0])
    if job is None or job.deleted:
        return Reply(status=404, body={"message": "Not Found"})
    if job.outcome == "expired":
        return Reply(status=403, body={"message": "Request has expired"})
    file, mime = _FILES.get(job.kind, _FILES["video"])
    content = clip(job.duration) if job.kind == "video" and job.duration else asset(file)
    return Reply(content=content, headers={"content-type": mime, "cache-control": "private, max-age=86400"})


@functools.cache
def clip(seconds: float) -> bytes:
    """The sandbox's video clip, lasting `seconds`."""
    from .mp4 import retime

    return retime(asset(_FILES["video"][0]), seconds)


def _no_auth(headers: Mapping[str, str], request_id: str) -> Reply | None:
    return None  # signed public links: no credentials (and none should ever be sent here)


def _error(status: int, message: str, request_id: str, **_: Any) -> Reply:
    return Reply(status=status, body={"message": message})


def _fault(status: int, request_id: str) -> Reply:
    return _error(status, "Service Unavailable" if status >= 500 else "Too Many Requests", request_id)


MEDIA_CDN = ProviderSpec(
    name="media_cdn",
    routes={
        "GET /video/ws/5/vi/{name}": _serve,
        "GET /image/ws/5/ii/{name}": _serve,
        "GET /{name}": _serve,
    },
    request_id_header="x-amz-cf-id",
    check_auth=_no_auth,
    error=_error,
    fault=_fault,
)
