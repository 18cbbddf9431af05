"""DiffusionRouter: listed because the plan names it, but there is no public API to call.

No documentation, SDK or endpoint could be found (wire/media.md section 6: stored docs and pages
searches return nothing relevant; the only repository named DiffusionRouter is an unrelated research
codebase; the only mention of an API host is a stub in another toolkit that always errors). The
registry lists the provider as "unavailable", and every call raises `ProviderUnavailable` before
anything is sent. No wire format is invented and no success is ever faked.
"""

from __future__ import annotations

from typing import Any, NoReturn

from ..errors import ProviderUnavailable

__all__ = ["MESSAGE", "DiffusionRouter"]

MESSAGE = (
    "DiffusionRouter has no public API: no documentation, SDK or endpoint could be found, so the toolkit "
    "cannot call it and will not pretend to. For video, use runware/... (Runway, Kling, Veo, Hailuo) "
    "or runwayml/..."
)


class DiffusionRouter:
    """A codec that refuses: every operation raises ProviderUnavailable."""

    provider = "diffusion_router"
    can_cancel = False

    def refuse(self, *_: Any, **__: Any) -> NoReturn:
        """Raise ProviderUnavailable, saying why."""
        raise ProviderUnavailable(MESSAGE, provider=self.provider)

    submit = poll = cancel = parse_submit = parse_poll = refuse
