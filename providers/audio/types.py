"""Results of speech calls: `Transcript` (speech to text), `Speech` (text to speech), live events, `Latency`.

`Latency` names ElevenLabs' five `optimize_streaming_latency` levels in their documented direction
(elevenlabs-python 2.78.0 `text_to_speech/raw_client.py` docstring, identical on the API reference):
0 is the default with no latency optimisation, 4 is the most optimisation with the text normaliser
turned off. (The plan this project started from had that scale upside down.)
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import InvalidParameterError

__all__ = [
    "AudioChunk",
    "Latency",
    "LiveResult",
    "Speech",
    "SpeechDone",
    "SpeechEvent",
    "Transcript",
    "Utterance",
    "Word",
]


class Latency(StrEnum):
    """Five speech latency tiers, mapped onto ElevenLabs' `optimize_streaming_latency` 0..4.

    | tier | level | what ElevenLabs does |
    |---|---|---|
    | `default` | 0 | no latency optimisation (best quality; the API's default) |
    | `normal` | 1 | normal optimisation, about 50% of the gain of level 3 |
    | `strong` | 2 | strong optimisation, about 75% of the gain of level 3 |
    | `max` | 3 | maximum optimisation |
    | `max_no_normalizer` | 4 | maximum, and the text normaliser off (lowest latency; may misread numbers, dates) |

    `Latency.coerce` also takes the level as an int, and "lowest"/"fastest" (level 4) or
    "quality"/"off"/"none" (level 0).
    """

    DEFAULT = "default"
    NORMAL = "normal"
    STRONG = "strong"
    MAX = "max"
    MAX_NO_NORMALIZER = "max_no_normalizer"

    @property
    def level(self) -> int:
        """The `optimize_streaming_latency` value this tier sends."""
        return _LEVELS.index(self)

    @property
    def description(self) -> str:
        """One line on what the tier trades."""
        return _DESCRIPTIONS[self.level]

    @classmethod
    def coerce(cls, value: Any) -> Latency | None:
        """A tier from a Latency, its name, its level 0..4 or an alias; None stays None."""
        if value is None or isinstance(value, Latency):
            return value
        if isinstance(value, bool):
            raise InvalidParameterError(f"latency takes a tier name or a level 0..4, not {value!r}")
        if isinstance(value, int):
            if 0 <= value <= 4:
                return _LEVELS[value]
            raise InvalidParameterError(
                f"latency levels run from 0 (default) to 4 (lowest latency), not {value}"
            )
        if isinstance(value, str):
            key = value.strip().lower().replace("-", "_").replace(" ", "_")
            if key in _ALIASES:
                return _ALIASES[key]
            renamed = plan_latency(value)
            if renamed is not None:  # the plan's LowestLatency / HighestQuality: still work, warn once
                from ..deprecation import warn_once

                warn_once(("latency", renamed[0].value), renamed[1])
                return renamed[0]
            if key.isdigit():
                return cls.coerce(int(key))
        names = ", ".join(t.value for t in cls)
        raise InvalidParameterError(f"unknown latency {value!r}: use one of {names} (or 0..4, or 'lowest')")


_LEVELS = (Latency.DEFAULT, Latency.NORMAL, Latency.STRONG, Latency.MAX, Latency.MAX_NO_NORMALIZER)
_DESCRIPTIONS = (
    "no latency optimisation (best quality)",
    "normal optimisation (about 50% of the gain of level 3)",
    "strong optimisation (about 75% of the gain of level 3)",
    "maximum optimisation",
    "maximum optimisation, text normaliser off (lowest latency; numbers and dates may be misread)",
)
_ALIASES: dict[str, Latency] = {t.value: t for t in Latency} | {
    "quality": Latency.DEFAULT,
    "off": Latency.DEFAULT,
    "none": Latency.DEFAULT,
    "lowest": Latency.MAX_NO_NORMALIZER,
    "fastest": Latency.MAX_NO_NORMALIZER,
}
# the names of the plan this project started from (LowestLatency=0 ... HighestQuality=4, reversed there)
_PLAN_NAMES: dict[str, Latency] = {
    "lowest_latency": Latency.MAX_NO_NORMALIZER,
    "lowestlatency": Latency.MAX_NO_NORMALIZER,
    "highest_quality": Latency.DEFAULT,
    "highestquality": Latency.DEFAULT,
}


def plan_latency(value: Any) -> tuple[Latency, str] | None:
    """The tier for one of the plan's latency names ('LowestLatency', 'highest_quality') and the note
    naming today's name; None for anything else."""
    if not isinstance(value, str):
        return None
    tier = _PLAN_NAMES.get(value.strip().lower().replace("-", "_").replace(" ", "_"))
    if tier is None:
        return None
    new = "'lowest' (Latency.MAX_NO_NORMALIZER, level 4)" if tier.level else "'default' (level 0)"
    return tier, (
        f"latency={value!r} is the plan's name; use latency={new} instead (ElevenLabs counts "
        "0 = no optimisation up to 4 = lowest latency: the plan's scale was reversed)"
    )


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Word(_Model):
    """One recognised word with its timing (seconds from the start of the audio)."""

    word: str = Field(..., description="The word as recognised (Deepgram `word`, ElevenLabs `text`).")
    text: str = Field(
        "", description="The word as written: punctuated/capitalised where the provider did so."
    )
    start: float | None = None
    end: float | None = None
    confidence: float | None = Field(None, description="0..1 where the provider reports it.")
    speaker: int | str | None = Field(None, description="Speaker label when diarization is on.")

    @property
    def shown(self) -> str:
        return self.text or self.word


class Utterance(_Model):
    """A stretch of speech by one speaker (Deepgram `utterances=true`, or built from speaker turns)."""

    text: str
    start: float | None = None
    end: float | None = None
    speaker: int | str | None = None
    confidence: float | None = None
    words: list[Word] = Field(default_factory=list)


class Transcript(_Model):
    """What a speech-to-text call heard: the text, its words with timings, speaker turns, and provenance."""

    text: str
    words: list[Word] = Field(default_factory=list)
    utterances: list[Utterance] = Field(default_factory=list)
    duration: float | None = Field(None, description="Seconds of audio, as the provider measured it.")
    language: str | None = None
    confidence: float | None = None
    model: str = ""
    provider: str = ""
    endpoint: str = ""
    sandbox: bool = False
    request_id: str | None = None
    latency_s: float | None = None
    sent: dict[str, Any] = Field(default_factory=dict, description="The provider parameters sent.")
    notes: list[str] = Field(default_factory=list)
    raw: dict[str, Any] | None = Field(None, description="The provider's JSON, as received.")

    @property
    def speakers(self) -> list[int | str]:
        """Distinct speaker labels, in order of first appearance."""
        seen: list[int | str] = []
        for w in self.words:
            if w.speaker is not None and w.speaker not in seen:
                seen.append(w.speaker)
        return seen

    def turns(self) -> list[Utterance]:
        """Speaker turns: the provider's utterances, else consecutive words grouped by speaker."""
        if self.utterances:
            return list(self.utterances)
        turns: list[Utterance] = []
        for w in self.words:
            if turns and turns[-1].speaker == w.speaker:
                last = turns[-1]
                last.words.append(w)
                last.text = f"{last.text} {w.shown}".strip()
                last.end = w.end
            else:
                turns.append(Utterance(text=w.shown, start=w.start, end=w.end, speaker=w.speaker, words=[w]))
        return turns


class LiveResult(_Model):
    """One live transcription result: interim (will be revised) or final (settled)."""

    kind: Literal["interim", "final"]
    text: str
    words: list[Word] = Field(default_factory=list)
    start: float = 0.0
    duration: float = 0.0
    speech_final: bool = Field(False, description="The speaker paused: the end of an utterance.")
    from_finalize: bool = Field(False, description="Flushed by a Finalize message.")
    channel: int = 0
    request_id: str | None = None
    sandbox: bool = False

    @property
    def is_final(self) -> bool:
        return self.kind == "final"


class Speech(_Model):
    """Synthesised speech: the audio bytes and everything known about them."""

    model_config = ConfigDict(extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")
    audio: bytes = Field(..., repr=False)
    format: str = Field(..., description="What the bytes are: wav, mp3, pcm, ulaw, alaw, ogg, flac, aac.")
    media_type: str
    sample_rate: int | None = None
    channels: int = 1
    duration: float | None = Field(None, description="Seconds (exact for WAV/PCM, nominal for MP3/Opus/AAC).")
    text: str = ""
    voice: str = ""
    voice_id: str = ""
    model: str = ""
    provider: str = ""
    output_format: str = Field("", description="The format asked for.")
    latency: Latency | None = None
    ttfb_s: float | None = Field(
        None, description="Seconds from sending the request to the first audio byte."
    )
    latency_s: float | None = Field(None, description="Seconds until the last byte.")
    streamed: bool = False
    chunks: int = 0
    endpoint: str = ""
    sandbox: bool = False
    request_id: str | None = None
    sent: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)

    def __repr__(self) -> str:
        bits = [f"{len(self.audio):,} bytes {self.format}"]
        if self.duration is not None:
            bits.append(f"{self.duration:.2f} s")
        if self.voice:
            bits.append(f"voice {self.voice}")
        if self.sandbox:
            bits.append("sandbox")
        return f"Speech({', '.join(bits)})"

    __str__ = __repr__

    def save(self, path: Any) -> None:
        """Write the audio bytes to a file (raw formats are written as they are; see `wav()`)."""
        from pathlib import Path

        Path(path).write_bytes(self.audio)

    def wav(self) -> bytes:
        """The audio as a WAV file: as it is for WAV, wrapped for raw PCM / mu-law / A-law.

        Compressed formats (MP3, Opus, AAC, FLAC) are not decoded here: a ValueError says so.
        """
        from .wav import alaw_decode, mulaw_decode, write_wav

        rate = self.sample_rate or 24000
        match self.format:
            case "wav":
                return self.audio
            case "pcm":
                return write_wav(self.audio, sample_rate=rate)
            case "ulaw":
                return write_wav(mulaw_decode(self.audio), sample_rate=rate)
            case "alaw":
                return write_wav(alaw_decode(self.audio), sample_rate=rate)
        raise ValueError(f"{self.format} audio is compressed; play or save it as it is")

    def pcm(self) -> bytes:
        """Raw 16-bit mono samples (for a realtime session); WAV and raw formats only."""
        from .wav import read_wav

        if self.format == "pcm":
            return self.audio
        info = read_wav(self.wav())
        assert info is not None
        if info.codec != "pcm" or info.bits != 16 or info.channels != 1:
            raise ValueError("only 16-bit mono audio converts to PCM16 here")
        return self.wav()[info.data_offset : info.data_offset + info.data_size]


class AudioChunk(_Model):
    """A piece of streamed speech, handed over as it arrives."""

    kind: Literal["audio"] = "audio"
    data: bytes = Field(..., repr=False)
    index: int
    elapsed_s: float = Field(..., description="Seconds since the request was sent.")


class SpeechDone(_Model):
    """The end of a speech stream, with the whole result."""

    kind: Literal["done"] = "done"
    speech: Speech


SpeechEvent = AudioChunk | SpeechDone
