"""A kit's defaults: what `kit.ask`, the pickers, the chat panel and the %%llm magic use.

Plain values, readable and settable from code (`kit.defaults.model = "..."`); the widgets only ever
set these same fields, so nothing a widget does is unavailable from code.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["KitDefaults"]


class KitDefaults(BaseModel):
    """Defaults for calls that don't name them. Field descriptions double as widget tooltips."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    model: str = Field("anthropic/claude-sonnet-5-5", description="The model, as 'provider/model'.")
    thinking: str | int | bool | None = Field(
        None,
        description="Reasoning effort ('low'...'max'), a token budget, True/False, or None for the model's default.",
    )
    region: str | None = Field(
        None, description="Where the provider serves the call (only providers with regions)."
    )
    latency: str | None = Field(None, description="Speech latency tier (text-to-speech models only).")
    voice: str | None = Field(None, description="Voice for text-to-speech.")
    speech_model: str = Field(
        "elevenlabs/eleven_flash_v2_5",
        description="The text-to-speech model kit.speak uses when none is named.",
    )
    stream: bool = Field(True, description="Stream answers live in the notebook.")
    max_tokens: int | None = Field(
        None, description="Cap on output tokens (reasoning included); None for the default."
    )
    system: str | None = Field(None, description="A system prompt for every call.")
