"""Result models for generation jobs: a `Job` while it runs, then a `Video` or an `Image`.

A job is submitted, polled and finished (or failed, cancelled, timed out). Every poll is normalized
into a `JobState` by the provider's codec, so the machinery, the progress display and the tests see
one vocabulary: queued, running, succeeded, failed, cancelled.

Provider output URLs expire (RunwayML: 24-48 h; Runware: not documented), so results say so and
`kit`'s `.save(path)` downloads them.
"""

from __future__ import annotations

import base64
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["TERMINAL", "Image", "Job", "JobKind", "JobState", "JobStatus", "MediaResult", "Video"]

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
JobKind = Literal["video", "image"]
TERMINAL: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JobState(_Model):
    """One poll, normalized by the codec: what the provider said about the job right now."""

    status: JobStatus
    raw_status: str = Field("", description="The provider's own word (PENDING, THROTTLED, processing...).")
    progress: float | None = Field(None, description="0..1 where the provider reports it, else None.")
    outputs: list[str] = Field(default_factory=list, description="Output URLs once succeeded.")
    cost_usd: float | None = Field(None, description="What the provider says the job cost, in USD.")
    cost_credits: float | None = Field(None, description="RunwayML bills in credits; kept as given.")
    estimated: bool = Field(False, description="True when the cost is the provider's estimate, not final.")
    seed: int | None = None
    error: str | None = None
    error_code: str | None = None


class Job(_Model):
    """A submitted job: what it is, where it stands, and how long it has been waited on."""

    id: str
    provider: str
    model: str
    kind: JobKind = "video"
    status: JobStatus = "queued"
    raw_status: str = ""
    progress: float | None = None
    polls: int = 0
    elapsed_s: float = 0.0
    estimated_cost_usd: float | None = Field(None, description="From the catalog price, before any result.")
    cost_usd: float | None = None
    cost_credits: float | None = None
    sandbox: bool = False
    sent: dict[str, Any] = Field(default_factory=dict, description="What was submitted (images shortened).")
    notes: list[str] = Field(default_factory=list)
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    can_cancel: bool = False

    @property
    def done(self) -> bool:
        """True once the job succeeded, failed or was cancelled."""
        return self.status in TERMINAL

    def with_state(self, state: JobState, *, elapsed_s: float) -> Job:
        """This job updated by one poll."""
        return self.model_copy(
            update={
                "status": state.status,
                "raw_status": state.raw_status,
                "progress": 1.0 if state.status == "succeeded" else state.progress,
                "polls": self.polls + 1,
                "elapsed_s": round(elapsed_s, 3),
                **_costs(self, state),
            }
        )


def _costs(job: Job, state: JobState) -> dict[str, Any]:
    """A provider's estimate updates the estimate; only a final figure becomes the cost."""
    if state.cost_usd is None and state.cost_credits is None:
        return {}
    if state.estimated:
        return {
            "estimated_cost_usd": state.cost_usd if state.cost_usd is not None else job.estimated_cost_usd
        }
    return {"cost_usd": state.cost_usd, "cost_credits": state.cost_credits}


class MediaResult(_Model):
    """What a finished job produced: the output URL(s), its cost and how it was made."""

    kind: JobKind
    provider: str
    model: str
    job_id: str
    url: str = Field(..., description="The provider's output URL (it expires: see `expires`).")
    urls: list[str] = Field(default_factory=list, description="Every output URL, the first being `url`.")
    media_type: str = "application/octet-stream"
    width: int | None = None
    height: int | None = None
    cost_usd: float | None = None
    cost_credits: float | None = None
    cost_estimated: bool = Field(False, description="True when cost_usd comes from the catalog price.")
    elapsed_s: float | None = None
    polls: int = 0
    seed: int | None = None
    expires: str = Field("", description="What the provider says about how long `url` stays valid.")
    sandbox: bool = False
    sent: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
    data: bytes | None = Field(
        None, repr=False, description="The file's bytes when fetched (the sandbox embeds its small file)."
    )

    def data_url(self) -> str | None:
        """A data: URL of the fetched bytes (None when they were not fetched)."""
        if self.data is None:
            return None
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


class Video(MediaResult):
    """A generated video."""

    kind: Literal["video"] = "video"
    media_type: str = "video/mp4"
    duration_s: float | None = None
    poster_url: str | None = Field(None, description="A still to show before playback, where given.")


class Image(MediaResult):
    """A generated image."""

    kind: Literal["image"] = "image"
    media_type: str = "image/png"
