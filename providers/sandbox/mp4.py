"""Reading and retiming an MP4's clock, so the sandbox's clip lasts as long as the video that was asked for.

The sandbox ships one short clip (assets/sandbox.mp4, 3 s). A job for a 5 s or 10 s video is answered
with the same frames shown for longer: every time value in the file (the movie and track durations, the
edit list, each frame's duration in `stts`, composition offsets in `ctts`) is stretched by the same
factor, and the media time scale is raised where needed so every value stays a whole number. The bytes of
the frames are untouched and no box changes size, so the file stays valid and plays everywhere it played.
Only ISO BMFF boxes are read (ISO/IEC 14496-12); fragmented files (`moof`) are not produced here.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from fractions import Fraction

__all__ = ["duration", "retime"]

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts"}


def _boxes(data: bytes | bytearray, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, offset of the box's payload, end of the box), walking into the containers that hold timing."""
    off = start
    while off + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, off)
        header = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, off + 8)
            header = 16
        elif size == 0:
            size = end - off
        if size < header or off + size > end:
            raise ValueError(f"not a well-formed MP4: box {kind!r} at {off} runs past its parent")
        yield kind, off + header, off + size
        if kind in _CONTAINERS:
            yield from _boxes(data, off + header, off + size)
        off += size


def _timescale_and_duration(data: bytes | bytearray, payload: int) -> tuple[int, int]:
    """mvhd/mdhd: (timescale, duration) for version 0 or 1."""
    if data[payload] == 1:
        timescale, length = struct.unpack_from(">IQ", data, payload + 20)
    else:
        timescale, length = struct.unpack_from(">II", data, payload + 12)
    return timescale, length


def duration(mp4: bytes) -> float:
    """The movie's duration in seconds, from its `mvhd` box."""
    for kind, payload, _end in _boxes(mp4, 0, len(mp4)):
        if kind == b"mvhd":
            timescale, length = _timescale_and_duration(mp4, payload)
            return length / timescale
    raise ValueError("not an MP4 movie: no mvhd box")


def retime(mp4: bytes, seconds: float) -> bytes:
    """The same clip with its clock stretched (or shrunk) so it lasts `seconds`."""
    if seconds <= 0:
        raise ValueError("a clip must last longer than 0 s")
    ratio = Fraction(seconds).limit_denominator(1000) / Fraction(duration(mp4)).limit_denominator(1000)
    if ratio == 1:
        return mp4
    # each value in a media time scale is multiplied by p and the scale by q: t/ts becomes t*p/(ts*q)
    p, q = ratio.numerator, ratio.denominator
    out = bytearray(mp4)

    def scale(fmt: str, at: int, by: int) -> None:
        (value,) = struct.unpack_from(fmt, out, at)
        struct.pack_into(fmt, out, at, value * by)

    for kind, payload, _end in _boxes(out, 0, len(out)):
        v1 = out[payload] == 1
        if kind in (b"mvhd", b"mdhd"):  # the time scale, then the duration in it
            scale(">I", payload + (20 if v1 else 12), q)
            scale(">Q" if v1 else ">I", payload + (24 if v1 else 16), p)
        elif kind == b"tkhd":  # duration in the movie's time scale (whose scale grew by q)
            scale(">Q" if v1 else ">I", payload + (28 if v1 else 20), p)
        elif kind == b"elst":  # segment durations (movie scale) and media start times (media scale)
            (count,) = struct.unpack_from(">I", out, payload + 4)
            step, fmt = (20, ">Qq") if v1 else (12, ">Ii")
            for i in range(count):
                at = payload + 8 + i * step
                segment, media_time = struct.unpack_from(fmt, out, at)
                struct.pack_into(fmt, out, at, segment * p, media_time * p if media_time >= 0 else -1)
        elif kind in (b"stts", b"ctts"):  # (sample count, sample delta or offset) per entry
            (count,) = struct.unpack_from(">I", out, payload + 4)
            for i in range(count):
                at = payload + 8 + i * 8 + 4
                fmt = ">i" if kind == b"ctts" and out[payload] == 1 else ">I"
                scale(fmt, at, p)
    return bytes(out)
