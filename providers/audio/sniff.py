"""What audio is this? The content type read from the bytes themselves, never assumed from a name.

Recognised by their signatures: WAV (RIFF/RF64 WAVE), MP3 (ID3 tag or an MPEG audio frame header),
FLAC (`fLaC`), Ogg (Opus, Vorbis, FLAC inside), WebM/Matroska (EBML), MP4/M4A/MOV (`ftyp`), AAC
(ADTS), AMR, AIFF and CAF. Anything else -- empty input, text, HTML, JSON, an image, or bytes with no
known signature -- is refused with an error that names the fix, before anything is sent.
Signatures: RFC 9639 (FLAC), RFC 3533/7845 (Ogg, Opus), ISO/IEC 14496-12 (ftyp), ISO/IEC 11172-3
(MPEG audio frame header), the Matroska/WebM EBML header, RFC 4867 (AMR storage format).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidParameterError
from .wav import read_wav

__all__ = ["AudioInfo", "sniff", "sniff_or_none"]


@dataclass(frozen=True)
class AudioInfo:
    """A sniffed audio file: short format name, MIME type, and what its header told (WAV only)."""

    format: str
    media_type: str
    sample_rate: int | None = None
    channels: int | None = None
    bits: int | None = None
    duration: float | None = None
    codec: str | None = None
    text: str | None = None  # text carried in WAV LIST/INFO metadata (e.g. by sandbox speech)


_MP4_AUDIO_BRANDS = (b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B ")


def _mpeg_frame(data: bytes, at: int) -> bool:
    """An MPEG-1/2/2.5 Layer I-III frame header at `at` (sync, version, layer, bitrate and rate sane)."""
    if at + 4 > len(data) or data[at] != 0xFF or (data[at + 1] & 0xE0) != 0xE0:
        return False
    version = (data[at + 1] >> 3) & 0x03
    layer = (data[at + 1] >> 1) & 0x03
    bitrate = data[at + 2] >> 4
    rate = (data[at + 2] >> 2) & 0x03
    return version != 0x01 and layer != 0x00 and bitrate not in (0x0, 0xF) and rate != 0x03


def _adts(data: bytes) -> bool:
    return len(data) >= 7 and data[0] == 0xFF and (data[1] & 0xF6) == 0xF0


def _ogg_codec(data: bytes) -> str:
    head = data[:256]
    if b"OpusHead" in head:
        return "opus"
    if b"\x01vorbis" in head:
        return "vorbis"
    if b"FLAC" in head:
        return "flac"
    return "unknown"


def sniff_or_none(data: bytes) -> AudioInfo | None:
    """The audio format of `data` from its signature, or None when nothing matches."""
    if len(data) < 4:
        return None
    if data[:4] in (b"RIFF", b"RF64") and data[8:12] == b"WAVE":
        try:
            wav = read_wav(data)
        except ValueError:
            wav = None
        if wav is None:
            return AudioInfo("wav", "audio/wav")
        return AudioInfo(
            "wav",
            "audio/wav",
            sample_rate=wav.sample_rate,
            channels=wav.channels,
            bits=wav.bits,
            duration=round(wav.duration, 4),
            codec=wav.codec,
            text=wav.info.get("ICMT") or None,
        )
    if data[:4] == b"fLaC":
        return AudioInfo("flac", "audio/flac")
    if data[:4] == b"OggS":
        codec = _ogg_codec(data)
        return AudioInfo("ogg", "audio/ogg", codec=codec)
    if data[:4] == b"\x1a\x45\xdf\xa3":
        doc = "webm" if b"webm" in data[:64] else "matroska"
        return AudioInfo(doc, "audio/webm" if doc == "webm" else "audio/x-matroska")
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand == b"qt  ":
            return AudioInfo("mov", "video/quicktime")
        return AudioInfo("mp4", "audio/mp4", codec="aac" if brand in _MP4_AUDIO_BRANDS else None)
    if data[:3] == b"ID3":
        return AudioInfo("mp3", "audio/mpeg")
    if data[:6] in (b"#!AMR\n",) or data[:9] == b"#!AMR-WB\n":
        return AudioInfo("amr", "audio/amr")
    if data[:4] == b"FORM" and data[8:12] in (b"AIFF", b"AIFC"):
        return AudioInfo("aiff", "audio/aiff")
    if data[:4] == b"caff":
        return AudioInfo("caf", "audio/x-caf")
    if _mpeg_frame(data, 0):
        layer = (data[1] >> 1) & 0x03
        if layer == 0x01:  # Layer III
            return AudioInfo("mp3", "audio/mpeg")
        return AudioInfo("mpeg", "audio/mpeg")
    if _adts(data):
        return AudioInfo("aac", "audio/aac")
    return None


def _describe(data: bytes) -> str:
    head = data[:16].lstrip()
    if head[:1] in (b"{", b"["):
        return "JSON text"
    if head[:1] == b"<":
        return "HTML or XML text"
    if data[:4] == b"\x89PNG" or data[:3] == b"\xff\xd8\xff" or data[:4] == b"%PDF":
        return "an image or a document"
    try:
        data[:200].decode("utf-8")
        printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in data[:200])
        if printable > 0.95 * min(len(data), 200):
            return "plain text"
    except UnicodeDecodeError:
        pass
    return "bytes with no known audio signature"


def sniff(data: bytes, *, what: str = "the audio") -> AudioInfo:
    """The audio format of `data`; raises InvalidParameterError (nothing sent) when it is not audio."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidParameterError(f"{what} must be bytes, a file path or a URL, not {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise InvalidParameterError(f"{what} is empty (0 bytes); pass a recording")
    if data[:4] in (b"RIFF", b"RF64") and data[8:12] == b"WAVE":
        try:
            read_wav(data)
        except ValueError as exc:
            raise InvalidParameterError(f"{what} is a damaged WAV file ({exc}); re-export it") from exc
    info = sniff_or_none(data)
    if info is None:
        raise InvalidParameterError(
            f"{what} is not a recognised audio file ({_describe(data)}, {len(data)} bytes). "
            "Pass WAV, MP3, FLAC, Ogg/Opus, WebM, MP4/M4A, AAC or AMR; for raw headerless PCM "
            "pass encoding='linear16' and sample_rate=..."
        )
    if info.format == "ogg" and info.codec == "unknown":
        raise InvalidParameterError(f"{what} is an Ogg file with no audio stream this toolkit recognises")
    return info
