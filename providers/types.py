"""Pydantic models shared by every provider: messages, parts, requests, results, stream events.

A conversation is a list of `Message`s; each message holds parts. A `ThinkingPart` keeps the
signature (or encrypted payload) of the provider that made it, so a later turn can send it back
intact -- and only to that provider.

Tools: the model's calls are `ToolCallPart`s in an assistant turn; the results travel back as
`ToolResultPart`s in a `role="user"` message (Anthropic's shape), and each codec translates them
(Chat: `role:"tool"` messages; Responses: `function_call_output` items; Gemini: `functionResponse`).
Parts keep the provider's item ids (`TextPart.id`, `ToolCallPart.item_id`) so a turn can be sent back
the way it came, in order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .errors import InvalidParameterError
from .fields import count
from .thinking import ThinkingConfig

__all__ = [
    "ChatRequest",
    "ChatResult",
    "Done",
    "HttpCall",
    "ImagePart",
    "Message",
    "OutputSpec",
    "Part",
    "Retry",
    "StepDone",
    "StreamEvent",
    "TextDelta",
    "TextPart",
    "ThinkingDelta",
    "ThinkingPart",
    "ToolCall",
    "ToolCallDelta",
    "ToolCallPart",
    "ToolChoice",
    "ToolResultEvent",
    "ToolResultPart",
    "ToolSpec",
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
    id: str | None = Field(
        None, description="The provider's item id for this text (Responses/xAI message item 'msg_...')."
    )
    provider: str | None = Field(
        None, description="Who wrote it, when it carries an id (ids go back only there)."
    )
    phase: str | None = Field(
        None, description="Responses message phase ('commentary', 'final_answer'), sent back as received."
    )
    refusal: bool = Field(False, description="True when this is the model's refusal rather than an answer.")


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


class ToolCallPart(_Model):
    """A call the model asked for. `id` is what the provider wants echoed with the result."""

    kind: Literal["tool_call"] = "tool_call"
    id: str = Field(
        ...,
        description="The call id to echo: Responses call_id, Chat tool_calls[].id, Anthropic toolu_..., "
        "Gemini functionCall.id (or one we made up).",
    )
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict, description="The arguments, parsed.")
    raw_arguments: str | None = Field(
        None,
        description="The argument JSON text exactly as received (when the provider sent a string); "
        "sent back verbatim to the same provider only.",
    )
    item_id: str | None = Field(None, description="The provider's item id (Responses 'fc_...').")
    signature: str | None = Field(None, description="Gemini thoughtSignature carried on this call's part.")
    provider: str = Field(..., description="The provider that made the call.")
    invalid_json: bool = Field(
        False, description="True when the arguments text was not a JSON object (raw_arguments keeps it)."
    )


class ToolResultPart(_Model):
    """What a tool returned (or the error it raised), for the call `call_id`. Sent in a user message."""

    kind: Literal["tool_result"] = "tool_result"
    call_id: str
    name: str
    content: str = Field(..., description="JSON text or plain text.")
    is_error: bool = False


Part = Annotated[
    TextPart | ImagePart | ThinkingPart | ToolCallPart | ToolResultPart, Field(discriminator="kind")
]


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

    @classmethod
    def tool_results(cls, *results: ToolResultPart) -> Message:
        """The user turn that carries tool results back to the model."""
        return cls(role="user", parts=list(results))


ToolChoice = str
"""'auto', 'none', 'required', or the name of one tool the model must call."""


class ToolSpec(_Model):
    """A tool as the model sees it: name, description and a JSON Schema for its arguments."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object", "properties": {}},
        description="JSON Schema of the arguments object.",
    )
    strict: bool | None = Field(None, description="Ask the provider to enforce the schema (where it can).")


class OutputSpec(_Model):
    """Structured output: the answer must be JSON matching `schema`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: str = "output"
    json_schema: dict[str, Any] = Field(..., alias="schema", description="JSON Schema of the answer.")
    strict: bool = True
    description: str | None = None


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
    tools: list[ToolSpec] = Field(default_factory=list)
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    output: OutputSpec | None = None


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

    @field_validator("*", mode="before")
    @classmethod
    def _count(cls, value: Any) -> Any:
        """A count sent in a shape no count has (a list, text, a negative or fractional number) is
        unknown: a provider's garbled usage must not cost the answer it came with."""
        return count(value)


class Retry(_Model):
    attempt: int
    reason: str
    wait_s: float


class ToolCall(_Model):
    """One call the model made and what came of it (the loop fills `result`; unrun calls have none)."""

    part: ToolCallPart
    result: ToolResultPart | None = None
    step: int = 0
    duration_s: float | None = None

    @property
    def id(self) -> str:
        return self.part.id

    @property
    def name(self) -> str:
        return self.part.name

    @property
    def arguments(self) -> dict[str, Any]:
        return self.part.arguments

    @property
    def ok(self) -> bool:
        return self.result is not None and not self.result.is_error

    @property
    def output(self) -> str | None:
        """What the tool returned (its JSON or text), or None if it failed or did not run."""
        return self.result.content if self.result is not None and not self.result.is_error else None

    @property
    def error(self) -> str | None:
        """The error sent back to the model for this call, if any."""
        return self.result.content if self.result is not None and self.result.is_error else None


