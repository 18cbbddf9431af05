"""OpenAI Responses items both ways: our turns -> `input` items, `output` items -> our parts.

Wire facts (wire/tools-batch.md 1.1-1.4 and 6; openai 3.60 `response_input_item_param.py`,
`response_output_message_param.py`, `response_reasoning_item_param.py`,
`response_function_tool_call_param.py`):

* A turn is sent back as the items it came as, in the order the API returned them, each with its id:
  `reasoning` (`rs_...`, summary parts kept one by one, `encrypted_content`), `message` (`msg_...`,
  `status`, `phase`, `output_text`/`refusal` content) and `function_call` (`fc_...`, `call_id`, the
  arguments string as received). The live API refuses a reasoning item that is not followed by the item
  it produced ("Item 'rs_...' of type 'reasoning' was provided without its required following item."),
  and a function call whose reasoning item is missing; so a turn whose reasoning cannot go back whole
  (cut short, another provider's, no id) is sent without reasoning and without item ids.
* Tool results go back as `{"type":"function_call_output","call_id","output"}` items, before any text
  of the same user turn.
* The same shapes serve xAI (its Responses API), which is why the provider is a parameter.
"""

from __future__ import annotations

import json
from typing import Any, assert_never

from ..errors import InvalidParameterError
from ..fields import opt_str
from ..types import (
    ImagePart,
    Message,
    Part,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
)

__all__ = ["arguments_of", "input_items", "output_parts", "replay_notes"]


def arguments_of(raw: Any) -> tuple[dict[str, Any], bool]:
    """Parsed call arguments and whether the text was a JSON object (models do send broken JSON)."""
    if isinstance(raw, dict):
        return raw, False
    if not isinstance(raw, str) or not raw.strip():
        return {}, raw not in (None, "")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return {}, True
    return (value, False) if isinstance(value, dict) else ({}, True)


def _replayable(message: Message, provider: str) -> bool:
    """Whether this assistant turn can go back with its reasoning items and item ids.

    Each own reasoning part needs its id and must be whole, and what follows it must be an item of
    ours with an id (the item the reasoning produced).
    """
    parts = message.parts
    for i, part in enumerate(parts):
        if not isinstance(part, ThinkingPart) or part.provider != provider:
            continue
        if part.truncated or not part.id:
            return False
        nxt = next((p for p in parts[i + 1 :] if not (isinstance(p, ThinkingPart) and p.id == part.id)), None)
        if nxt is None or not _own_item_id(nxt, provider):
            return False
    return True


def _own_item_id(part: Part, provider: str) -> str | None:
    if isinstance(part, TextPart) and part.provider == provider:
        return part.id
    if isinstance(part, ToolCallPart) and part.provider == provider:
        return part.item_id
    if isinstance(part, ThinkingPart) and part.provider == provider:
        return part.id
    return None


def _call_item(part: ToolCallPart, provider: str, with_id: bool) -> dict[str, Any]:
    own = part.provider == provider
    arguments = part.raw_arguments if own and part.raw_arguments is not None else json.dumps(part.arguments)
    item: dict[str, Any] = {"type": "function_call"}
    if with_id and own and part.item_id:
        item["id"] = part.item_id
    item |= {"call_id": part.id, "name": part.name, "arguments": arguments}
    return item


def _text_content(part: TextPart) -> dict[str, Any]:
    if part.refusal:
        return {"type": "refusal", "refusal": part.text}
    return {"type": "output_text", "text": part.text, "annotations": []}


def _assistant_items(message: Message, provider: str) -> list[dict[str, Any]]:
    with_ids = _replayable(message, provider)
    items: list[dict[str, Any]] = []
    loose: list[dict[str, Any]] = []  # text without an item id: one plain assistant message

    def flush() -> None:
        if loose:
            items.append({"role": "assistant", "content": list(loose)})
            loose.clear()

    for part in message.parts:
        match part:
            case ThinkingPart():
                if not with_ids or part.provider != provider:
                    continue
                last = items[-1] if items and not loose else None
                if last is not None and last.get("type") == "reasoning" and last["id"] == part.id:
                    item = last  # a further summary part of the same reasoning item
                else:
                    flush()
                    item = {"type": "reasoning", "id": part.id, "summary": []}
                    items.append(item)
                if part.text:
                    item["summary"].append({"type": "summary_text", "text": part.text})
                if part.encrypted and "encrypted_content" not in item:
                    item["encrypted_content"] = part.encrypted
            case TextPart():
                if with_ids and part.id and part.provider == provider:
                    last = items[-1] if items and not loose else None
                    if last is not None and last.get("type") == "message" and last["id"] == part.id:
                        last["content"].append(_text_content(part))
                    else:
                        flush()
                        item = {"type": "message", "id": part.id, "role": "assistant", "status": "completed"}
                        item["content"] = [_text_content(part)]
                        if part.phase:
                            item["phase"] = part.phase
                        items.append(item)
                elif part.text:
                    loose.append({"type": "output_text", "text": part.text})
            case ToolCallPart():
                flush()
                items.append(_call_item(part, provider, with_ids))
            case ImagePart():
                raise InvalidParameterError("an assistant turn cannot carry an image on the Responses API")
            case ToolResultPart():
                raise InvalidParameterError(
                    "tool results go in a user turn after the assistant's calls (Message.tool_results(...))"
                )
            case _:
                assert_never(part)
    flush()
    return items


