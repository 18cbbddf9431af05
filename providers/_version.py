"""The distribution's version, read once from the installed metadata (pyproject.toml is the one source).

`providers.__version__` and `llmkit_nb.__version__` resolve through here on first access, so importing
either package never touches importlib.metadata. A source tree that was never installed (no
`llmkit-nb` distribution on the path) reports `0+unknown`, which sorts below every release.
"""

from __future__ import annotations

import functools

__all__ = ["DISTRIBUTION", "UNKNOWN", "version"]

DISTRIBUTION = "llmkit-nb"
UNKNOWN = "0+unknown"


@functools.cache
def version() -> str:
    """The installed llmkit-nb version (e.g. '0.2.0'), or '0+unknown' when it is not installed."""
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return UNKNOWN
