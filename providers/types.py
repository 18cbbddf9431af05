"""Pydantic models shared by every provider: messages, parts, requests, results, stream events.

A conversation is a list of `Message`s; each message holds parts. A `ThinkingPart` keeps the
signature (or encrypted payload) of the provider that made it, so a later turn can send it back
intact -- and only to that provider.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .thinking import ThinkingConfig

__all__ = [
    "ChatRequest",
    "ChatResult",
    "Done",
    "HttpCall",
    "ImagePart",
    "Message",
    "Part",
    "Retry",
    "StreamEvent",
    "TextDelta",
    "TextPart",
    "ThinkingDelta",
    "ThinkingPart",
    "Usage",
    "Visibility",
]

Role = Literal["system", "user", "assistant"]

Visibility = Literal["full", "summary", "omitted", "encrypted", "none"]
"""What a provider let us see of its reasoning: the full text, a summary, nothing but a
signature (omitted), only an encrypted blob, or nothing at all (a token count at most)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class TextPart(_Model):
    kind: Literal["text"] = "text"
    text: str


class ImagePart(_Model):
    kind: Literal["image"] = "image"
    url: str | None = Field(None, description="An https: or data: URL of the image.")
    data: str | None = Field(None, description="Base64 image bytes (with media_type).")
    media_type: str | None = Field(None, description="e.g. image/png; required with data.")


class ThinkingPart(_Model):
    kind: Literal["thinking"] = "thinking"
    text: str = Field("", description="The reasoning text or summary the provider showed ('' if hidden).")
    signature: str | None = Field(None, description="Provider signature that lets the block be sent back.")
    encrypted: str | None = Field(
        None,
        description="Opaque reasoning the provider returned encrypted (redacted_thinking, encrypted_content).",
    )
    id: str | None = Field(None, description="Provider item id (OpenAI reasoning item id).")
    provider: str = Field(
        ..., description="The provider that produced this part; it is only sent back there."
    )
    redacted: bool = Field(False, description="True for blocks whose text the provider withheld.")
    truncated: bool = Field(
        False, description="True when the stream ended inside this block; no signature kept."
    )


Part = Annotated[TextPart | ImagePart | ThinkingPart, Field(discriminator="kind")]


class Message(_Model):
    role: Role
    parts: list[Part]

    @classmethod
    def user(cls, text: str) -> Message:
        return cls(role="user", parts=[TextPart(text=text)])

    @classmethod
    def assistant(cls, text: str) -> Message:
        return cls(role="assistant", parts=[TextPart(text=text)])

    @classmethod
    def system(cls, text: str) -> Message:
        return cls(role="system", parts=[TextPart(text=text)])

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))


class ChatRequest(_Model):
    """One chat call, provider-neutral, already validated against the catalog."""

    provider: str
    model: str = Field(..., description="The provider's own model id (without the 'provider/' prefix).")
    messages: list[Message]
    system: str | None = None
    thinking: ThinkingConfig | None = None
    max_tokens: int | None = None
    stream: bool = False
    options: dict[str, Any] = Field(
        default_factory=dict, description="Extra provider body fields, sent as given."
    )


class HttpCall(_Model):
    """What a codec asks the transport to send. Pure data: the codec does no I/O."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    method: Literal["GET", "POST", "DELETE"] = "POST"
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    json_body: dict[str, Any] | None = None
    content: bytes | None = Field(None, description="A raw body (audio, multipart) instead of JSON.")
    params: dict[str, str] = Field(default_factory=dict)
    stream: bool = False
    sent: dict[str, Any] = Field(
        default_factory=dict, description="The provider-specific parameters, for display ('what was sent')."
    )

    def __repr__(self) -> str:  # headers carry credentials: never show them
        return f"HttpCall({self.method} {self.url})"

    __str__ = __repr__


class Usage(_Model):
    model_config = ConfigDict(extra="forbid")
    input_tokens: int | None = None
    output_tokens: int | None = Field(None, description="All output tokens billed, reasoning included.")
    reasoning_tokens: int | None = Field(None, description="Of output_tokens, those spent reasoning.")
    cached_tokens: int | None = None
    total_tokens: int | None = None


class Retry(_Model):
    attempt: int
    reason: str
    wait_s: float


class ChatResult(_Model):
    model_config = ConfigDict(extra="forbid")
    provider: str
    model: str
    parts: list[Part] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    finish_reason: str | None = Field(
        None, description="Normalized: stop, length, tool_calls, refusal, content_filter."
    )
    raw_finish_reason: str | None = None
    visibility: Visibility = "none"
    endpoint: str = ""
    latency_s: float | None = None
    sent: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(
        default_factory=list, description="Honest remarks: mappings, unknown models, ..."
    )
    raw: dict[str, Any] | None = None
    request_id: str | None = None
    response_id: str | None = None
    sandbox: bool = False
    incomplete: bool = Field(False, description="True when a stream was cut short; parts keep what arrived.")
    retries: list[Retry] = Field(default_factory=list)
    cost_usd: float | None = None

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))

    @property
    def reasoning(self) -> str:
        return "\n\n".join(p.text for p in self.parts if isinstance(p, ThinkingPart) and p.text)

    @property
    def thinking_parts(self) -> list[ThinkingPart]:
        return [p for p in self.parts if isinstance(p, ThinkingPart)]

    def to_message(self) -> Message:
        """The assistant turn to append to a conversation (thinking parts kept, signatures intact)."""
        return Message(role="assistant", parts=list(self.parts))


class TextDelta(_Model):
    kind: Literal["text"] = "text"
    text: str


class ThinkingDelta(_Model):
    kind: Literal["thinking"] = "thinking"
    text: str


class Done(_Model):
    kind: Literal["done"] = "done"
    result: ChatResult


StreamEvent = Annotated[TextDelta | ThinkingDelta | Done, Field(discriminator="kind")]
