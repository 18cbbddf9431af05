"""RunwayML image generation: POST /v1/text_to_image, polled at /v1/tasks/{id} like video.

Body: {"model": "gen4_image", "promptText": "...", "ratio": "1920:1080", "referenceImages":
[{"uri": "..."}]} (runwayml SDK 5.24.0 types/text_to_image_create_params.py); the finished task's
`output` holds the image URL, which expires within 24-48 hours.
"""

from __future__ import annotations

from typing import Any

from ..media_types import JobKind
from ..video.jobs import JobTiming
from ..video.plan import MediaRequest
from ..video.runwayml import RunwayMLVideo

__all__ = ["RunwayMLImage"]


class RunwayMLImage(RunwayMLVideo):
    """text_to_image tasks."""

    kind: JobKind = "image"
    timing = JobTiming(first_s=2.0, factor=1.5, max_s=6.0)

    def endpoint(self, request: MediaRequest) -> str:
        """Always /v1/text_to_image (reference images ride in the body)."""
        return "/v1/text_to_image"

    def body(self, request: MediaRequest) -> dict[str, Any]:
        """{"model", "promptText", "ratio", "referenceImages"?, "seed"?} plus options."""
        body: dict[str, Any] = {"model": request.model.id, "promptText": request.prompt or ""}
        if request.width and request.height:
            body["ratio"] = f"{request.width}:{request.height}"
        if request.references:
            body["referenceImages"] = [{"uri": ref} for ref in request.references]
        if request.seed is not None:
            body["seed"] = request.seed
        return {**body, **request.options}
