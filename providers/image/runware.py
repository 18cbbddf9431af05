"""Runware image generation: the imageInference task, delivered async and polled like video.

Same task-array wire as `providers.video.runware` (POST https://api.runware.ai/v1, getResponse by
taskUUID); results carry `imageURL`, `imageUUID` and `cost`. Reference images go under
`inputs.referenceImages` (runware.ai/docs/en/providers/runway: Gen-4 Image takes up to 3).
Image models accept `deliveryMethod` "sync" or "async" (model pages); async keeps one code path.
"""

from __future__ import annotations

from typing import Any

from ..media_types import JobKind
from ..video.jobs import JobTiming
from ..video.plan import MediaRequest
from ..video.runware import RunwareVideo

__all__ = ["RunwareImage"]


class RunwareImage(RunwareVideo):
    """imageInference over REST."""

    kind: JobKind = "image"
    task_type = "imageInference"
    timing = JobTiming(first_s=1.0, factor=1.5, max_s=5.0)  # images take seconds, not minutes

    def _images(self, task: dict[str, Any], request: MediaRequest) -> None:
        if request.references:
            task["inputs"] = {"referenceImages": list(request.references)}
