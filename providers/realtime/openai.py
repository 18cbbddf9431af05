"""The OpenAI Realtime (GA) dialect: `wss://api.openai.com/v1/realtime?model=...`, Bearer OPENAI_API_KEY.

From openai-python 3.57.0 (`resources/realtime/realtime.py`: the base URL with scheme wss plus
`/realtime`, `model` in the query, no `OpenAI-Beta` header; `types/realtime/*`): the session is
`{type: "realtime", instructions, output_modalities, audio: {input: {format, turn_detection},
output: {format, voice}}}`; `audio/pcm` is 24 kHz only; voices alloy, ash, ballad, coral, echo,
sage, shimmer, verse, marin, cedar (marin and cedar recommended).
"""

from __future__ import annotations

from typing import Any

from .session import Dialect

__all__ = ["OPENAI_REALTIME", "openai_session"]


def openai_session(
    *,
    model: str,
    voice: str,
    instructions: str | None,
    modalities: tuple[str, ...],
    input_rate: int,
    output_rate: int,
) -> dict[str, Any]:
    """The `session` object of OpenAI's GA `session.update` (turn detection off)."""
    session: dict[str, Any] = {
        "type": "realtime",
        "output_modalities": list(modalities),
        "audio": {
            "input": {"format": {"type": "audio/pcm", "rate": input_rate}, "turn_detection": None},
            "output": {"format": {"type": "audio/pcm", "rate": output_rate}, "voice": voice},
        },
    }
    if instructions:
        session["instructions"] = instructions
    return session


OPENAI_REALTIME = Dialect(
    provider="openai",
    default_model="gpt-realtime",
    models=("gpt-realtime", "gpt-realtime-mini", "gpt-realtime-2025-08-28"),
    rates=(24000,),
    build_session=openai_session,
    sources=("openai-python 3.57.0 resources/realtime/realtime.py, types/realtime/*",),
)
