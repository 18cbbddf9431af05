"""Check a generation request against the catalog before anything is sent, and normalize it.

A duration, size or input the model does not take is an `InvalidParameterError` that lists what it
does take. Images given as a local path or bytes become `data:` URLs (both Runware and RunwayML
accept them); https URLs pass through as they are.
"""

from __future__ import annotations

import base64
import itertools
import math
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..errors import InvalidParameterError
from ..media_types import JobKind
from .catalog import MediaModel, estimate_cost, parse_size

__all__ = ["MediaRequest", "image_ref", "plan", "short", "shorten"]

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_LABELS = {
    "text": "a prompt",
    "first_frame": "a first frame",
    "last_frame": "a last frame",
    "reference": "reference images",
}


class MediaRequest(BaseModel):
    """One generation, checked and normalized: what the codec turns into the provider's body."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    provider: str
    model: MediaModel
    kind: JobKind
    prompt: str | None = None
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    frames: dict[str, str] = Field(default_factory=dict, description="'first'/'last' -> URL or data: URL.")
    references: tuple[str, ...] = ()
    audio: bool | None = None
    seed: int | None = None
    negative_prompt: str | None = None
    options: dict[str, Any] = Field(default_factory=dict, description="Extra body fields, sent as given.")
    notes: tuple[str, ...] = ()
    estimated_cost_usd: float | None = None

    @property
    def size(self) -> str | None:
        """'WxH', or None when the size is left to the model (or follows the image)."""
        return f"{self.width}x{self.height}" if self.width and self.height else None


def _sniff(data: bytes) -> str | None:
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_ref(value: Any, *, max_bytes: int, provider: str) -> str:
    """An image as the wire takes it: an https URL as given, anything local as a data: URL."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("https://", "http://")):
            return text
        if text.startswith("data:"):
            if not text.startswith("data:image/"):
                raise InvalidParameterError("a data: URL given as an image must be data:image/...;base64,...")
            return text
        if provider == "runware" and _UUID.match(text):
            return text  # an image Runware already holds (imageUpload's imageUUID)
        path = Path(text).expanduser()
        if not path.is_file():
            raise InvalidParameterError(
                f"image {text[:80]!r} is not an https URL, a data: URL or a file that exists; "
                "pass one of those, or the image's bytes"
            )
        data = path.read_bytes()
    elif isinstance(value, Path):
        if not value.is_file():
            raise InvalidParameterError(f"image file {str(value)!r} does not exist")
        data = value.read_bytes()
    elif isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
    else:
        raise InvalidParameterError(
            f"an image must be a URL, a file path or bytes, not {type(value).__name__}"
        )
    mime = _sniff(data)
    if mime is None:
        raise InvalidParameterError("the image is not a PNG, JPEG, WEBP or GIF file")
    encoded = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    if len(encoded) > max_bytes:
        raise InvalidParameterError(
            f"the image is {len(data):,} bytes; {provider} takes inline images up to {max_bytes:,} bytes "
            "as a data: URL. Host it and pass its https URL instead"
        )
    return encoded


def short(ref: str) -> str:
    """An image reference fit for display: data: URLs shortened to their type and size."""
    if ref.startswith("data:"):
        head = ref.split(",", 1)[0]
        size = len(ref.split(",", 1)[1]) * 3 // 4 if "," in ref else 0
        return f"{head},… ({size:,} bytes)"
    return ref


