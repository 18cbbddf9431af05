"""WAV containers and G.711 companding in plain Python: read, write, and the LIST/INFO metadata chunk.

Pure functions over bytes, no I/O and no third-party codecs, so the toolkit can wrap raw PCM for a
notebook player, measure a WAV's duration, and the sandbox can write real audio that carries its
text in a `LIST`/`INFO` chunk (RIFF's standard metadata: `INAM` title, `ICMT` comment, `ISFT`
software). Reference: Microsoft/IBM "Multimedia Programming Interface and Data Specifications 1.0"
(RIFF, WAVE `fmt `/`data`, `LIST`/`INFO`); G.711 mu-law/A-law per ITU-T G.711.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

__all__ = [
    "FORMAT_ALAW",
    "FORMAT_MULAW",
    "FORMAT_PCM",
    "WavInfo",
    "alaw_decode",
    "alaw_encode",
    "mulaw_decode",
    "mulaw_encode",
    "pcm16_duration",
    "read_wav",
    "write_wav",
]

FORMAT_PCM = 1
FORMAT_ALAW = 6
FORMAT_MULAW = 7
_EXTENSIBLE = 0xFFFE
_INFO_IDS = ("INAM", "ICMT", "ISFT", "ILNG", "IART", "ISBJ")


@dataclass(frozen=True)
class WavInfo:
    """What a WAV header says: format tag, channels, rate, bits, where the samples are, its INFO text."""

    format_tag: int
    channels: int
    sample_rate: int
    bits: int
    data_offset: int
    data_size: int
    info: dict[str, str] = field(default_factory=dict)

    @property
    def block_align(self) -> int:
        return max(1, self.channels * max(1, self.bits // 8))

    @property
    def duration(self) -> float:
        """Seconds of audio the header promises (from the data chunk size)."""
        return self.data_size / (self.block_align * self.sample_rate) if self.sample_rate else 0.0

    @property
    def codec(self) -> str:
        """'pcm', 'alaw', 'mulaw' or 'other'."""
        return {FORMAT_PCM: "pcm", FORMAT_ALAW: "alaw", FORMAT_MULAW: "mulaw"}.get(self.format_tag, "other")


def _info_chunk(info: dict[str, str]) -> bytes:
    body = b"INFO"
    for key, value in info.items():
        if len(key) != 4 or not key.isascii():
            raise ValueError(f"INFO ids are four ASCII characters, got {key!r}")
        data = value.encode("utf-8") + b"\x00"
        if len(data) % 2:
            data += b"\x00"  # chunks are word-aligned
        body += key.encode("ascii") + struct.pack("<I", len(data)) + data
    return b"LIST" + struct.pack("<I", len(body)) + body


def write_wav(
    samples: bytes,
    *,
    sample_rate: int,
    channels: int = 1,
    bits: int = 16,
    format_tag: int = FORMAT_PCM,
    info: dict[str, str] | None = None,
) -> bytes:
    """A complete WAV file around raw samples; `info` becomes a LIST/INFO chunk placed before the data.

    The metadata goes before `data` so a reader of a stream sees it with the first bytes.
    """
    block_align = channels * (bits // 8)
    fmt = struct.pack(
        "<HHIIHH", format_tag, channels, sample_rate, sample_rate * block_align, block_align, bits
    )
    if format_tag != FORMAT_PCM:
        fmt += struct.pack("<H", 0)  # cbSize: non-PCM formats carry the extension size
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    if info:
        chunks += _info_chunk(info)
    pad = b"\x00" if len(samples) % 2 else b""
    chunks += b"data" + struct.pack("<I", len(samples)) + samples + pad
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def _parse_info(body: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    if body[:4] != b"INFO":
        return out
    pos = 4
    while pos + 8 <= len(body):
        key = body[pos : pos + 4].decode("latin-1")
        (size,) = struct.unpack("<I", body[pos + 4 : pos + 8])
        value = body[pos + 8 : pos + 8 + size].split(b"\x00", 1)[0]
        out[key] = value.decode("utf-8", "replace")
        pos += 8 + size + (size % 2)
    return out


def read_wav(data: bytes) -> WavInfo | None:
    """Parse a WAV header (tolerating a truncated file, as a stream prefix is); None if it is not WAV.

    Raises ValueError for a RIFF/WAVE file whose `fmt ` chunk is missing or broken.
    """
    if len(data) < 12 or data[:4] not in (b"RIFF", b"RF64") or data[8:12] != b"WAVE":
        return None
    pos = 12
    fmt: tuple[int, int, int, int] | None = None
    info: dict[str, str] = {}
    while pos + 8 <= len(data):
        cid = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        body_start = pos + 8
        if cid == b"fmt ":
            if size < 16 or body_start + 16 > len(data):
                raise ValueError("the WAV 'fmt ' chunk is truncated")
            tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", data[body_start : body_start + 16])
            if tag == _EXTENSIBLE and size >= 40 and body_start + 26 <= len(data):
                (tag,) = struct.unpack("<H", data[body_start + 24 : body_start + 26])  # SubFormat GUID head
            fmt = (tag, channels, rate, bits)
        elif cid == b"LIST":
            info.update(_parse_info(data[body_start : body_start + size]))
        elif cid == b"data":
            if fmt is None:
                raise ValueError("the WAV file has samples before its 'fmt ' chunk")
            tag, channels, rate, bits = fmt
            if channels < 1 or rate < 1 or bits < 1:
                raise ValueError("the WAV 'fmt ' chunk has zero channels, rate or sample size")
            available = max(0, len(data) - body_start)
            # 0 / 0xFFFFFFFF sizes come from writers that stream WAV of unknown length
            declared = size if size not in (0, 0xFFFFFFFF) else available
            return WavInfo(tag, channels, rate, bits, body_start, declared, info)
        pos = body_start + size + (size % 2)
    if fmt is None:
        raise ValueError("the WAV file has no 'fmt ' chunk")
    tag, channels, rate, bits = fmt
    return WavInfo(tag, channels, rate, bits, len(data), 0, info)


def pcm16_duration(num_bytes: int, sample_rate: int, channels: int = 1) -> float:
    """Seconds of raw 16-bit PCM."""
    return num_bytes / (2 * channels * sample_rate) if sample_rate else 0.0


_MULAW_BIAS = 0x84
_SEG_ENDS = (0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF, 0x3FFF, 0x7FFF)


def _segment(value: int, ends: tuple[int, ...]) -> int:
    for i, end in enumerate(ends):
        if value <= end:
            return i
    return len(ends)


def _mulaw_byte(sample: int) -> int:
    # the reference algorithm (Sun Microsystems' g711.c, as CPython's audioop): 14-bit magnitude
    value = sample >> 2
    mask = 0xFF
    if value < 0:
        value, mask = -value, 0x7F
    value = min(value, 8159) + (_MULAW_BIAS >> 2)
    seg = _segment(value, tuple(e >> 2 for e in _SEG_ENDS))
    if seg >= 8:
        return 0x7F ^ mask
    return ((seg << 4) | ((value >> (seg + 1)) & 0x0F)) ^ mask


def _alaw_byte(sample: int) -> int:
    value = sample >> 3
    mask = 0xD5
    if value < 0:
        value, mask = -value - 1, 0x55
    seg = _segment(value, tuple(e >> 3 for e in _SEG_ENDS))
    if seg >= 8:
        return 0x7F ^ mask
    aval = seg << 4
    aval |= ((value >> 1) if seg < 2 else (value >> seg)) & 0x0F
    return aval ^ mask


def mulaw_encode(pcm16: bytes) -> bytes:
    """G.711 mu-law bytes from little-endian signed 16-bit samples."""
    count = len(pcm16) // 2
    return bytes(_mulaw_byte(s) for s in struct.unpack(f"<{count}h", pcm16[: count * 2]))


def alaw_encode(pcm16: bytes) -> bytes:
    """G.711 A-law bytes from little-endian signed 16-bit samples."""
    count = len(pcm16) // 2
    return bytes(_alaw_byte(s) for s in struct.unpack(f"<{count}h", pcm16[: count * 2]))


def _mulaw_sample(byte: int) -> int:
    u = ~byte & 0xFF
    exponent = (u >> 4) & 0x07
    sample = ((((u & 0x0F) << 3) + _MULAW_BIAS) << exponent) - _MULAW_BIAS
    return -sample if u & 0x80 else sample


def _alaw_sample(byte: int) -> int:
    a = byte ^ 0x55
    exponent = (a >> 4) & 0x07
    mantissa = a & 0x0F
    sample = (mantissa << 4) + 8 if exponent == 0 else ((mantissa << 4) + 0x108) << (exponent - 1)
    return sample if a & 0x80 else -sample


def mulaw_decode(data: bytes) -> bytes:
    """Little-endian signed 16-bit samples from G.711 mu-law bytes."""
    return struct.pack(f"<{len(data)}h", *(_mulaw_sample(b) for b in data))


def alaw_decode(data: bytes) -> bytes:
    """Little-endian signed 16-bit samples from G.711 A-law bytes."""
    return struct.pack(f"<{len(data)}h", *(_alaw_sample(b) for b in data))
