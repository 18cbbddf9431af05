"""What the providers' official SDKs make of each recording: the independent side of every comparison.

Each oracle parses a recorded body with the provider's own SDK (its response models, and for streams its
own stream accumulator fed through an httpx2.MockTransport) and reduces it to a `View`: the answer text,
the reasoning pieces, signatures, opaque reasoning blobs and item ids, in order. Our codec's result is
reduced to the same `View` by `ours()`, and the two must be equal.
"""

from __future__ import annotations

import base64
import json
import re
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
        elif item.type == "function_call":
            view.calls.append((item.call_id, item.name, json.loads(item.arguments)))
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
        calls=[(c.id, c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls or []],
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


def _fold_partial(args: dict[str, Any], partial: list[Any], going_on: set[str]) -> None:
    """Vertex's streamed arguments (google-genai reads each PartialArg; it does not join them): every
    value set at its JSONPath, a string continued while the path's previous piece said willContinue."""
    for arg in partial:
        steps: list[Any] = [int(i) if i else k for k, i in re.findall(r"\.(\w+)|\[(\d+)\]", arg.json_path)]
        value = next((v for v in (arg.string_value, arg.number_value, arg.bool_value) if v is not None), None)
        node: Any = args
        for step, after in zip(steps, [*steps[1:], None], strict=True):
            if isinstance(step, int):
                node.extend([None] * (step + 1 - len(node)))
            if after is None:
                old = node[step] if isinstance(step, int) else node.get(step)
                node[step] = old + value if arg.json_path in going_on else value
            else:
                if (node[step] if isinstance(step, int) else node.get(step)) is None:
                    node[step] = [] if isinstance(after, int) else {}
                node = node[step]
        (going_on.add if arg.will_continue else going_on.discard)(arg.json_path)


def gemini(rec: Recording) -> View:
    from google.genai import types

    chunks = rec.chunks() if rec.streamed else [rec.payload()]
    view = View(text="")
    streaming: dict[str, Any] | None = None  # the call whose arguments are still arriving (Vertex)
    going_on: set[str] = set()
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
                    if streaming is not None and not call.name:
                        _fold_partial(streaming, call.partial_args or [], going_on)
                    else:
                        view.calls.append((call.id, call.name or "", dict(call.args or {})))
                        streaming = view.calls[-1][2]
                        _fold_partial(streaming, call.partial_args or [], going_on)
                    if not call.will_continue:
                        streaming = None
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


def _mistral_call(call: Any) -> tuple[str | None, str, Any]:
    """A Mistral tool call (each arrives whole, a stream too); arguments a JSON string or an object."""
    arguments = call.function.arguments
    return (call.id, call.function.name, json.loads(arguments) if isinstance(arguments, str) else arguments)


def mistral(rec: Recording) -> View:
    import mistralai.client as sdk

    client = sdk.Mistral(api_key="k", client=_http(rec))
    if not rec.streamed:
        completion = client.chat.complete(model="m", messages=MESSAGES)  # type: ignore[arg-type]
        message = completion.choices[0].message
        text, thinking, signatures = _mistral_chunks(message.content)
        return View(
            text=text,
            thinking=thinking,
            signatures=signatures,
            response_id=completion.id,
            model=completion.model,
            calls=[_mistral_call(c) for c in message.tool_calls or []],
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
            view.calls += [_mistral_call(c) for c in choice.delta.tool_calls or []]
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
