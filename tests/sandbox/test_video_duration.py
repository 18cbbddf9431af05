"""The sandbox's video lasts as long as the result says: its clip is retimed to the duration asked for."""

from __future__ import annotations

import struct

import pytest

from llmkit_nb import LLMKit
from providers.sandbox.media import asset
from providers.sandbox.mp4 import _boxes, duration, retime

CLIP = asset("sandbox.mp4")


def frame_durations(mp4: bytes) -> tuple[int, list[tuple[int, int]]]:
    """(media time scale, stts entries) of the first track."""
    scale, entries = 0, []
    for kind, payload, _end in _boxes(mp4, 0, len(mp4)):
        if kind == b"mdhd":
            (scale,) = struct.unpack_from(">I", mp4, payload + 12)
        if kind == b"stts":
            (count,) = struct.unpack_from(">I", mp4, payload + 4)
            entries = [struct.unpack_from(">II", mp4, payload + 8 + 8 * i) for i in range(count)]
    return scale, entries


def test_the_shipped_clip_lasts_three_seconds() -> None:
    assert duration(CLIP) == 3.0


@pytest.mark.parametrize("seconds", [2, 5, 5.5, 6, 8, 10])
def test_retime_stretches_every_clock_and_keeps_the_frames(seconds: float) -> None:
    out = retime(CLIP, seconds)
    assert len(out) == len(CLIP)
    assert duration(out) == pytest.approx(seconds)
    scale, entries = frame_durations(out)
    frames = sum(count for count, _ in entries)
    assert frames == 36  # the same 36 frames, each shown longer (or shorter)
    assert sum(count * delta for count, delta in entries) / scale == pytest.approx(seconds)
    # the frames themselves (the mdat box) are byte for byte the same
    assert out[out.index(b"mdat") :] == CLIP[CLIP.index(b"mdat") :]


def test_retime_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        retime(CLIP, 0)
    with pytest.raises(ValueError):
        duration(b"\x00\x00\x00\x08junk")


@pytest.mark.parametrize(
    ("model", "asked"),
    [
        ("runware/runway-gen-4.5", 5),
        ("runware/hailuo-2.3", 6),
        ("runwayml/gen4.5", 10),
        ("runwayml/gen4.5", None),
    ],
)
def test_the_result_and_its_file_agree(model: str, asked: int | None) -> None:
    with LLMKit(sandbox=True) as kit:
        video = kit.generate_video(
            "a fox", model=model, progress=False, **({"duration": asked} if asked else {})
        )
    assert video.data is not None and video.duration_s is not None
    assert duration(video.data) == pytest.approx(video.duration_s)
    if asked:
        assert video.duration_s == asked
