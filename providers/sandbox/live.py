"""Deepgram live transcription in the sandbox: `wss://api.deepgram.com/v1/listen`.

The client streams binary audio frames and the JSON control messages `KeepAlive`, `Finalize` and
`CloseStream` (deepgram-sdk 7.17.0 `listen/v1/socket_client.py`). As audio arrives the sandbox works
out how many seconds it has heard and answers like Deepgram does: interim `Results`
(`is_final: false`, when `interim_results=true`) for the words of the current sentence heard so far,
a final `Results` (`is_final: true`, `speech_final: true`) once a sentence ends, a final with
`from_finalize: true` on `Finalize`, and on `CloseStream` the last final plus a `Metadata` message
before a normal close (1000). The words come from the audio itself (sandbox speech; see audio.py).
"""

from __future__ import annotations

from ..audio.sniff import sniff_or_none
from ..audio.wav import read_wav
from .audio import read_watermark, timings
from .deepgram import live_results, metadata_message
from .ws import SandboxSocket, loads

__all__ = ["listen_live"]


class _Stream:
    """What the sandbox knows about the audio so far: its text, bytes per second, where samples start."""

    def __init__(self, encoding: str | None, sample_rate: int | None) -> None:
        self.audio = bytearray()
        self.encoding = encoding
        self.rate = sample_rate
        self.text: str | None = None
        self.data_offset = 0
        self.bytes_per_s: float | None = None
        if encoding:
            width = 2 if encoding == "linear16" else 4 if encoding == "linear32" else 1
            self.bytes_per_s = float(width * (sample_rate or 16000))

    def add(self, chunk: bytes) -> None:
        self.audio += chunk
        if self.bytes_per_s is None:
            info = sniff_or_none(bytes(self.audio[:4096]))
            if info is not None and info.format == "wav":
                try:
                    wav = read_wav(bytes(self.audio))
                except ValueError:
                    wav = None
                if wav is not None and wav.data_offset <= len(self.audio):
                    self.bytes_per_s = float(wav.block_align * wav.sample_rate)
                    self.data_offset = wav.data_offset
                    self.text = wav.info.get("ICMT")
        if self.text is None and self.bytes_per_s is not None and (self.encoding in (None, "linear16")):
            self.text = read_watermark(bytes(self.audio[self.data_offset :]))

    @property
    def heard(self) -> float:
        """Seconds of audio received."""
        if not self.bytes_per_s:
            return 0.0
        return max(0.0, (len(self.audio) - self.data_offset) / self.bytes_per_s)


async def listen_live(sock: SandboxSocket) -> None:
    """Serve one live transcription session."""
    query = sock.query
    interim = query.get("interim_results", "false").lower() == "true"
    encoding = query.get("encoding")
    rate = int(query["sample_rate"]) if query.get("sample_rate", "").isdigit() else None
    stream = _Stream(encoding, rate)
    sent = 0  # words already settled in a final result
    shown = 0  # words shown in the last interim result
    sock.drop_after = 2  # with a drop fault: two results arrive, then the connection is lost
    while True:
        message = await sock.receive()
        if message is None:
            return
        if isinstance(message, bytes):
            stream.add(message)
            while True:
                result, after = live_results(
                    stream.text,
                    stream.heard,
                    start_from=sent,
                    query=query,
                    request_id=sock.request_id,
                    final=False,
                )
                if result is None:
                    break
                if result["is_final"]:
                    await sock.send_json(result)
                    sent, shown = after, 0
                    continue
                words = len(result["channel"]["alternatives"][0]["words"])
                if interim and words > shown:
                    await sock.send_json(result)
                    shown = words
                break
            continue
        control = loads(message)
        kind = control.get("type") if isinstance(control, dict) else None
        if kind == "KeepAlive":
            continue
        if kind in ("Finalize", "CloseStream"):
            spoken, _ = timings(stream.text or "")
            if sent < len(spoken) or kind == "Finalize":
                result, sent = live_results(
                    stream.text,
                    stream.heard,
                    start_from=sent,
                    query=query,
                    request_id=sock.request_id,
                    final=True,
                    from_finalize=kind == "Finalize",
                )
                if result is not None:
                    await sock.send_json(result)
                shown = 0
            if kind == "CloseStream":
                await sock.send_json(metadata_message(sock.request_id, stream.heard, bytes(stream.audio)))
                await sock.close(1000)
                return
            continue
        await sock.send_json(
            {
                "type": "Error",
                "description": f"Unrecognised control message: {str(message)[:80]}",
                "message": "",
                "variant": "unknown_message",
            }
        )
