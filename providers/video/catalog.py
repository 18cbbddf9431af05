"""The media model catalog: which video and image models a provider carries, and what each takes.

Data lives in `catalog/media/<provider>.json` (one file per provider): per model its sizes, durations,
inputs (text, first/last frame, reference images), price and sources. A name is resolved by id or
alias; a name the provider does not carry is an error that lists what it does carry, except that
an id shaped like the provider's own ids (a Runware AIR such as `vendor:1@2`) passes through,
unchecked and marked, because providers add models every few weeks.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import ModelRetiredError, UnknownModelError

__all__ = [
    "MediaModel",
    "MediaPrice",
    "SizeRange",
    "estimate_cost",
    "list_media_models",
    "media_model",
    "parse_size",
]

Input = Literal["text", "first_frame", "last_frame", "reference"]
Kind = Literal["video", "image"]


class MediaPrice(BaseModel):
    """What a model costs: per second, per output (keyed 'WxH/seconds', 'WxH', '720p' or '*'), or in credits."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    usd_per_second: float | None = None
    usd_per_second_audio: float | None = None
    usd_per_output: dict[str, float] = Field(default_factory=dict)
    credits_per_second: float | None = None
    credits_per_second_audio: float | None = None
    credits_per_output: dict[str, float] = Field(default_factory=dict)
    usd_per_credit: float | None = None
    notes: str | None = None
    date: str | None = None
    source: str | None = None


class SizeRange(BaseModel):
    """Free-form sizes: each side from `min` to `max` pixels in steps of `step`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    min: int
    max: int
    step: int = 1


class MediaModel(BaseModel):
    """One catalog row: a video or image model, what it accepts and what it costs."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    provider: str
    id: str
    kind: Kind
    title: str = ""
    aliases: tuple[str, ...] = ()
    status: Literal["current", "legacy", "preview", "deprecated", "retired"] = "current"
    successor: str | None = None
    inputs: tuple[Input, ...] = ("text",)
    requires: tuple[Input, ...] = ()
    durations: tuple[float, ...] = ()
    default_duration: float | None = None
    sizes: tuple[str, ...] = Field(
        (), description="'WxH' sizes for text-only requests (the first is the default)."
    )
    image_sizes: tuple[str, ...] = Field((), description="Sizes when an image is given, where they differ.")
    size_durations: dict[str, tuple[float, ...]] = Field(
        default_factory=dict, description="Sizes that only take some of the durations."
    )
    size_range: SizeRange | None = None
    size_with_image: bool = Field(True, description="False: with a frame image the size follows the image.")
    image_field: Literal["inputs", "frameImages"] = Field(
        "inputs",
        description="Runware: images under inputs.frameImages (newer models) or top-level frameImages.",
    )
    audio: bool = Field(False, description="Can generate a soundtrack (audio=True).")
    price: MediaPrice | None = None
    sources: tuple[str, ...] = ()
    confidence: str | None = None
    notes: str | None = None
    known: bool = Field(True, description="False for an id the catalog does not hold (sent unchecked).")

    @property
    def name(self) -> str:
        """'provider/id', as the user would write it."""
        return f"{self.provider}/{self.id}"

    def sizes_for(self, with_image: bool) -> tuple[str, ...]:
        """The sizes this model takes for a text-only request, or with an image."""
        if with_image and self.image_sizes:
            return self.image_sizes
        return self.sizes

    def durations_for(self, size: str | None) -> tuple[float, ...]:
        """The durations this model takes at a size."""
        if size and size in self.size_durations:
            return self.size_durations[size]
        return self.durations


@functools.cache
def _catalog() -> dict[str, dict[str, Any]]:
    root = resources.files("providers.catalog").joinpath("media")
    docs: dict[str, dict[str, Any]] = {}
    for f in sorted((f for f in root.iterdir() if f.name.endswith(".json")), key=lambda f: f.name):
        doc = json.loads(f.read_text(encoding="utf-8"))
        models = [MediaModel(provider=doc["provider"], **row) for row in doc["models"]]
        docs[doc["provider"]] = {**doc, "models": models}
    return docs


def list_media_models(provider: str | None = None, kind: Kind | None = None) -> list[MediaModel]:
    """Catalog rows, optionally for one provider and/or one kind (video, image)."""
    out: list[MediaModel] = []
    for name, doc in _catalog().items():
        if provider and name != provider:
            continue
        out += [m for m in doc["models"] if kind is None or m.kind == kind]
    return out


