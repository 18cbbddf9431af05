"""The notebook side of video and image generation: results that render and save themselves, and
the live progress of a running job.

`kit.generate_video(...)` submits the job, then shows its progress in place (a notebook progress
bar updated through one display handle; a plain progress line in a terminal) with status, elapsed
time and estimated cost, and returns a `VideoResponse` that renders as a player. Ctrl-C (or the
kernel's stop button) cancels the remote task where the provider allows it and raises
`JobInterrupted` carrying the job id, so `kit.video_job(job_id)` picks the job up again.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pydantic import PrivateAttr

from providers.errors import JobInterrupted, LLMKitError
from providers.media_types import Image, Job, JobKind, MediaResult, Video
from providers.video.jobs import JobTracker

from .display.media import render_job, render_media, render_plain_job, render_plain_media
from .display.objects import DisplayHandle, _Bundle, _ipython_display, _select, in_notebook

if TYPE_CHECKING:
    from .kit import LLMKit

__all__ = ["ImageResponse", "LiveJob", "VideoResponse", "generate", "resume"]


def _save(result: Any, path: str | Path) -> Path:
    if result._kit is None:
        raise LLMKitError("this result is not attached to a kit; use AsyncClient.media.download")
    saved: Path = result._kit._runner.run(result._kit.client.media.download(result, path))
    return saved


def _bundle(result: MediaResult, include: Any, exclude: Any) -> dict[str, str]:
    return _select(
        {"text/plain": render_plain_media(result), "text/html": render_media(result)}, include, exclude
    )


class VideoResponse(Video):
    """A generated video that renders as a player in Jupyter and downloads with `.save(path)`."""

    _kit: Any = PrivateAttr(None)

    def save(self, path: str | Path) -> Path:
        """Download the video to `path` (a directory gets a name from the job id); returns the path.
        Output URLs expire (RunwayML: within 24-48 h), so save what you want to keep."""
        return _save(self, path)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return _bundle(self, include, exclude)


class ImageResponse(Image):
    """A generated image that renders inline in Jupyter and downloads with `.save(path)`."""

    _kit: Any = PrivateAttr(None)

    def save(self, path: str | Path) -> Path:
        """Download the image to `path` (a directory gets a name from the job id); returns the path."""
        return _save(self, path)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return _bundle(self, include, exclude)


def _wrap(result: MediaResult, kit: Any) -> MediaResult:
    cls: type[VideoResponse] | type[ImageResponse] = (
        VideoResponse if isinstance(result, Video) else ImageResponse
    )
    fields = {name: getattr(result, name) for name in type(result).model_fields}
    wrapped = cls.model_construct(**fields)
    wrapped._kit = kit
    return wrapped


class LiveJob:
    """A running job shown as it goes: one notebook output updated in place, or a terminal line.

    `update(job)` after every poll; `tick()` while waiting (re-renders the elapsed time at most once a
    second); then `finish`, `fail` or `interrupted`. `display_fn`, `clock` and `out` exist for tests.
    """

    def __init__(
        self,
        *,
        notebook: bool | None = None,
        out: TextIO | None = None,
        display_fn: Callable[[Any], DisplayHandle | None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.notebook = (display_fn is not None or in_notebook()) if notebook is None else notebook
        self.out = out
        self._display_fn = display_fn or _ipython_display
        self._clock = clock
        self._handle: DisplayHandle | None = None
        self._shown = False
        self._job: Job | None = None
        self._since: float | None = None
        self._last_line = ""
        self.renders = 0

    def _stream(self) -> TextIO:
        return self.out if self.out is not None else sys.stdout

    def _tty(self) -> bool:
        isatty = getattr(self._stream(), "isatty", None)
        return bool(isatty and isatty())

    def _show(self, bundle: dict[str, str]) -> None:
        obj = _Bundle(bundle)
        if not self._shown:
            self._handle = self._display_fn(obj)
            self._shown = True
        elif self._handle is not None:
            self._handle.update(obj)
        self.renders += 1

    def _line(self, text: str, *, final: bool = False) -> None:
        stream = self._stream()
        if self._tty():
            stream.write("\r\x1b[2K" + text + ("\n" if final else ""))
        elif text != self._last_line or final:
            stream.write(text + "\n")
        self._last_line = text
        stream.flush()

    def update(self, job: Job, note: str = "") -> None:
        """Show the job as of its latest poll."""
        self._job, self._since = job, self._clock()
        if self.notebook:
            self._show({"text/plain": render_plain_job(job), "text/html": render_job(job, note=note)})
        else:
            self._line(render_plain_job(job) + (f" · {note}" if note else ""))

    def tick(self) -> None:
        """While waiting between polls: move the elapsed time on (at most once a second)."""
        if self._job is None or self._since is None or not self.notebook:
            return
        waited = self._clock() - self._since
        if waited >= 1.0:
            job = self._job.model_copy(update={"elapsed_s": self._job.elapsed_s + waited})
            self._show({"text/plain": render_plain_job(job), "text/html": render_job(job)})
            self._job, self._since = job, self._clock()

    def finish(self, result: MediaResult) -> None:
        """The job succeeded: leave a one-line summary in place of the bar (the result renders below)."""
        if self._job is None:
            return
        done = self._job.model_copy(update={"status": "succeeded", "progress": 1.0})
        if self.notebook:
            note = f"done: the {result.kind} is below"
            self._show({"text/plain": render_plain_job(done), "text/html": render_job(done, note=note)})
        else:
            self._line(render_plain_job(done) + f" · {result.url}", final=True)

    def fail(self, exc: BaseException) -> None:
        """The job ended in an error: the bar turns into its final status and the error's name.

        The error panel itself is left to whoever shows the exception (`show(err)`, or the notebook's
        handler for an uncaught one), so it appears once, below."""
        summary = f"{type(exc).__name__}: {exc}"
        if self.notebook:
            if self._job is not None:
                self._show({"text/plain": summary, "text/html": render_job(self._job, note=summary)})
            return
        if self._tty() and self._last_line:
            self._stream().write("\n")
        self._stream().write(summary + "\n")
        self._stream().flush()

    def interrupted(self, exc: JobInterrupted) -> None:
        """Ctrl-C: say whether the remote task was cancelled and how to resume."""
        if self._job is not None and self.notebook:
            self._show({"text/plain": str(exc), "text/html": render_job(self._job, note=str(exc))})
        else:
            self._line(str(exc), final=True)


def _interrupt_message(tracker: JobTracker) -> str:
    job = tracker.job
    name = f"{job.provider}/{job.model}"
    if job.status == "succeeded":
        return f"interrupted, but {name} job {job.id} had already finished: get it with kit.video_job({job.id!r})"
    if tracker.cancelled:
        return f"interrupted: {name} job {job.id} was cancelled on {job.provider}; nothing more will be billed for it"
    why = f" ({tracker.cancel_error})" if tracker.cancel_error else ""
    return (
        f"interrupted: {name} job {job.id} is still running on {job.provider}{why}; "
        f"pick it up with kit.video_job({job.id!r})" + ("" if job.kind == "video" else " (an image job)")
    )


def watch(
    kit: LLMKit,
    job: Job,
    *,
    timeout: float | None,
    on_progress: Callable[[Job], Any] | None,
    progress: bool,
    cancel_on_interrupt: bool,
    wait_first: bool,
) -> MediaResult:
    """Wait for a job with live progress; return the wrapped result or raise (JobInterrupted on Ctrl-C)."""
    view = LiveJob() if progress else None
    tracker = JobTracker(job)
    if view is not None:
        view.update(job, note="submitted" if wait_first else "resumed")
    if on_progress is not None:
        on_progress(job)
    agen = kit.client.media.watch(
        job, timeout=timeout, tracker=tracker, cancel_on_interrupt=cancel_on_interrupt, wait_first=wait_first
    )
    try:
        for item in kit._runner.iterate(agen, on_idle=view.tick if view is not None else None):
            if isinstance(item, Job):
                if view is not None:
                    view.update(item)
                if on_progress is not None:
                    on_progress(item)
                continue
            result = _wrap(item, kit)
            if view is not None:
                view.finish(result)
            return result
    except KeyboardInterrupt as exc:
        if isinstance(exc, JobInterrupted):
            raise
        j = tracker.job
        err = JobInterrupted(
            _interrupt_message(tracker),
            job_id=j.id,
            provider=j.provider,
            model=j.model,
            cancelled=tracker.cancelled,
        )
        if view is not None:
            view.interrupted(err)
        raise err from exc
    except LLMKitError as exc:
        if view is not None:
            view.fail(exc)
        raise
    raise AssertionError("the watch ended without a result")  # pragma: no cover - watch ends with one


def generate(
    kit: LLMKit,
    kind: JobKind,
    prompt: str | None,
    *,
    model: str,
    timeout: float | None,
    on_progress: Callable[[Job], Any] | None = None,
    progress: bool = True,
    cancel_on_interrupt: bool = True,
    **request: Any,
) -> MediaResult:
    """Check, submit and watch one generation (bad input raises here, before anything is sent)."""
    media = kit.client.media
    prep = media.prepare(prompt, model=model, kind=kind, **request)
    job = kit._runner.run(media.submit(prep))
    return watch(
        kit,
        job,
        timeout=timeout,
        on_progress=on_progress,
        progress=progress,
        cancel_on_interrupt=cancel_on_interrupt,
        wait_first=True,
    )


def resume(
    kit: LLMKit,
    job_id: str,
    *,
    model: str | None,
    kind: JobKind,
    timeout: float | None,
    on_progress: Callable[[Job], Any] | None = None,
    progress: bool = True,
    cancel_on_interrupt: bool = True,
) -> MediaResult:
    """Pick a job up again by id (polling at once) and wait for its result."""
    job = kit.client.media.job(job_id, model, kind)
    return watch(
        kit,
        job,
        timeout=timeout,
        on_progress=on_progress,
        progress=progress,
        cancel_on_interrupt=cancel_on_interrupt,
        wait_first=False,
    )