def shorten(value: Any) -> Any:
    """A body for display: every inline data: URL in it shortened to its type and size."""
    if isinstance(value, dict):
        return {k: shorten(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shorten(v) for v in value]
    if isinstance(value, str) and value.startswith("data:"):
        return short(value)
    return value


def _frames(image: Any) -> dict[str, Any]:
    if image is None:
        return {}
    if isinstance(image, dict):
        unknown = set(image) - {"first", "last"}
        if unknown:
            raise InvalidParameterError(
                f"image= as a dict takes the keys 'first' and 'last', not {sorted(unknown)[0]!r}"
            )
        return {k: v for k, v in image.items() if v is not None}
    if isinstance(image, list | tuple):
        if len(image) != 2:
            raise InvalidParameterError(
                "image= as a pair is (first_frame, last_frame); pass one image for the first frame only"
            )
        return {k: v for k, v in zip(("first", "last"), image, strict=True) if v is not None}
    return {"first": image}


def _fmt(values: tuple[float, ...]) -> str:
    shown = [str(int(v)) if float(v).is_integer() else str(v) for v in values]
    if len(shown) > 3 and all(b - a == 1 for a, b in itertools.pairwise(values)):
        return f"{shown[0]} to {shown[-1]}"
    return ", ".join(shown[:-1]) + f" or {shown[-1]}" if len(shown) > 1 else shown[0]


def _pick_size(model: MediaModel, size: Any, with_image: bool) -> tuple[int | None, int | None, list[str]]:
    notes: list[str] = []
    allowed = model.sizes_for(with_image)
    if size is None:
        if with_image and not model.size_with_image:
            return None, None, ["the size follows the frame image"]
        if not allowed:
            return None, None, []
        first_w, _, first_h = allowed[0].partition("x")
        return int(first_w), int(first_h), notes
    if with_image and not model.size_with_image and model.known:
        raise InvalidParameterError(
            f"{model.name} takes either a frame image or a size, not both (the size follows the image); "
            "drop size= or image="
        )
    try:
        w, h, is_aspect = parse_size(size)
    except ValueError as exc:
        raise InvalidParameterError(str(exc)) from None
    listing = ", ".join(allowed)
    if is_aspect:
        a, b = w, h
        matches = [s for s in allowed if int(s.split("x")[0]) * b == int(s.split("x")[1]) * a]
        if len(matches) == 1:
            mw, _, mh = matches[0].partition("x")
            return int(mw), int(mh), [f"aspect {a}:{b} -> {matches[0]}"]
        if not matches:
            raise InvalidParameterError(f"{model.name} has no {a}:{b} size; it takes {listing or 'any size'}")
        raise InvalidParameterError(
            f"{a}:{b} fits several {model.name} sizes ({', '.join(matches)}); pass one"
        )
    text = f"{w}x{h}"
    if model.size_range is not None:
        r = model.size_range
        if not all(r.min <= v <= r.max and v % r.step == 0 for v in (w, h)):
            raise InvalidParameterError(
                f"{model.name} takes widths and heights from {r.min} to {r.max} in steps of {r.step} "
                f"(e.g. {listing}); got {text}"
            )
        return w, h, notes
    if model.known and allowed and text not in allowed:
        raise InvalidParameterError(f"{model.name} does not take size {text}; it takes {listing}")
    return w, h, notes


def _pick_duration(model: MediaModel, duration: Any, size: str | None) -> float | None:
    if model.kind != "video":
        if duration is not None:
            raise InvalidParameterError(f"{model.name} makes images; duration= does not apply")
        return None
    allowed = model.durations_for(size)
    if duration is None:
        if not allowed:
            return model.default_duration
        return model.default_duration if model.default_duration in allowed else allowed[0]
    if isinstance(duration, bool) or not isinstance(duration, int | float) or not math.isfinite(duration):
        raise InvalidParameterError(f"duration= is a number of seconds, not {duration!r}")
    if model.known and allowed and float(duration) not in allowed:
        at = f" at {size}" if size in model.size_durations else ""
        raise InvalidParameterError(
            f"{model.name} takes a duration of {_fmt(allowed)} seconds{at}; got {duration:g}"
        )
    return float(duration)


def _check_inputs(model: MediaModel, prompt: str | None, frames: dict[str, Any], refs: list[Any]) -> None:
    given = {"text"} if prompt else set()
    given |= {f"{k}_frame" for k in frames}
    if refs:
        given.add("reference")
    offered = " and ".join(_LABELS[i] for i in model.inputs)
    for item in sorted(given - set(model.inputs)):
        raise InvalidParameterError(f"{model.name} does not take {_LABELS[item]}; it takes {offered}")
    for item in model.requires:
        if item not in given:
            hint = {
                "first_frame": "image=",
                "reference": "image= (one to three references)",
                "text": "a prompt",
            }
            raise InvalidParameterError(
                f"{model.name} needs {_LABELS[item]}: pass {hint.get(item, item)} (it takes {offered})"
            )
    if "last" in frames and "first" not in frames:
        raise InvalidParameterError("a last frame needs a first frame too: image={'first': ..., 'last': ...}")
    if not given:
        raise InvalidParameterError("pass a prompt (or an image) to generate from")


def plan(
    model: MediaModel,
    prompt: str | None,
    *,
    duration: Any = None,
    size: Any = None,
    image: Any = None,
    max_inline_bytes: int,
    options: dict[str, Any] | None = None,
) -> MediaRequest:
    """Check a request against the model's catalog row and normalize it; raise before anything is sent."""
    options = dict(options or {})
    if prompt is not None and not isinstance(prompt, str):
        raise InvalidParameterError(f"the prompt is text, not {type(prompt).__name__}")
    prompt = prompt.strip() if prompt else None
    if model.kind == "video":
        raw_frames, refs = _frames(image), []
    else:
        raw_frames = {}
        refs = list(image) if isinstance(image, list | tuple) else ([image] if image is not None else [])
    _check_inputs(model, prompt, raw_frames, refs)
    width, height, notes = _pick_size(model, size, with_image=bool(raw_frames))
    the_size = f"{width}x{height}" if width and height else None
    seconds = _pick_duration(model, duration, the_size)
    audio = options.pop("audio", None)
    if audio is not None and not isinstance(audio, bool):
        raise InvalidParameterError(f"audio= is True or False, not {audio!r}")
    if audio and not model.audio and model.known:
        raise InvalidParameterError(f"{model.name} makes no audio; drop audio=True")
    seed = options.pop("seed", None)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise InvalidParameterError(f"seed= is an integer, not {seed!r}")
    negative = options.pop("negative_prompt", None)
    provider = model.provider
    frames = {k: image_ref(v, max_bytes=max_inline_bytes, provider=provider) for k, v in raw_frames.items()}
    references = tuple(image_ref(v, max_bytes=max_inline_bytes, provider=provider) for v in refs)
    if not model.known:
        notes.append(f"{model.name} is not in the catalog: sent as given, unchecked")
    elif model.status == "legacy" and model.successor:
        notes.append(f"{model.name} is a legacy model; its successor is {provider}/{model.successor}")
    if options:
        notes.append(f"sent as given: {', '.join(sorted(options))}")
    return MediaRequest(
        provider=provider,
        model=model,
        kind=model.kind,
        prompt=prompt,
        duration=seconds,
        width=width,
        height=height,
        frames=frames,
        references=references,
        audio=audio,
        seed=seed,
        negative_prompt=negative,
        options=options,
        notes=tuple(notes),
        estimated_cost_usd=estimate_cost(
            model, duration=seconds, width=width, height=height, audio=bool(audio)
        ),
    )
