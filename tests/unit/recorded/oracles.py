"""What the providers' official SDKs make of each recording: the independent side of every comparison.

Each oracle parses a recorded body with the provider's own SDK (its response models, and for streams its
own stream accumulator fed through an httpx2.MockTransport) and reduces it to a `View`: the answer text,
the reasoning pieces, signatures, opaque reasoning blobs and item ids, in order. Our codec's result is
reduced to the same `View` by `ours()`, and the two must be equal.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import httpx2

from providers.types import ChatResult, TextPart, ThinkingPart, ToolCallPart

from .corpus import Recording

MESSAGES = [{"role": "user", "content": "hi"}]


@dataclass
class View:
    """A result reduced to what must survive parsing, provider-neutral and in order."""

    text: str
    thinking: list[str] = field(default_factory=list)
    """The reasoning texts shown, one per block / summary part / chunk."""
    signatures: list[bytes | str] = field(default_factory=list)
    """Signatures that let reasoning go back (Gemini's decoded to bytes: the SDK decodes them)."""
    opaque: list[str] = field(default_factory=list)
    """Reasoning returned only as an opaque blob: redacted_thinking data, encrypted_content."""
    ids: list[str] = field(default_factory=list)
    """Provider item ids of the parts that carry one (Responses rs_/msg_), in order."""
    response_id: str | None = None
    model: str | None = None
    calls: list[tuple[str | None, str, Any]] = field(default_factory=list)
    """Tool calls in order: the provider's id (None when it sent none), the name, the arguments."""


def _http(rec: Recording) -> httpx2.Client:
    """An httpx2 client for an SDK that answers every request with the recorded body (as the SDK would
    receive it from the API: the SDK's own lenient response construction, not strict validation)."""
    if rec.streamed:
        body, content_type = rec.wire(), "text/event-stream"
    else:
        body, content_type = rec.path.read_bytes(), "application/json"
    return httpx2.Client(
        transport=httpx2.MockTransport(
            lambda request: httpx2.Response(200, headers={"content-type": content_type}, content=body)
        )
    )


# --- OpenAI Responses (and xAI, which speaks it) ----------------------------------------------------


def _responses_object(rec: Recording) -> Any:
    import openai

    client = openai.OpenAI(api_key="k", base_url="https://api.invalid/v1", http_client=_http(rec))
    if not rec.streamed:
        return client.responses.create(model="m", input="hi")
    final = None
    for event in client.responses.create(model="m", input="hi", stream=True):
        if event.type in ("response.completed", "response.incomplete"):
            final = event.response
    assert final is not None, "the SDK saw no final event"
    return final


def responses(rec: Recording) -> View:
    response = _responses_object(rec)
    view = View(text="", response_id=response.id, model=response.model)
    for item in response.output:
        if item.type == "reasoning":
            summaries = [s.text for s in item.summary or []] or [""]
            view.thinking += [t for t in summaries if t]
            view.ids += [item.id] * len(summaries)
            if item.encrypted_content:
                view.opaque.append(item.encrypted_content)
        elif item.type == "message":
            for content in item.content:
                if content.type == "output_text":
                    view.text += content.text
                    view.ids.append(item.id)
    return view


# --- Chat Completions (OpenAI, DeepSeek) -------------------------------------------------------------


def chat(rec: Recording) -> View:
    import openai

    client = openai.OpenAI(api_key="k", base_url="https://api.invalid/v1", http_client=_http(rec))
    if rec.streamed:
        with client.chat.completions.stream(model="m", messages=MESSAGES) as stream:  # type: ignore[arg-type]
            # the accumulated snapshot (get_final_completion refuses a reply cut by the length limit)
            completion = stream.until_done().current_completion_snapshot
    else:
        completion = client.chat.completions.create(model="m", messages=MESSAGES)  # type: ignore[arg-type]
    message = completion.choices[0].message
    reasoning = (message.model_extra or {}).get("reasoning_content")
    return View(
        text=message.content or "",
        thinking=[reasoning] if reasoning else [],
        response_id=completion.id,
        model=completion.model,
    )


# --- Anthropic Messages -------------------------------------------------------------------------------


def anthropic(rec: Recording) -> View:
    import anthropic as sdk

    client = sdk.Anthropic(api_key="k", http_client=_http(rec))
    if rec.streamed:
        with client.messages.stream(model="m", max_tokens=1024, messages=MESSAGES) as stream:  # type: ignore[arg-type]
            message = stream.get_final_message()
    else:
        message = client.messages.create(model="m", max_tokens=1024, messages=MESSAGES)  # type: ignore[arg-type]
    view = View(text="", response_id=message.id, model=message.model)
    for block in message.content:
        if block.type == "text":
            view.text += block.text
        elif block.type == "thinking":
            view.thinking.append(block.thinking)
            view.signatures.append(block.signature)
        elif block.type == "redacted_thinking":
            view.opaque.append(block.data)
        elif block.type == "tool_use":
            view.calls.append((block.id, block.name, block.input))
    return view


# --- Gemini / Vertex AI generateContent ----------------------------------------------------------------


def gemini(rec: Recording) -> View:
    from google.genai import types

    chunks = rec.chunks() if rec.streamed else [rec.payload()]
    view = View(text="")
    for chunk in chunks:
        # as google-genai reads a reply: fields it does not know yet are dropped first
        response = types.GenerateContentResponse._from_response(response=chunk, kwargs={})
        view.response_id = response.response_id or view.response_id
        view.model = response.model_version or view.model
        for candidate in (response.candidates or [])[:1]:
            for part in (candidate.content.parts if candidate.content else None) or []:
                if part.thought_signature:
                    view.signatures.append(part.thought_signature)
                if part.function_call is not None:
                    call = part.function_call
                    view.calls.append((call.id, call.name or "", call.args or {}))
                if part.text is None:
                    continue
                if part.thought:
                    if part.text:
                        view.thinking.append(part.text)
                else:
                    view.text += part.text
    return view


# --- Mistral --------------------------------------------------------------------------------------------


def _mistral_chunks(content: Any) -> tuple[str, list[str], list[str]]:
    """(text, thinking texts, signatures) of a Mistral message/delta content: a string or typed chunks."""
    if isinstance(content, str):
        return content, [], []
    text, thinking, signatures = "", [], []
    for chunk in content or []:
        if chunk.type == "text":
            text += chunk.text
        elif chunk.type == "thinking":
            thinking.append("".join(t.text for t in chunk.thinking if getattr(t, "type", "text") == "text"))
            if getattr(chunk, "signature", None):
                signatures.append(chunk.signature)
    return text, thinking, signatures


def mistral(rec: Recording) -> View:
    import mistralai.client as sdk

    client = sdk.Mistral(api_key="k", client=_http(rec))
    if not rec.streamed:
        completion = client.chat.complete(model="m", messages=MESSAGES)  # type: ignore[arg-type]
        text, thinking, signatures = _mistral_chunks(completion.choices[0].message.content)
        return View(
            text=text,
            thinking=thinking,
            signatures=signatures,
            response_id=completion.id,
            model=completion.model,
        )
    view = View(text="")
    reasoning = ""
    for event in client.chat.stream(model="m", messages=MESSAGES):  # type: ignore[arg-type]
        chunk = event.data
        view.response_id, view.model = chunk.id, chunk.model
        for choice in chunk.choices[:1]:
            text, thinking, signatures = _mistral_chunks(choice.delta.content)
            view.text += text or ""
            reasoning += "".join(thinking)
            view.signatures += signatures
    view.thinking = [reasoning] if reasoning else []
    return view


ORACLES = {
    "responses": responses,
    "chat": chat,
    "messages": anthropic,
    "generateContent": gemini,
}


def oracle(rec: Recording) -> View:
    if rec.provider == "mistral":
        return mistral(rec)
    return ORACLES[rec.api](rec)


def ours(rec: Recording, result: ChatResult) -> View:
    """Our result reduced to a View, each field in the SDK's terms (Gemini signatures decoded)."""
    thinking = [p for p in result.parts if isinstance(p, ThinkingPart)]
    view = View(text=result.text, response_id=result.response_id, model=result.model)
    view.thinking = [p.text for p in thinking if p.text]
    calls = [p for p in result.parts if isinstance(p, ToolCallPart)]
    if rec.api == "generateContent":
        # a signature is kept on its thought part, on its function call, or (riding on an answer part)
        # as a redacted carrier
        view.signatures = [
            base64.b64decode(p.signature or p.encrypted or "")
            for p in result.parts
            if (isinstance(p, ThinkingPart) and (p.signature or p.redacted))
            or (isinstance(p, ToolCallPart) and p.signature)
        ]
        view.calls = [(p.item_id, p.name, p.arguments) for p in calls]
    else:
        view.calls = [(p.id, p.name, p.arguments) for p in calls]
        view.signatures = [p.signature for p in thinking if p.signature]
        view.opaque = [p.encrypted for p in thinking if p.encrypted]
    view.ids = [p.id for p in result.parts if isinstance(p, TextPart | ThinkingPart) and p.id]
    return view
