"""Voices by name: ElevenLabs premade voices, Deepgram Aura voices, realtime-session voices (catalog data).

The lists live in `providers/catalog/voices/*.json` with their sources. A name resolves to the id the
wire wants; an unknown name is an error that lists real ones, before anything is sent. ElevenLabs
voice ids from a user's own library (20 letters and digits) pass through as given.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any

from ..errors import InvalidParameterError

__all__ = [
    "deepgram_voice_model",
    "elevenlabs_voice",
    "list_voices",
    "realtime_voice",
    "voice_catalog",
]

_ELEVEN_ID = re.compile(r"^[A-Za-z0-9]{20}$")


@functools.cache
def voice_catalog(name: str) -> dict[str, Any]:
    """The voices document for 'deepgram', 'elevenlabs' or 'realtime'."""
    path = resources.files("providers.catalog").joinpath("voices", f"{name}.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def list_voices(provider: str, *, family: str | None = None) -> list[str]:
    """Voice names a provider offers (for pickers): ElevenLabs names, Deepgram voice names, realtime voices."""
    if provider == "elevenlabs":
        return [v["name"] for v in voice_catalog("elevenlabs")["voices"]]
    if provider == "deepgram":
        voices = voice_catalog("deepgram")["voices"]
        fam = family or "aura-2"
        return [f"{v['name']}-{v['language']}" for v in voices if v["family"] == fam]
    realtime = voice_catalog("realtime")
    if provider in realtime:
        return list(realtime[provider]["voices"])
    return []


def elevenlabs_voice(voice: str | None) -> tuple[str, str]:
    """(display name, voice id) for an ElevenLabs premade voice name or a voice id."""
    doc = voice_catalog("elevenlabs")
    wanted = (voice or doc["default"]).strip()
    if not wanted:
        raise InvalidParameterError("voice is empty; pass a voice name such as 'George' or a voice id")
    for v in doc["voices"]:
        if wanted.lower() == v["name"].lower() or wanted == v["id"]:
            return v["name"], v["id"]
    if _ELEVEN_ID.match(wanted):
        return wanted, wanted
    names = ", ".join(v["name"] for v in doc["voices"])
    raise InvalidParameterError(
        f"unknown ElevenLabs voice {wanted!r}: use one of {names}, or a 20-character voice id "
        "from your voice library (GET /v1/voices)",
        provider="elevenlabs",
    )


def deepgram_voice_model(model: str, voice: str | None) -> tuple[str, str]:
    """(voice name, full model id) for Deepgram TTS: 'aura-2' + 'thalia' -> 'aura-2-thalia-en'."""
    voices = voice_catalog("deepgram")["voices"]
    ids = {v["id"] for v in voices}
    if model in ids:
        if voice and voice.lower() not in model:
            raise InvalidParameterError(
                f"model {model!r} already names its voice; drop voice={voice!r} or use model='deepgram/aura-2'",
                provider="deepgram",
            )
        entry = next(v for v in voices if v["id"] == model)
        return entry["name"], model
    family = model if model in ("aura-2", "aura") else None
    if family is None:
        if model.startswith("aura"):
            raise InvalidParameterError(
                f"unknown Deepgram voice model {model!r}; use 'deepgram/aura-2' with voice=..., or a full id "
                "such as 'deepgram/aura-2-thalia-en'",
                provider="deepgram",
            )
        raise InvalidParameterError(
            f"{model!r} is not a Deepgram speech model; Deepgram speaks with 'aura-2' voices, "
            "e.g. model='deepgram/aura-2', voice='thalia'",
            provider="deepgram",
        )
    wanted = (voice or "thalia").strip().lower()
    if wanted.startswith(family + "-"):
        wanted = wanted[len(family) + 1 :]
    for v in voices:
        if v["family"] != family:
            continue
        if wanted in (v["name"], f"{v['name']}-{v['language']}"):
            return v["name"], v["id"]
    english = sorted(
        {v["name"] for v in voices if v["family"] == family and v["language"] == "en"} - {"thalia"}
    )
    some = ", ".join(["thalia", *english[:11]])
    raise InvalidParameterError(
        f"unknown Deepgram {family} voice {voice!r}; e.g. {some}, ... (all: providers.audio.voices.list_voices('deepgram'))",
        provider="deepgram",
    )


def realtime_voice(provider: str, voice: str | None) -> str:
    """A realtime session voice (case-insensitive at xAI); unknown names list the real ones."""
    doc = voice_catalog("realtime").get(provider)
    if doc is None:
        return voice or ""
    wanted = (voice or doc["default"]).strip()
    if wanted.lower() in doc["voices"]:
        return wanted.lower()
    raise InvalidParameterError(
        f"unknown {provider} realtime voice {wanted!r}; use one of {', '.join(doc['voices'])}",
        provider=provider,
    )