def _result_item(part: ToolResultPart) -> dict[str, Any]:
    return {"type": "function_call_output", "call_id": part.call_id, "output": part.content}


def _user_items(message: Message) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    content: list[dict[str, Any]] = []
    for part in message.parts:
        match part:
            case TextPart():
                content.append({"type": "input_text", "text": part.text})
            case ImagePart():
                url = part.url or f"data:{part.media_type};base64,{part.data}"
                # `detail` is a required field of input_image (openai 3.60 ResponseInputImageParam, from the
                # OpenAPI spec); "auto" is the documented default
                content.append({"type": "input_image", "image_url": url, "detail": "auto"})
            case ToolResultPart():
                items.append(_result_item(part))
            case ThinkingPart():
                pass  # reasoning belongs to assistant turns; a user turn never carries it back
            case ToolCallPart():
                raise InvalidParameterError("a tool call belongs in an assistant turn, not a user turn")
            case _:
                assert_never(part)
    if len(content) == 1 and content[0]["type"] == "input_text":
        items.append({"role": "user", "content": content[0]["text"]})
    elif content:
        items.append({"role": "user", "content": content})
    return items


def input_items(messages: list[Message], provider: str) -> list[dict[str, Any]]:
    """The `input` array for a conversation, each assistant turn as the items it came as."""
    items: list[dict[str, Any]] = []
    for message in messages:
        if message.role == "assistant":
            items.extend(_assistant_items(message, provider))
        else:
            items.extend(_user_items(message))
    return items


def replay_notes(messages: list[Message], provider: str) -> list[str]:
    """What cannot go back as it came (for the result's notes)."""
    notes: list[str] = []
    foreign = sum(isinstance(p, ThinkingPart) and p.provider != provider for m in messages for p in m.parts)
    if foreign:
        notes.append(
            f"{foreign} thinking part(s) from other providers not sent: reasoning goes back only to its maker"
        )
    broken = sum(
        m.role == "assistant"
        and any(isinstance(p, ThinkingPart) and p.provider == provider for p in m.parts)
        and not _replayable(m, provider)
        for m in messages
    )
    if broken:
        notes.append(
            f"{broken} turn(s) sent without their reasoning items: a reasoning item must be whole, have its id "
            "and be followed by the item it produced (the API refuses it otherwise)"
        )
    rewritten = sum(isinstance(p, ToolCallPart) and p.provider != provider for m in messages for p in m.parts)
    if rewritten:
        notes.append(f"{rewritten} tool call(s) from other providers sent as plain function_call items")
    return notes


def _reasoning_parts(item: dict[str, Any], provider: str) -> list[ThinkingPart]:
    texts = [s.get("text", "") for s in item.get("summary") or [] if isinstance(s, dict)]
    texts += [
        c.get("text", "")
        for c in item.get("content") or []
        if isinstance(c, dict) and c.get("type") == "reasoning_text"
    ]
    texts = [t for t in texts if isinstance(t, str) and t] or [""]
    return [
        ThinkingPart(
            text=text,
            id=opt_str(item.get("id")),
            encrypted=item.get("encrypted_content") if i == 0 else None,
            provider=provider,
        )
        for i, text in enumerate(texts)
    ]


def output_parts(output: list[dict[str, Any]], provider: str) -> tuple[list[Part], bool]:
    """Our parts for a response's `output` items, in order, with their ids; and whether it refused."""
    parts: list[Part] = []
    refused = False
    for item in output:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind == "reasoning":
            parts.extend(_reasoning_parts(item, provider))
        elif kind == "message":
            for c in item.get("content") or []:
                if not isinstance(c, dict):
                    continue
                if c.get("type") == "output_text":
                    text = c.get("text") or ""
                    refusal = False
                elif c.get("type") == "refusal":
                    text, refusal, refused = c.get("refusal") or "", True, True
                else:
                    continue
                parts.append(
                    TextPart(
                        text=text,
                        id=opt_str(item.get("id")),
                        provider=provider,
                        phase=opt_str(item.get("phase")),
                        refusal=refusal,
                    )
                )
        elif kind == "function_call":
            raw = item.get("arguments")
            arguments, invalid = arguments_of(raw)
            parts.append(
                ToolCallPart(
                    id=opt_str(item.get("call_id")) or opt_str(item.get("id")) or "",
                    name=str(item.get("name") or ""),
                    arguments=arguments,
                    raw_arguments=raw if isinstance(raw, str) else None,
                    item_id=opt_str(item.get("id")),
                    provider=provider,
                    invalid_json=invalid,
                )
            )
    return parts, refused