def _carried(provider: str, kind: Kind) -> str:
    rows = list_media_models(provider, kind)
    return ", ".join(f"{m.id} ({', '.join(m.aliases[:1]) or m.title})" for m in rows) or "none"


def _looks_like_own_id(provider: str, name: str) -> bool:
    if provider == "runware":
        return ":" in name and "@" in name  # an AIR id: vendor:n@m
    return False


def media_model(provider: str, name: str, kind: Kind) -> MediaModel:
    """The catalog row for `name` (an id or alias) of this kind; unknown names raise, listing what is carried."""
    doc = _catalog().get(provider)
    if doc is None:
        raise UnknownModelError(f"{provider} offers no {kind} generation", provider=provider)
    key = name.strip()
    for m in doc["models"]:
        if key == m.id or key.lower() in (a.lower() for a in m.aliases):
            if m.kind != kind:
                raise UnknownModelError(
                    f"{provider}/{m.id} makes {m.kind}s, not {kind}s; {kind} models on {provider}: "
                    f"{_carried(provider, kind)}",
                    provider=provider,
                )
            if m.status == "retired":
                raise ModelRetiredError(
                    f"{m.name} was retired" + (f"; use {provider}/{m.successor}" if m.successor else ""),
                    provider=provider,
                    successor=m.successor,
                    retired_on=None,
                )
            return m
    why = doc.get("not_carried", {}).get(key.lower())
    if why:
        raise UnknownModelError(
            f"{provider} does not carry {key!r}: {why}. {kind.capitalize()} models on {provider}: "
            f"{_carried(provider, kind)}",
            provider=provider,
        )
    if _looks_like_own_id(provider, key):
        return MediaModel(provider=provider, id=key, kind=kind, title=key, known=False, inputs=_ANY_INPUT)
    raise UnknownModelError(
        f"{provider} has no {kind} model {key!r}; it carries: {_carried(provider, kind)}"
        + (" (or pass any AIR id such as 'vendor:1@2', sent unchecked)" if provider == "runware" else ""),
        provider=provider,
    )


_ANY_INPUT: tuple[Input, ...] = ("text", "first_frame", "last_frame", "reference")


def parse_size(value: Any) -> tuple[int, int, bool]:
    """(width, height, False) from '1280x720', '1280:720' or (1280, 720); (16, 9, True) from an aspect '16:9'."""
    if isinstance(value, tuple | list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return int(value[0]), int(value[1]), False
    if isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        for sep in ("x", "*", "×", ":"):
            if sep in text:
                a, _, b = text.partition(sep)
                if a.isdigit() and b.isdigit():
                    w, h = int(a), int(b)
                    return w, h, sep == ":" and w <= 32 and h <= 32
    raise ValueError(f"cannot read {value!r} as a size; write it as '1280x720' or an aspect such as '16:9'")


def _seconds_key(duration: float) -> str:
    return str(int(duration)) if float(duration).is_integer() else str(duration)


def estimate_cost(
    model: MediaModel,
    *,
    duration: float | None,
    width: int | None,
    height: int | None,
    audio: bool = False,
) -> float | None:
    """The catalog price of one output at these settings, in USD (None when the price is unknown)."""
    p = model.price
    if p is None:
        return None
    size = f"{width}x{height}" if width and height else None
    if model.kind == "video" and duration:
        key = f"{size}/{_seconds_key(duration)}" if size else None
        if key and key in p.usd_per_output and not audio:
            return p.usd_per_output[key]
        per_s = p.usd_per_second_audio if audio and p.usd_per_second_audio else p.usd_per_second
        if per_s is not None:
            return round(per_s * duration, 4)
        credits = p.credits_per_second_audio if audio and p.credits_per_second_audio else p.credits_per_second
        if credits is not None and p.usd_per_credit is not None:
            return round(credits * duration * p.usd_per_credit, 4)
        return None
    if model.kind == "image":
        tier = "1080p" if width and height and min(width, height) >= 1080 else "720p"
        for table, rate in ((p.usd_per_output, 1.0), (p.credits_per_output, p.usd_per_credit)):
            if rate is None:
                continue
            for key in (size, tier, "*"):
                if key and key in table:
                    return round(table[key] * rate, 4)
    return None