def _result_text(value: Any) -> tuple[str, bool]:
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {value}", True
    if isinstance(value, str):
        return value, False
    if isinstance(value, BaseModel):
        return value.model_dump_json(), False
    return json.dumps(value, default=str, ensure_ascii=False), False


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
    steps: list[ChatResult] = Field(
        default_factory=list, description="A tool loop's turns, in order (each with its own parts and usage)."
    )
    calls: list[ToolCall] = Field(
        default_factory=list, description="A tool loop's calls with their results (see tool_calls)."
    )
    conversation: list[Message] = Field(
        default_factory=list,
        description="A tool loop's turns after the prompt: each assistant turn and the tool results sent back.",
    )
    stopped: str | None = Field(
        None, description="Why a tool loop stopped before an answer: 'max_steps' or 'cancelled'."
    )

    @field_validator("response_id", "raw_finish_reason", "finish_reason", mode="before")
    @classmethod
    def _label(cls, value: Any) -> Any:
        """An id or finish reason that is not text (a provider's garbled metadata) is unknown, not fatal."""
        return value if value is None or isinstance(value, str) else None

    output: Any = Field(None, description="The validated structured output (output=...), if asked for.")
    cached: bool = Field(False, description="True when the reply came from the response cache (cost $0).")

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))

    @property
    def reasoning(self) -> str:
        return "\n\n".join(p.text for p in self.parts if isinstance(p, ThinkingPart) and p.text)

    @property
    def thinking_parts(self) -> list[ThinkingPart]:
        return [p for p in self.parts if isinstance(p, ThinkingPart)]

    @property
    def tool_calls(self) -> list[ToolCall]:
        """Every call made: in a tool loop each with its result or error; otherwise this turn's calls, unrun."""
        if self.calls:
            return list(self.calls)
        return [ToolCall(part=p) for p in self.parts if isinstance(p, ToolCallPart)]

    def to_message(self) -> Message:
        """The assistant turn to append to a conversation (thinking parts kept, signatures intact)."""
        return Message(role="assistant", parts=list(self.parts))

    def to_messages(self) -> list[Message]:
        """The turns this result adds to a conversation: a tool loop's every step and result, else one turn."""
        if self.conversation:
            return list(self.conversation)
        return [self.to_message()]

    def tool_results(self, results: Mapping[str, Any]) -> Message:
        """The user turn answering this turn's calls: `results` maps a call id (or a tool name) to its value.

        A value that is not a string is sent as JSON; an exception is sent as an error result. Every call
        must get a result (providers refuse a call left unanswered).
        """
        parts: list[ToolResultPart] = []
        calls = [p for p in self.parts if isinstance(p, ToolCallPart)]
        names = [c.name for c in calls]
        for key in results:  # (a result that answers no call would be dropped without a word)
            if key not in {c.id for c in calls} and key not in names:
                made = ", ".join(f"{c.id} ({c.name})" for c in calls) or "none"
                raise InvalidParameterError(
                    f"no call of this turn is {key!r}; its calls: {made}: key each result by a call's id "
                    "or its tool's name"
                )
        for call in calls:
            if call.id in results:
                value = results[call.id]
            elif call.name in results:
                if names.count(call.name) > 1:
                    raise InvalidParameterError(
                        f"this turn called {call.name} {names.count(call.name)} times: give each call its own "
                        f"result by its id ({', '.join(c.id for c in calls if c.name == call.name)})"
                    )
                value = results[call.name]
            else:
                raise InvalidParameterError(
                    f"no result for call {call.id} ({call.name}): every call needs one; "
                    "give it by the call's id or the tool's name"
                )
            content, is_error = _result_text(value)
            parts.append(ToolResultPart(call_id=call.id, name=call.name, content=content, is_error=is_error))
        if not parts:
            raise InvalidParameterError("this result made no tool calls; there is nothing to answer")
        return Message.tool_results(*parts)


class TextDelta(_Model):
    kind: Literal["text"] = "text"
    text: str


class ThinkingDelta(_Model):
    kind: Literal["thinking"] = "thinking"
    text: str


class ToolCallDelta(_Model):
    """A piece of a tool call as it streams: `id`/`name` when the call starts, then argument fragments."""

    kind: Literal["tool_call"] = "tool_call"
    index: int = Field(..., description="Which call of this turn (0, 1, ... in the order they started).")
    id: str | None = None
    name: str | None = None
    arguments_delta: str = ""


class ToolResultEvent(_Model):
    """The tool loop ran a call: its result (or error) is about to go back to the model."""

    kind: Literal["tool_result"] = "tool_result"
    call: ToolCall


class StepDone(_Model):
    """The tool loop finished one turn of the model (its calls are run next)."""

    kind: Literal["step"] = "step"
    result: ChatResult


class Done(_Model):
    kind: Literal["done"] = "done"
    result: ChatResult


StreamEvent = Annotated[
    TextDelta | ThinkingDelta | ToolCallDelta | ToolResultEvent | StepDone | Done,
    Field(discriminator="kind"),
]
