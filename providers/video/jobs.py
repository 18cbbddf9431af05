"""The shared job machinery: submit, poll with backoff, normalize, time out, cancel, resume.

Each provider supplies a pure `JobCodec` (build the submit / poll / cancel calls, parse what comes
back into a `JobState`); this module does the waiting, through the shared `Transport`, the same way
for every provider and for both video and image jobs (the loop itself, shared with the batch jobs,
is `providers/jobs.py`):

    submit -> job id -> wait first_s -> poll -> (running: wait, backing off up to max_s) -> ... -> done

A job that is still running when `timeout` runs out raises `JobTimeoutError` (it keeps running
remotely; resume it by id). A failed or cancelled job raises `JobFailedError` / `JobCancelledError`.
If the waiting is cancelled (Ctrl-C reaches the coroutine as cancellation), the remote task is
cancelled too where the provider allows it, and the `JobTracker` records what happened.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, TypeVar

import httpx2

from ..boundary import guarded_error_parser, reading
from ..chat.base import Connection
from ..errors import JobCancelledError, JobFailedError, JobTimeoutError, ProviderError
from ..jobs import JobTiming, poll_loop
from ..media_types import Job, JobKind, JobState
from ..transport import Transport
from ..types import HttpCall
from .plan import MediaRequest

__all__ = [
    "JobCodec",
    "JobTiming",
    "JobTracker",
    "Submitted",
    "error_parser",
    "poll_job",
    "send_json",
    "submit_job",
]

T = TypeVar("T")


class Submitted(NamedTuple):
    """What a submit call gave back: the job id, and any state it already reported."""

    job_id: str
    state: JobState | None = None


class JobCodec(Protocol):
    """One provider's job wire format. Pure: builds HttpCalls and parses payloads, no I/O."""

    provider: str
    kind: JobKind
    timing: JobTiming
    can_cancel: bool
    expires: str
    request_id_header: str
    max_inline_bytes: int

    def submit(self, request: MediaRequest, conn: Connection, *, job_id: str) -> HttpCall:
        """The call that starts the job (`job_id` is used by providers whose client names the task)."""
        ...

    def parse_submit(self, payload: Any, *, job_id: str) -> Submitted:
        """The job id (and any state) from the submit reply; raise a ProviderError for an error reply."""
        ...

    def poll(self, job_id: str, conn: Connection) -> HttpCall:
        """The call that asks for the job's state."""
        ...

    def parse_poll(self, payload: Any, *, job_id: str) -> JobState:
        """One poll reply, normalized."""
        ...

    def cancel(self, job_id: str, conn: Connection) -> HttpCall | None:
        """The call that cancels the job, or None where the provider offers no cancel."""
        ...

    def parse_error(self, provider: str, status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
        """The typed error for an HTTP error reply."""
        ...


@dataclass
class JobTracker:
    """What the waiting has seen so far; read it after an interrupt (it is updated as polls arrive)."""

    job: Job
    cancel_requested: bool = False
    cancelled: bool = False
    cancel_error: str | None = None
    history: list[str] = field(default_factory=list)


def error_parser(codec: JobCodec) -> Callable[[int, httpx2.Headers, bytes], ProviderError]:
    """The codec's error parser in the shape the transport calls it."""

    def parse(status: int, headers: httpx2.Headers, body: bytes) -> ProviderError:
        return codec.parse_error(codec.provider, status, headers, body)

    return guarded_error_parser(parse, codec.provider, request_id_header=codec.request_id_header)


async def send_json(
    transport: Transport, codec: JobCodec, call: HttpCall, read: Callable[[Any], T], *, where: str
) -> tuple[T, str | None]:
    """Send one call, decode its JSON body (None when empty) and hand it to `read` (a codec's parser)
    at the codec boundary: a body that is not JSON, or not in the shape `read` expects, is a
    ResponseFormatError."""
    reply = await transport.send(call, provider=codec.provider, parse_error=error_parser(codec))
    request_id = reply.headers.get(codec.request_id_header)
    with reading(codec.provider, where, reply.body, status=reply.status, request_id=request_id):
        return read(reply.json() if reply.body.strip() else None), request_id


async def submit_job(
    transport: Transport, codec: JobCodec, conn: Connection, request: MediaRequest, *, job_id: str
) -> tuple[Submitted, str | None]:
    """Start a job; return its id (and first state) and the request id of the submit call."""
    call = codec.submit(request, conn, job_id=job_id)
    return await send_json(
        transport,
        codec,
        call,
        functools.partial(codec.parse_submit, job_id=job_id),
        where="a job submit reply",
    )


def _resume_hint(job: Job) -> str:
    return f"kit.video_job({job.id!r}, model={job.provider + '/' + job.model!r})"


def _finish_error(job: Job, state: JobState) -> None:
    where = f"{job.provider}/{job.model} job {job.id}"
    if state.status == "failed":
        code = f" ({state.error_code})" if state.error_code else ""
        raise JobFailedError(
            f"{where} failed{code}: {state.error or 'the provider gave no reason'}",
            job_id=job.id,
            model=job.model,
            provider=job.provider,
            code=state.error_code,
        )
    if state.status == "cancelled":
        raise JobCancelledError(
            f"{where} was cancelled before it finished", job_id=job.id, model=job.model, provider=job.provider
        )


async def _cancel_remote(
    transport: Transport, codec: JobCodec, conn: Connection, tracker: JobTracker
) -> None:
    call = codec.cancel(tracker.job.id, conn)
    if call is None:
        tracker.cancel_error = f"{codec.provider} offers no way to cancel a running task"
        return
    tracker.cancel_requested = True
    try:
        await asyncio.wait_for(
            transport.send(call, provider=codec.provider, parse_error=error_parser(codec)), timeout=10.0
        )
        tracker.cancelled = True
    except (ProviderError, TimeoutError) as exc:  # the interrupt still wins; say why the cancel did not
        tracker.cancel_error = str(exc) or type(exc).__name__


async def poll_job(
    transport: Transport,
    codec: JobCodec,
    conn: Connection,
    tracker: JobTracker,
    *,
    timeout: float | None,
    wait_first: bool = True,
    cancel_on_interrupt: bool = True,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    timing: JobTiming | None = None,
) -> AsyncGenerator[tuple[Job, JobState], None]:
    """Poll a job until it ends, yielding (job, state) after every poll; raise if it fails or times out.

    The last item yielded is the succeeded job. Cancelling the iteration cancels the remote task
    (when `cancel_on_interrupt` and the provider allows it) before the cancellation propagates.
    """
    timing = timing or codec.timing
    started = clock()
    before = tracker.job.elapsed_s  # a resumed job keeps the time already waited on it

    async def fetch() -> JobState:
        job_id = tracker.job.id
        state, _ = await send_json(
            transport,
            codec,
            codec.poll(job_id, conn),
            functools.partial(codec.parse_poll, job_id=job_id),
            where="a job status reply",
        )
        tracker.job = tracker.job.with_state(state, elapsed_s=before + clock() - started)
        tracker.history.append(state.raw_status or state.status)
        return state

    def timed_out(state: JobState, waited: float) -> JobTimeoutError:
        job = tracker.job
        return JobTimeoutError(
            f"{job.provider}/{job.model} job {job.id} is still {state.raw_status or state.status} "
            f"after {waited:.0f} s (timeout={timeout:g}); it may still finish: resume it "
            f"with {_resume_hint(job)}",
            job_id=job.id,
            model=job.model,
            provider=job.provider,
        )

    async def interrupted() -> None:
        if cancel_on_interrupt and not tracker.job.done:
            await _cancel_remote(transport, codec, conn, tracker)

    polls = poll_loop(
        fetch,
        done=lambda state: state.status == "succeeded",
        check=lambda state: _finish_error(tracker.job, state),
        timing=timing,
        timeout=timeout,
        timed_out=timed_out,
        on_interrupt=interrupted,
        wait_first=wait_first,
        clock=clock,
        sleep=sleep,
    )
    try:
        async for state in polls:
            yield tracker.job, state
    finally:
        await polls.aclose()  # an early close reaches the loop now, so the remote task is cancelled first
