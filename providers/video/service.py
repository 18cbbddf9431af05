"""Video and image generation for an `AsyncClient`: prepare, submit, watch, resume, cancel, download.

`AsyncClient.generate_video` / `video_job` / `generate_image` delegate here. Everything that can
fail without the network fails in `prepare` (unknown model, a duration, size or input the model
does not take, a provider with no public API). The waiting is `jobs.poll_job`; this module adds
the session's job registry (so `video_job(id)` resumes without naming the model again), the
result (`Video` / `Image`), and the check that the output URL can actually be fetched.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2

from ..boundary import guarded_error_parser
from ..chat.base import Connection, error_from_body
from ..errors import (
    APIConnectionError,
    ConfigurationError,
    InvalidParameterError,
    ProviderError,
    ProviderUnavailable,
    ResultUnavailableError,
)
from ..media_types import Image, Job, JobKind, JobState, MediaResult, Video
from ..registry import ProviderSpec, provider_spec, split_model
from ..types import HttpCall
from .catalog import MediaModel, media_model
from .jobs import JobCodec, JobTiming, JobTracker, error_parser, poll_job, submit_job
from .plan import MediaRequest, plan

__all__ = ["CODECS", "SANDBOX_TIMING", "MediaJobs", "PreparedJob", "media"]

CODECS: dict[str, dict[str, str]] = {
    "runware": {
        "video": "providers.video.runware:RunwareVideo",
        "image": "providers.image.runware:RunwareImage",
    },
    "runwayml": {
        "video": "providers.video.runwayml:RunwayMLVideo",
        "image": "providers.image.runwayml:RunwayMLImage",
    },
}
SANDBOX_TIMING = JobTiming(first_s=0.25, factor=1.2, max_s=0.5, jitter=0.0)  # quick, yet visible
EMBED_MAX_BYTES = 5_000_000  # the sandbox embeds its output (a few KB) so a notebook plays it offline
_TYPES = {
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
}


@dataclass
class PreparedJob:
    """A generation ready to submit: everything checked, the submit call built, nothing sent."""

    spec: ProviderSpec
    model: MediaModel
    codec: JobCodec
    request: MediaRequest
    conn: Connection
    call: HttpCall
    job_id: str
    notes: list[str] = field(default_factory=list)


def _codec(provider: str, kind: JobKind) -> JobCodec:
    path = CODECS.get(provider, {}).get(kind)
    if path is None:
        raise ConfigurationError(f"{provider} offers no {kind} generation in this toolkit", provider=provider)
    module, _, cls = path.partition(":")
    codec: JobCodec = getattr(importlib.import_module(module), cls)()
    return codec


def _media_type(url: str, kind: JobKind, data: bytes | None = None) -> str:
    if data is not None and data[4:8] == b"ftyp":
        return "video/mp4"
    suffix = Path(urlsplit(url).path).suffix.lower()
    return _TYPES.get(suffix, "video/mp4" if kind == "video" else "image/png")


class MediaJobs:
    """The media side of one AsyncClient (see `media(client)`): it remembers the jobs it started."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.jobs: dict[str, Job] = {}
        self.timing: JobTiming | None = SANDBOX_TIMING if client.sandbox else None
        self.clock: Callable[[], float] = time.monotonic
        self.sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
        self.check_urls = True

    # -- resolution and preparation (no I/O) ---------------------------------------------------

    def resolve(self, model: str, kind: JobKind) -> tuple[ProviderSpec, MediaModel, JobCodec]:
        """The provider, catalog row and codec for 'provider/model'; unavailable providers raise here."""
        provider, name = split_model(model)
        spec = provider_spec(provider)
        if spec.status == "unavailable":
            if provider == "diffusion_router":
                from .diffusion_router import MESSAGE

                raise ProviderUnavailable(MESSAGE, provider=provider)
            raise ProviderUnavailable(
                f"{spec.title} has no public API this toolkit can call", provider=provider
            )
        if kind not in spec.modalities:
            raise ConfigurationError(
                f"{provider} does not generate {kind}s; it offers {', '.join(spec.modalities)}",
                provider=provider,
            )
        codec = _codec(provider, kind)
        return spec, media_model(provider, name, kind), codec

    def prepare(
        self,
        prompt: str | None,
        *,
        model: str,
        kind: JobKind = "video",
        duration: Any = None,
        size: Any = None,
        image: Any = None,
        **options: Any,
    ) -> PreparedJob:
        """Check a generation and build its submit call, without sending anything."""
        spec, row, codec = self.resolve(model, kind)
        request = plan(
            row,
            prompt,
            duration=duration,
            size=size,
            image=image,
            max_inline_bytes=codec.max_inline_bytes,
            options=options,
        )
        conn = self.client.connection(spec)
        job_id = str(
            uuid.uuid4()
        )  # Runware: the client names the task; RunwayML: replaced by the server's id
        call = codec.submit(request, conn, job_id=job_id)
        return PreparedJob(spec, row, codec, request, conn, call, job_id, list(request.notes))

    # -- submitting and watching ------------------------------------------------------------

    async def submit(self, prep: PreparedJob) -> Job:
        """Send the submit call; the returned Job (queued) is remembered for `resume`."""
        submitted, request_id = await submit_job(
            self.client.transport, prep.codec, prep.conn, prep.request, job_id=prep.job_id
        )
        req = prep.request
        job = Job(
            id=submitted.job_id,
            provider=prep.spec.name,
            model=prep.model.id,
            kind=req.kind,
            sandbox=self.client.sandbox,
            sent=prep.call.sent,
            notes=list(prep.notes),
            estimated_cost_usd=req.estimated_cost_usd,
            duration_s=req.duration,
            width=req.width,
            height=req.height,
            can_cancel=prep.codec.can_cancel,
        )
        if submitted.state is not None:
            job = job.with_state(submitted.state, elapsed_s=0.0).model_copy(update={"polls": 0})
        if request_id:
            job = job.model_copy(update={"notes": [*job.notes, f"submit request id: {request_id}"]})
        self.jobs[job.id] = job
        return job

    def job(self, job_id: str, model: str | None, kind: JobKind) -> Job:
        """A job to resume: the one this session started, else a bare record for 'provider/model'."""
        if not isinstance(job_id, str) or not job_id.strip():
            raise InvalidParameterError(f"a job id is a non-empty string, not {job_id!r}")
        known = self.jobs.get(job_id)
        if known is not None:
            return known
        if not model:
            raise InvalidParameterError(
                f"job {job_id!r} was not started by this kit: name its model too, e.g. "
                f"video_job({job_id!r}, model='runware/runway:1@2')"
            )
        provider, _, name = model.strip().partition("/")
        if name:
            spec, row, codec = self.resolve(model, kind)
            row_id = row.id
        else:  # a bare provider name: enough to poll, the model stays unnamed
            spec, codec, row_id = provider_spec(provider.lower()), _codec(provider.lower(), kind), "?"
        return Job(
            id=job_id.strip(),
            provider=spec.name,
            model=row_id,
            kind=kind,
            sandbox=self.client.sandbox,
            can_cancel=codec.can_cancel,
            notes=["resumed by id"],
        )

    async def watch(
        self,
        job: Job,
        *,
        timeout: float | None,
        tracker: JobTracker | None = None,
        cancel_on_interrupt: bool = True,
        wait_first: bool = True,
    ) -> AsyncIterator[Job | MediaResult]:
        """Poll a job, yielding a Job after every poll, and finally its Video or Image."""
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0
        ):
            raise InvalidParameterError(
                f"timeout= is a number of seconds >= 0 (or None to wait forever), not {timeout!r}"
            )
        codec = _codec(job.provider, job.kind)
        conn = self.client.connection(provider_spec(job.provider))
        tracker = tracker or JobTracker(job)
        last: JobState | None = None
        polls = poll_job(
            self.client.transport,
            codec,
            conn,
            tracker,
            timeout=timeout,
            wait_first=wait_first,
            cancel_on_interrupt=cancel_on_interrupt,
            clock=self.clock,
            sleep=self.sleep,
            timing=self.timing,
        )
        try:
            async for current, state in polls:
                self.jobs[current.id] = current
                last = state
                yield current
        finally:
            # closing this generator early (an interrupt between polls) must reach poll_job now, so it
            # cancels the remote task before the interrupt propagates, not whenever it is collected
            await polls.aclose()
        assert last is not None  # poll_job returns only after a succeeded poll
        yield await self._result(tracker.job, last, codec)

    async def _result(self, job: Job, state: JobState, codec: JobCodec) -> MediaResult:
        if not state.outputs:
            raise ResultUnavailableError(
                f"{job.provider}/{job.model} job {job.id} succeeded but named no output URL",
                job_id=job.id,
                model=job.model,
                provider=job.provider,
            )
        url = state.outputs[0]
        data = await self._fetch(url, job) if self.client.sandbox else None
        if data is None and self.check_urls:
            await self._probe(url, job)
        cost, estimated = job.cost_usd, False
        if cost is None and job.estimated_cost_usd is not None:
            cost, estimated = job.estimated_cost_usd, True
        fields: dict[str, Any] = {
            "provider": job.provider,
            "model": job.model,
            "job_id": job.id,
            "url": url,
            "urls": list(state.outputs),
            "media_type": _media_type(url, job.kind, data),
            "width": job.width,
            "height": job.height,
            "cost_usd": cost,
            "cost_credits": job.cost_credits,
            "cost_estimated": estimated,
            "elapsed_s": job.elapsed_s,
            "polls": job.polls,
            "seed": state.seed,
            "expires": codec.expires,
            "sandbox": job.sandbox,
            "sent": job.sent,
            "notes": job.notes,
            "data": data if data is not None and len(data) <= EMBED_MAX_BYTES else None,
        }
        if job.kind == "video":
            return Video(**fields, duration_s=job.duration_s)
        return Image(**fields)

    # -- output URLs --------------------------------------------------------------------------

    def _unavailable(self, job: Job, url: str, exc: Exception) -> ResultUnavailableError:
        why = exc.message if isinstance(exc, ProviderError) else str(exc)
        return ResultUnavailableError(
            f"{job.provider}/{job.model} job {job.id} finished, but its output could not be fetched from "
            f"{urlsplit(url).hostname}: {why}. Output URLs expire; fetching the job again "
            f"(video_job({job.id!r})) may give a fresh one",
            job_id=job.id,
            model=job.model,
            provider=job.provider,
            status=exc.status if isinstance(exc, ProviderError) else None,
            url=url,
        )

    def _parse(self, job: Job) -> Callable[[int, httpx2.Headers, bytes], ProviderError]:
        def parse(status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
            try:  # CDNs answer {"message": "..."} or XML; keep the message where there is one
                found = json.loads(body).get("message") if body.startswith(b"{") else None
            except ValueError:
                found = None
            message = str(found) if found else f"HTTP {status}"
            return error_from_body(
                job.provider,
                status,
                headers,
                body,
                message=message,
                code=None,
                request_id_header="x-request-id",
            )

        return guarded_error_parser(parse, job.provider)

    async def _fetch(self, url: str, job: Job) -> bytes:
        # no credentials: an output URL is a signed public link, and our key must never reach a CDN
        call = HttpCall(method="GET", url=url)
        try:
            reply = await self.client.transport.send(
                call, provider=job.provider, parse_error=self._parse(job)
            )
        except (ProviderError, APIConnectionError) as exc:
            raise self._unavailable(job, url, exc) from exc
        return reply.body

    async def _probe(self, url: str, job: Job) -> None:
        """Open the output URL and close it without reading the body: it exists and can be fetched."""
        try:
            async with self.client.transport.stream(
                HttpCall(method="GET", url=url), provider=job.provider, parse_error=self._parse(job)
            ):
                pass
        except (ProviderError, APIConnectionError) as exc:
            raise self._unavailable(job, url, exc) from exc

    async def download(self, result: MediaResult, path: str | Path) -> Path:
        """Write a result's file to `path` (a directory gets a file named after the job)."""
        target = Path(path).expanduser()
        if target.is_dir():
            ext = {v: k for k, v in _TYPES.items()}.get(result.media_type, ".bin")
            target = target / f"{result.provider}-{result.job_id}{ext}"
        job = self.jobs.get(result.job_id) or Job(
            id=result.job_id, provider=result.provider, model=result.model
        )
        data = result.data if result.data is not None else await self._fetch(result.url, job)
        target.write_bytes(data)
        return target

    async def cancel(self, job: Job) -> Job:
        """Ask the provider to cancel a job (RunwayML: DELETE /v1/tasks/{id}); Runware cannot."""
        codec = _codec(job.provider, job.kind)
        call = codec.cancel(job.id, self.client.connection(provider_spec(job.provider)))
        if call is None:
            raise ConfigurationError(
                f"{job.provider} offers no way to cancel a running task; it will finish (and be billed)",
                provider=job.provider,
            )
        await self.client.transport.send(call, provider=job.provider, parse_error=error_parser(codec))
        job = job.model_copy(update={"status": "cancelled", "raw_status": "cancel requested"})
        self.jobs[job.id] = job
        return job

    # -- the one-call forms -------------------------------------------------------------------

    async def run(
        self,
        job: Job,
        *,
        timeout: float | None,
        on_progress: Callable[[Job], Any] | None = None,
        cancel_on_interrupt: bool = True,
        wait_first: bool = True,
    ) -> MediaResult:
        """Watch a job to its end, calling `on_progress(job)` after every poll; return its result."""
        if on_progress is not None:
            on_progress(job)
        async for item in self.watch(
            job, timeout=timeout, cancel_on_interrupt=cancel_on_interrupt, wait_first=wait_first
        ):
            if isinstance(item, Job):
                if on_progress is not None:
                    on_progress(item)
            else:
                return item
        raise AssertionError("watch() always ends with a result or an error")  # pragma: no cover


def media(client: Any) -> MediaJobs:
    """The client's MediaJobs, made on first use (kept on the client, so jobs are remembered)."""
    found: MediaJobs | None = client.__dict__.get("_media_jobs")
    if found is None:
        found = MediaJobs(client)
        client.__dict__["_media_jobs"] = found
    return found
