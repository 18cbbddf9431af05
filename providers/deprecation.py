"""Old names that still work: each one warns once per process, naming the new one.

An option, a setting or a value under an older name (Deepgram's SDK v2 options, ElevenLabs'
`optimize_streaming_latency`, the plan's `reasoning_effort=` and `ThinkingConfig(enabled=...)`,
a Claude token budget on a model that takes an effort, ...) keeps working: the call goes out
under the new name, the result's notes say so every time, and a DeprecationWarning names the new
name the first time only, so a loop of a thousand calls shows one warning, not a thousand.

The warning points at the caller's own line (the first frame outside this toolkit and the standard
library), so a notebook shows it under the cell that used the old name. Work that runs on a
background event loop (LLMKit's loop thread) has no caller's frame: its warnings wait in a queue
until the sync bridge hands back the result, and `flush()` then emits them on the caller's thread
(llmkit_nb/loop.py calls it). docs/migration.md lists every old name and its new one.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings

__all__ = ["caller_stacklevel", "flush", "reset", "warn_once"]

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_OURS = (os.path.join(_ROOT, "providers") + os.sep, os.path.join(_ROOT, "llmkit_nb") + os.sep)
_STDLIB = os.path.dirname(os.path.abspath(os.__file__)) + os.sep

# libraries that call back into our code (a pydantic validator, nest-asyncio2's re-entered loop) are not
# the caller either
# (a package directory, or a single-file module such as site-packages/nest_asyncio2.py)
_LIBRARIES = tuple(
    f"{os.sep}{name}{end}"
    for name in ("pydantic", "pydantic_core", "nest_asyncio2")
    for end in (os.sep, ".py")
)

_lock = threading.Lock()
_warned: set[tuple[str, ...]] = set()
_pending: list[str] = []


def _is_user_frame(filename: str) -> bool:
    if filename.startswith("<frozen"):
        return False
    path = os.path.abspath(filename)
    if path.startswith(_OURS) or any(lib in path for lib in _LIBRARIES):
        return False
    return not (path.startswith(_STDLIB) and "site-packages" not in path)


def caller_stacklevel() -> int | None:
    """The `stacklevel` that makes a warning point at the caller's own line (as seen from the function
    that calls `warnings.warn`), or None when this thread runs no caller's code (a background loop)."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None:
        if _is_user_frame(frame.f_code.co_filename):
            return level
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return None


def warn_once(key: tuple[str, ...], message: str) -> bool:
    """Warn (DeprecationWarning) the first time `key` is seen in this process; True if it warned.

    On a thread without a caller's frame the warning is queued for `flush()` instead.
    """
    with _lock:
        if key in _warned:
            return False
        _warned.add(key)
    level = caller_stacklevel()
    if level is None:
        with _lock:
            _pending.append(message)
        return True
    warnings.warn(message, DeprecationWarning, stacklevel=level)
    return True


def flush() -> None:
    """Emit the warnings queued by background work, pointing at the line that called us."""
    if not _pending:
        return
    with _lock:
        messages, _pending[:] = list(_pending), []
    level = caller_stacklevel() or 2
    for message in messages:
        warnings.warn(message, DeprecationWarning, stacklevel=level)


def reset() -> None:
    """Forget which old names have warned (tests use it so that each test sees its own warnings)."""
    with _lock:
        _warned.clear()
        _pending.clear()
