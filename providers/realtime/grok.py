"""The xAI Grok Voice Agent dialect: `wss://api.x.ai/v1/realtime`, Bearer XAI_API_KEY.

OpenAI-Realtime GA event names with xAI's own flat session shape: `voice`, `instructions`,
`turn_detection`, `audio.input/output.format {type: "audio/pcm", rate}` (wire/media.md 3.1-3.2;
docs.x.ai/docs/guides/voice/agent; pipecat `services/xai/realtime/events.py`). PCM rates 8000-48000
(pipecat lists 8000, 16000, 22050, 24000, 32000, 44100, 48000); 24 kHz is the default. Voices
(case-insensitive): eve (default in the newer docs), ara, rex, sal, leo. The quirks a strict client
trips over -- `conversation.created` first, `ping`, missing `output_index`/`content_index`, no `part`
on `response.content_part.done`, `usage: {}` -- are handled by the shared session machine.
"""

from __future__ import annotations

from typing import Any

from .session import Dialect

__all__ = ["GROK", "grok_session"]


def grok_session(
    *,
    model: str,
    voice: str,
    instructions: str | None,
    modalities: tuple[str, ...],
    input_rate: int,
    output_rate: int,
) -> dict[str, Any]:
    """The `session` object of xAI's `session.update` (turn detection off: the client commits turns)."""
    session: dict[str, Any] = {
        "voice": voice,
        "turn_detection": None,
        "audio": {
            "input": {"format": {"type": "audio/pcm", "rate": input_rate}},
            "output": {"format": {"type": "audio/pcm", "rate": output_rate}},
        },
    }
    if instructions:
        session["instructions"] = instructions
    return session


GROK = Dialect(
    provider="xai",
    default_model="grok-voice-latest",
    models=("grok-voice-latest", "grok-voice-think-fast-1.0", "grok-voice-fast-1.0"),
    rates=(8000, 16000, 22050, 24000, 32000, 44100, 48000),
    build_session=grok_session,
    sources=(
        "docs.x.ai/docs/guides/voice/agent (wss://api.x.ai/v1/realtime, Bearer auth, session fields)",
        "pipecat src/pipecat/services/xai/realtime/events.py; litellm/llms/xai/realtime/transformation.py",
    ),
)
