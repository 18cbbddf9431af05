"""Output formats for speech, named one way for every provider: `<codec>_<sample rate>[_<kbps>]`.

The names are ElevenLabs' own `output_format` values (`mp3_44100_128`, `pcm_24000`, `wav_16000`,
`ulaw_8000`, `opus_48000_64`, ...; the full list from elevenlabs-python 2.78.0
`text_to_speech_convert_request_output_format.py`). Deepgram's `/v1/speak` takes the same audio as
`encoding` + `container` + `sample_rate` + `bit_rate`; `deepgram_params` translates, adding `flac_*`
and `aac_*` which only Deepgram offers. The combinations Deepgram accepts follow its "Audio Format
Combinations" table (developers.deepgram.com/docs/tts-media-output-settings); the sample-rate lists
there were read from a stored copy of that page and are marked UNCONFIRMED in docs/voice.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidParameterError

__all__ = [
    "DEEPGRAM_FORMATS",
    "ELEVENLABS_FORMATS",
    "OutputFormat",
    "deepgram_params",
    "format_for_elevenlabs",
    "parse_format",
]

ELEVENLABS_FORMATS: tuple[str, ...] = (
    "alaw_8000",
    "ulaw_8000",
    "mp3_22050_32",
    "mp3_24000_48",
    "mp3_44100_32",
    "mp3_44100_64",
    "mp3_44100_96",
    "mp3_44100_128",
    "mp3_44100_192",
    "opus_48000_32",
    "opus_48000_64",
    "opus_48000_96",
    "opus_48000_128",
    "opus_48000_192",
    "pcm_8000",
    "pcm_16000",
    "pcm_22050",
    "pcm_24000",
    "pcm_32000",
    "pcm_44100",
    "pcm_48000",
    "wav_8000",
    "wav_16000",
    "wav_22050",
    "wav_24000",
    "wav_32000",
    "wav_44100",
    "wav_48000",
)

# Deepgram /v1/speak: encoding -> (containers, sample rates, bit rates in kbps or () when not settable)
_DEEPGRAM_RULES: dict[str, tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...]]] = {
    "linear16": (("wav", "none"), (8000, 16000, 24000, 32000, 48000), ()),
    "mulaw": (("wav", "none"), (8000, 16000), ()),
    "alaw": (("wav", "none"), (8000, 16000), ()),
    "mp3": ((), (22050,), (32, 48)),
    "opus": (("ogg",), (48000,), (4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 320, 512)),
    "flac": ((), (8000, 16000, 22050, 32000, 48000), ()),
    "aac": ((), (22050,), (4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192)),
}

DEEPGRAM_FORMATS: tuple[str, ...] = (
    *(f"wav_{r}" for r in _DEEPGRAM_RULES["linear16"][1]),
    *(f"pcm_{r}" for r in _DEEPGRAM_RULES["linear16"][1]),
    *(f"ulaw_{r}" for r in _DEEPGRAM_RULES["mulaw"][1]),
    *(f"alaw_{r}" for r in _DEEPGRAM_RULES["alaw"][1]),
    *(f"mp3_22050_{k}" for k in _DEEPGRAM_RULES["mp3"][2]),
    "opus_48000_12",
    *(f"flac_{r}" for r in _DEEPGRAM_RULES["flac"][1]),
    "aac_22050_48",
)

_MEDIA = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "pcm": "audio/L16",
    "ulaw": "audio/basic",
    "alaw": "audio/x-alaw-basic",
    "opus": "audio/ogg",
    "flac": "audio/flac",
    "aac": "audio/aac",
}
_CODECS = tuple(_MEDIA)


@dataclass(frozen=True)
class OutputFormat:
    """A parsed output format name: codec, sample rate and (for compressed codecs) kbps."""

    name: str
    codec: str
    sample_rate: int
    kbps: int | None = None

    @property
    def media_type(self) -> str:
        return _MEDIA[self.codec]

    @property
    def raw(self) -> bool:
        """Headerless samples (PCM, mu-law, A-law): nothing in the bytes says what they are."""
        return self.codec in ("pcm", "ulaw", "alaw")

    @property
    def bytes_per_second(self) -> float | None:
        """For duration: exact for raw and WAV audio, nominal for constant-bitrate codecs."""
        if self.codec in ("pcm", "wav"):
            return 2.0 * self.sample_rate
        if self.codec in ("ulaw", "alaw"):
            return float(self.sample_rate)
        if self.kbps:
            return self.kbps * 1000 / 8
        return None


def parse_format(name: str) -> OutputFormat:
    """Parse `mp3_44100_128`, `pcm_24000`, ...; raises InvalidParameterError naming the shape."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidParameterError(
            f"output_format must be a name such as 'mp3_44100_128' or 'wav_24000', not {name!r}"
        )
    parts = name.strip().lower().split("_")
    codec = parts[0]
    try:
        numbers = [int(p) for p in parts[1:]]
    except ValueError:
        numbers = []
    if codec not in _CODECS or not numbers or len(numbers) > 2:
        raise InvalidParameterError(
            f"unknown output_format {name!r}: use <codec>_<sample rate>[_<kbps>] with codec one of "
            f"{', '.join(_CODECS)}, e.g. 'mp3_44100_128', 'pcm_24000', 'wav_24000', 'ulaw_8000'"
        )
    kbps = numbers[1] if len(numbers) == 2 else None
    return OutputFormat(name=name.strip().lower(), codec=codec, sample_rate=numbers[0], kbps=kbps)


