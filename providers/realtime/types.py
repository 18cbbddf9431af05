"""What a realtime voice session hands back: normalised events, and the conversation turn by turn."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["RealtimeEvent", "RealtimeTurn"]


class RealtimeTurn(BaseModel):
    """One turn of a realtime conversation: what was said (text or transcript) and, for audio, the PCM16."""

    model_config = ConfigDict(extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")
    role: Literal["user", "assistant"]
    text: str = ""
    audio: bytes = Field(b"", repr=False, description="Mono PCM16 little-endian samples.")
    sample_rate: int = 24000
    modality: Literal["text", "audio"] = "text"
    response_id: str | None = None
    status: str = "completed"
    usage: dict[str, Any] | None = None
    ttfb_s: float | None = Field(
        None, description="Seconds from response.create to the first audio or text delta."
    )
    latency_s: float | None = Field(None, description="Seconds from response.create to response.done.")

    @property
    def duration(self) -> float:
        """Seconds of audio in this turn."""
        return len(self.audio) / (2 * self.sample_rate) if self.sample_rate else 0.0

    def wav(self) -> bytes:
        """The turn's audio as a WAV file (for a player or a file)."""
        from ..audio.wav import write_wav

        return write_wav(self.audio, sample_rate=self.sample_rate)

    def __repr__(self) -> str:
        audio = f", {self.duration:.2f} s audio" if self.audio else ""
        return f"RealtimeTurn({self.role}: {self.text!r}{audio})"


class RealtimeEvent(BaseModel):
    """A server event, normalised across dialects.

    kinds: `session` (session created/updated), `user_transcript` (what the server heard in committed
    audio), `transcript` / `text` (assistant deltas), `audio` (PCM16 delta), `done` (a response
    finished: `turn` holds it), `error` (the server refused something; the session goes on).
    """

    model_config = ConfigDict(extra="forbid")
    kind: Literal["session", "user_transcript", "transcript", "text", "audio", "done", "error"]
    text: str = ""
    audio: bytes = Field(b"", repr=False)
    turn: RealtimeTurn | None = None
    code: str | None = None
    raw_type: str = ""
