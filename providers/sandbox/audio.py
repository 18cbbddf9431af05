"""Sandbox speech: real audio ("beep-speech") that carries its own words, and the reader that finds them.

Each word becomes a short voiced tone burst (pitch from the voice and the word, one swell per
syllable), with pauses between words and longer ones after punctuation, so the duration follows the
text (about 150 words a minute at speed 1). The text travels with the audio two ways:

* WAV output has a standard RIFF `LIST`/`INFO` chunk (`ICMT` = the text), placed before the samples;
* 16-bit PCM samples carry it in their least significant bits (a 1-LSB watermark starting at the
  first sample), so raw `pcm_*` output and realtime PCM16 audio keep it too.

Sandbox transcription reads either and returns the original words with the timings the synthesiser
used. Formats the sandbox cannot encode (MP3, Opus, AAC, FLAC) come back as WAV at the asked sample
rate, with the `x-llmkit-sandbox-note` header saying so -- never bytes labelled as something they
are not. mu-law and A-law are real G.711 (no watermark survives companding).
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import struct
import sys
from array import array
from dataclasses import dataclass

from ..audio.sniff import sniff_or_none
from ..audio.wav import alaw_encode, mulaw_encode, read_wav, write_wav

__all__ = [
    "NOTE_HEADER",
    "Encoded",
    "Heard",
    "encode_speech",
    "hear",
    "read_watermark",
    "synthesize",
    "timings",
]

NOTE_HEADER = "x-llmkit-sandbox-note"
_MAGIC = b"LLMK"
_LEAD_S = 0.12
_TAIL_S = 0.15
_AMPLITUDE = 0.32 * 32767
_WORD = re.compile(r"\S+")
_LETTERS = re.compile(r"[^\W_]", re.UNICODE)
_VOWELS = re.compile(r"[aeiouyàáâãäåèéêëìíîïòóôõöùúûüæœ]+", re.IGNORECASE)


def timings(text: str, speed: float = 1.0) -> tuple[list[tuple[str, float, float]], float]:
    """(word, start, end) for each word of `text`, and the total duration in seconds."""
    speed = speed if speed and speed > 0 else 1.0
    out: list[tuple[str, float, float]] = []
    t = _LEAD_S
    for match in _WORD.finditer(text):
        word = match.group(0)
        letters = max(1, len(_LETTERS.findall(word)))
        duration = (0.1 + 0.055 * letters) / speed
        out.append((word, round(t, 3), round(t + duration, 3)))
        pause = 0.32 if word[-1] in ".!?" else 0.18 if word[-1] in ",;:" else 0.07
        t += duration + pause / speed
    total = (t + _TAIL_S) if out else _LEAD_S + _TAIL_S
    return out, round(total, 3)


def _pitch(word: str, voice: str) -> float:
    base = 110 + int(hashlib.sha256(voice.encode()).hexdigest()[:4], 16) % 110  # a voice: 110..220 Hz
    return base * (1 + (int(hashlib.sha256(word.lower().encode()).hexdigest()[:2], 16) % 24) / 100)


@functools.lru_cache(maxsize=64)
def synthesize(text: str, *, sample_rate: int, voice: str = "sandbox", speed: float = 1.0) -> bytes:
    """Mono 16-bit PCM beep-speech for `text`, watermarked with the text itself (cached: it is deterministic)."""
    words, total = timings(text, speed)
    n = max(1, int(total * sample_rate))
    samples = array("h", bytes(2 * n))
    block = 32  # the envelope changes slowly: one value per block keeps synthesis cheap
    for word, start, end in words:
        f0 = _pitch(word, voice)
        syllables = max(1, len(_VOWELS.findall(word)))
        first, last = int(start * sample_rate), min(n, int(end * sample_rate))
        length = max(1, last - first)
        period = max(2, round(sample_rate / f0))
        wave = [
            (
                math.sin(2 * math.pi * k / period)
                + 0.45 * math.sin(4 * math.pi * k / period)
                + 0.2 * math.sin(6 * math.pi * k / period)
            )
            / 1.65
            for k in range(period)
        ]
        for b in range(0, length, block):
            x = (b + block / 2) / length
            gain = _AMPLITUDE * math.sin(math.pi * x) * (0.55 + 0.45 * abs(math.sin(math.pi * syllables * x)))
            for i in range(b, min(length, b + block)):
                samples[first + i] = int(gain * wave[i % period])
    if sys.byteorder == "big":  # WAV and PCM16 on the wire are little-endian
        samples.byteswap()
    return _watermark(samples.tobytes(), text)


def _bits(data: bytes) -> list[int]:
    return [(byte >> (7 - k)) & 1 for byte in data for k in range(8)]


def _watermark(pcm: bytes, text: str) -> bytes:
    payload = text.encode("utf-8")[:65535]
    bits = _bits(_MAGIC + struct.pack(">H", len(payload)) + payload)
    count = len(pcm) // 2
    if len(bits) > count:  # too little audio for the whole text: keep what fits, never corrupt the header
        bits = bits[: count - count % 8] if count >= 48 else []
    samples = list(struct.unpack(f"<{count}h", pcm[: count * 2]))
    for i, bit in enumerate(bits):
        samples[i] = (samples[i] & ~1) | bit
    return struct.pack(f"<{count}h", *samples)


def read_watermark(pcm: bytes) -> str | None:
    """The text a sandbox PCM16 stream carries in its low bits, or None (not sandbox speech)."""
    count = len(pcm) // 2
    if count < 48:
        return None
    head = struct.unpack("<48h", pcm[:96])
    header = bytes(sum((head[b * 8 + k] & 1) << (7 - k) for k in range(8)) for b in range(6))
    if header[:4] != _MAGIC:
        return None
    (size,) = struct.unpack(">H", header[4:6])
    needed = 48 + size * 8
    if count < needed:
        return None
    body = struct.unpack(f"<{size * 8}h", pcm[96 : 96 + size * 16])
    data = bytes(sum((body[b * 8 + k] & 1) << (7 - k) for k in range(8)) for b in range(size))
    return data.decode("utf-8", "replace")


@dataclass(frozen=True)
class Encoded:
    """Audio the sandbox made: bytes, their MIME type, and a note when the asked format was not possible."""

    data: bytes
    media_type: str
    note: str | None = None


def encode_speech(
    text: str,
    *,
    codec: str,
    sample_rate: int,
    voice: str = "sandbox",
    speed: float = 1.0,
    wav_raw: bool = False,
) -> Encoded:
    """Sandbox speech in a format: wav, pcm, ulaw, alaw for real; others as WAV with a note.

    `wav_raw=True` wraps mu-law/A-law in a WAV container (Deepgram `container=wav`).
    """
    pcm = synthesize(text, sample_rate=sample_rate, voice=voice, speed=speed)
    info = {"INAM": "llmkit_nb sandbox speech", "ICMT": text, "ISFT": "llmkit_nb sandbox (beep-speech)"}
    if codec == "pcm":
        return Encoded(pcm, f"audio/pcm;rate={sample_rate}")
    if codec in ("ulaw", "alaw"):
        data = mulaw_encode(pcm) if codec == "ulaw" else alaw_encode(pcm)
        if wav_raw:
            tag = 7 if codec == "ulaw" else 6
            return Encoded(
                write_wav(data, sample_rate=sample_rate, bits=8, format_tag=tag, info=info), "audio/wav"
            )
        return Encoded(data, "audio/basic" if codec == "ulaw" else "audio/x-alaw-basic")
    wav = write_wav(pcm, sample_rate=sample_rate, info=info)
    if codec == "wav":
        return Encoded(wav, "audio/wav")
    note = f"the sandbox cannot encode {codec}; this is WAV audio at {sample_rate} Hz with the same words"
    return Encoded(wav, "audio/wav", note)


@dataclass(frozen=True)
class Heard:
    """What the sandbox 'hears' in some audio: the words (None if it finds none) and the duration."""

    text: str | None
    duration: float
    recognised: bool


def hear(data: bytes, *, encoding: str | None = None, sample_rate: int | None = None) -> Heard | None:
    """Find sandbox text in audio (WAV INFO, else the PCM watermark); None when the bytes are not audio."""
    if encoding:  # raw audio described by the caller
        rate = sample_rate or 16000
        if encoding in ("linear16", "pcm", "pcm16"):
            return Heard(
                read_watermark(data), round(len(data) / (2 * rate), 3), read_watermark(data) is not None
            )
        return Heard(None, round(len(data) / rate, 3), False)
    info = sniff_or_none(data)
    if info is None:
        return None
    if info.format == "wav":
        try:
            wav = read_wav(data)
        except ValueError:
            return None
        if wav is None:
            return None
        text = wav.info.get("ICMT")
        if text is None and wav.codec == "pcm" and wav.bits == 16:
            text = read_watermark(data[wav.data_offset : wav.data_offset + wav.data_size])
        return Heard(text, round(wav.duration, 3), text is not None)
    return Heard(None, 0.0, False)
