"""Audio to transcribe, from whatever the caller has: bytes, a path, a URL, an open file, a Speech result.

Everything is checked here, before a request exists: the bytes are sniffed (never assumed from a
file name), a URL must be http(s), and raw headerless audio needs its encoding and sample rate.
The Deepgram SDK v2 source dicts `{"buffer": ..., "mimetype": ...}` and `{"url": ...}` still work,
with a DeprecationWarning.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import InvalidParameterError
from .options import warn_renamed
from .sniff import AudioInfo, sniff

__all__ = ["AudioInput", "load_audio"]


@dataclass(frozen=True)
class AudioInput:
    """Audio ready to send: either a URL the provider fetches, or bytes with their sniffed format."""

    url: str | None = None
    data: bytes | None = None
    info: AudioInfo | None = None  # None for raw audio described by encoding/sample_rate
    filename: str = "audio"
    notes: tuple[str, ...] = ()

    @property
    def media_type(self) -> str:
        return self.info.media_type if self.info else "application/octet-stream"

    def describe(self) -> str:
        """A short description for 'what was sent'."""
        if self.url:
            return self.url
        kind = self.info.format if self.info else "raw audio"
        return f"{len(self.data or b''):,} bytes of {kind}"


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidParameterError(f"an audio URL must be http(s) with a host, got {url!r}")
    return url


def load_audio(audio: Any, *, raw: bool = False, provider: str = "deepgram") -> AudioInput:
    """Normalise an audio argument; `raw=True` skips sniffing (the caller gave encoding + sample_rate)."""
    notes: list[str] = []
    if isinstance(audio, dict):
        if "buffer" in audio:
            notes.append(
                warn_renamed(
                    "{'buffer': ..., 'mimetype': ...}",
                    "the bytes (or a path) as the audio argument",
                    provider=provider,
                    extra="; the type is read from the bytes",
                )
            )
            audio = audio["buffer"]
        elif "url" in audio:
            notes.append(
                warn_renamed("{'url': ...}", "the URL string as the audio argument", provider=provider)
            )
            audio = audio["url"]
        else:
            raise InvalidParameterError(
                "an audio dict needs 'buffer' or 'url'; pass bytes, a path or a URL instead"
            )
    speech_audio = getattr(audio, "audio", None)
    if isinstance(speech_audio, bytes) and hasattr(audio, "format"):  # a Speech result: its bytes
        audio = speech_audio
    if hasattr(audio, "read") and not isinstance(audio, str | bytes | os.PathLike):
        name = os.path.basename(str(getattr(audio, "name", "audio")))
        audio = audio.read()
        if isinstance(audio, str):
            raise InvalidParameterError("open the audio file in binary mode ('rb')")
        return _from_bytes(audio, name, raw, notes)
    if isinstance(audio, str) and _is_url(audio.strip()):
        return AudioInput(url=_check_url(audio.strip()), notes=tuple(notes))
    if isinstance(audio, str | os.PathLike):
        path = Path(audio).expanduser()
        if not path.is_file():
            hint = (
                " (a URL must start with http:// or https://)"
                if isinstance(audio, str) and "://" in audio
                else ""
            )
            raise InvalidParameterError(f"no audio file at {str(audio)!r}{hint}")
        return _from_bytes(path.read_bytes(), path.name, raw, notes)
    if isinstance(audio, bytes | bytearray | memoryview):
        return _from_bytes(bytes(audio), "audio", raw, notes)
    raise InvalidParameterError(
        f"audio must be bytes, a file path, an http(s) URL, an open binary file or a Speech result, "
        f"not {type(audio).__name__}"
    )


def _from_bytes(data: bytes, name: str, raw: bool, notes: list[str]) -> AudioInput:
    if raw:
        if not data:
            raise InvalidParameterError("the audio is empty (0 bytes); pass a recording")
        return AudioInput(data=data, info=None, filename=name, notes=tuple(notes))
    info = sniff(data)
    ext = {"mpeg": "mp3", "matroska": "mkv"}.get(info.format, info.format)
    filename = name if "." in name else f"{name}.{ext}"
    return AudioInput(data=data, info=info, filename=filename, notes=tuple(notes))