def deepgram_params(fmt: OutputFormat) -> dict[str, str]:
    """Deepgram `/v1/speak` query parameters for a format; raises for what Deepgram does not offer."""
    encoding = {"pcm": "linear16", "wav": "linear16", "ulaw": "mulaw"}.get(fmt.codec, fmt.codec)
    rule = _DEEPGRAM_RULES.get(encoding)
    if rule is None:
        raise InvalidParameterError(
            f"Deepgram cannot produce {fmt.name!r}; it offers {', '.join(DEEPGRAM_FORMATS)}"
        )
    containers, rates, rates_kbps = rule
    if fmt.sample_rate not in rates:
        raise InvalidParameterError(
            f"Deepgram's {encoding} audio comes at {', '.join(map(str, rates))} Hz, not {fmt.sample_rate}; "
            f"e.g. output_format='{fmt.codec}_{rates[0]}'" + (f"_{rates_kbps[0]}" if rates_kbps else "")
        )
    params = {"encoding": encoding}
    if rates_kbps:
        kbps = fmt.kbps if fmt.kbps is not None else rates_kbps[-1 if encoding == "mp3" else 0]
        if kbps not in rates_kbps:
            raise InvalidParameterError(
                f"Deepgram's {encoding} bit rates are {', '.join(map(str, rates_kbps))} kbps, not {kbps}"
            )
        params["bit_rate"] = str(kbps * 1000)
    elif fmt.kbps is not None:
        raise InvalidParameterError(
            f"Deepgram's {encoding} audio has no bit rate to choose; drop '_{fmt.kbps}'"
        )
    if len(rates) > 1:
        params["sample_rate"] = str(fmt.sample_rate)
    if containers:
        params["container"] = "wav" if fmt.codec == "wav" else ("ogg" if encoding == "opus" else "none")
    return params


def format_for_elevenlabs(name: str) -> OutputFormat:
    """A format ElevenLabs offers, or InvalidParameterError listing the ones of that codec."""
    fmt = parse_format(name)
    if fmt.name not in ELEVENLABS_FORMATS:
        same = [f for f in ELEVENLABS_FORMATS if f.startswith(fmt.codec + "_")]
        offer = ", ".join(same) if same else ", ".join(ELEVENLABS_FORMATS)
        raise InvalidParameterError(f"ElevenLabs has no output_format {fmt.name!r}; it offers {offer}")
    return fmt
