"""Where the source recorded the next request too, our next request for the same history must match it.

The history is built from our own parse of the recorded answer (signatures, thought parts and item ids
as we keep them), then `AsyncClient.prepare` builds the body we would send; it is compared with the
request body the other project sent to the live API, which the API accepted. Only the conversation is
compared (`messages` / `contents` / `input`): the recorded models are retired, so the rest of the body
(model, thinking settings) differs by construction. Differences we make on purpose are normalized here,
each named, and listed in tests/fixtures/recorded/README.md.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from providers.client import AsyncClient
from providers.types import ChatResult, Message, ThinkingPart

from . import corpus

FIRST = "How do I cross the street?"
SECOND = "Considering the way to cross the street, analogously, how do I cross the river?"


async def parsed(name: str) -> ChatResult:
    return (await corpus.replay(corpus.by_file(name))).result


def body_for(model: str, history: list[Any], **kwargs: Any) -> dict[str, Any]:
    client = AsyncClient(
        api_keys={model.split("/")[0]: corpus.KEY}, settings={"vertex": {"api_key": corpus.KEY}}
    )
    call = client.prepare(model, history, **kwargs).call
    assert call.json_body is not None
    return call.json_body


def recorded(name: str) -> Any:
    return json.loads((corpus.ROOT / name).read_text(encoding="utf-8"))


# --- Anthropic: a signed thinking block goes back verbatim -------------------------------------------


def _anthropic_blocks(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Normalize: a lone user string is the one-text-block list it stands for (the API reads them alike;
    we send the string, pydantic-ai the list)."""
    out = []
    for m in messages:
        content = m["content"]
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        out.append({"role": m["role"], "content": content})
    return out


async def test_anthropic_follow_up_sends_the_signed_thinking_back_as_recorded() -> None:
    first = await parsed("anthropic/pydantic_thinking_part.1.json")
    ours = body_for(corpus.request_model("anthropic"), [Message.user(FIRST), first, Message.user(SECOND)])
    theirs = recorded("anthropic/pydantic_thinking_part.2.request.json")
    assert _anthropic_blocks(ours["messages"]) == _anthropic_blocks(theirs["messages"])
    # and the first request's conversation too
    ours_first = body_for(corpus.request_model("anthropic"), FIRST)
    assert _anthropic_blocks(ours_first["messages"]) == _anthropic_blocks(
        recorded("anthropic/pydantic_thinking_part.1.request.json")["messages"]
    )


async def test_anthropic_redacted_thinking_goes_back_verbatim_and_in_order() -> None:
    """No follow-up was recorded for the redacted stream; the rule is Anthropic's: every redacted_thinking
    block returns unchanged, in its place, before the text."""
    rec = corpus.by_file("anthropic/pydantic_redacted_stream.1.sse")
    answer = (await corpus.replay(rec, seed=5)).result
    ours = body_for(corpus.request_model("anthropic"), [Message.user("x"), answer, Message.user("y")])
    blocks = ours["messages"][1]["content"]
    data = [b["data"] for b in blocks if b["type"] == "redacted_thinking"]
    assert data == oracle_opaque(rec) and len(data) == 19
    assert [b["type"] for b in blocks] == ["redacted_thinking"] * 19 + ["text"]


def oracle_opaque(rec: corpus.Recording) -> list[str]:
    from .oracles import oracle

    return oracle(rec).opaque


# --- Gemini: the thought part and the signed answer go back as recorded --------------------------------


def _gemini_contents(contents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Normalize: a thoughtSignature compared as the bytes it encodes (google-genai writes URL-safe base64,
    we send back the standard base64 the API gave us; the API accepts both)."""
    out = []
    for content in contents:
        parts = []
        for part in content["parts"]:
            part = dict(part)
            if "thoughtSignature" in part:
                sig = part["thoughtSignature"]
                part["thoughtSignature"] = base64.urlsafe_b64decode(sig.replace("+", "-").replace("/", "_"))
            parts.append(part)
        out.append({"role": content["role"], "parts": parts})
    return out


async def test_gemini_follow_up_sends_thought_and_signature_back_as_recorded() -> None:
    first = await parsed("gemini/pydantic_thinking_part.1.json")
    system = "You are a helpful assistant."
    ours = body_for(
        corpus.request_model("gemini"), [Message.user(FIRST), first, Message.user(SECOND)], system=system
    )
    theirs = recorded("gemini/pydantic_thinking_part.2.request.json")
    assert _gemini_contents(ours["contents"]) == _gemini_contents(theirs["contents"])
    # systemInstruction: the same text; pydantic-ai adds role "user", which the API ignores there
    assert ours["systemInstruction"]["parts"] == theirs["systemInstruction"]["parts"]
    first_request = recorded("gemini/pydantic_thinking_part.1.request.json")
    assert body_for(corpus.request_model("gemini"), FIRST)["contents"] == first_request["contents"]


# --- across providers: another provider's reasoning is not sent (by design) ------------------------------


async def test_mistral_after_openai_sends_the_conversation_but_not_openais_reasoning() -> None:
    """pydantic-ai sent OpenAI's reasoning summary to Mistral as a thinking chunk; we do not send another
    provider's reasoning (DESIGN.md: a signature goes back only to the provider that made it)."""
    openai_answer = await parsed("openai_responses/pydantic_o3_mini.json")
    ours = body_for(
        corpus.request_model("mistral"), [Message.user(FIRST), openai_answer, Message.user(SECOND)]
    )
    theirs = recorded("mistral/pydantic_magistral_after_openai.request.json")
    assert [m["role"] for m in ours["messages"]] == [m["role"] for m in theirs["messages"]]
    assert ours["messages"][0] == theirs["messages"][0] and ours["messages"][2] == theirs["messages"][2]
    recorded_chunks = theirs["messages"][1]["content"]
    thinking = [c for c in recorded_chunks if c["type"] == "thinking"]
    texts = [c["text"] for c in recorded_chunks if c["type"] == "text"]
    # what pydantic-ai sent as thinking is exactly the OpenAI summaries we parsed (and hold back)
    summaries = [p.text for p in openai_answer.parts if isinstance(p, ThinkingPart)]
    assert [t["text"] for t in thinking[0]["thinking"]] == summaries
    # the answer text is the same; we send it as a string, not a one-chunk list
    assert ours["messages"][1]["content"] == "".join(texts)
    sent = json.dumps(ours)
    assert "rs_" not in sent and "gAAAA" not in sent and "msg_68bb" not in sent


async def test_openai_chat_after_responses_sends_the_answer_without_inlined_reasoning() -> None:
    """pydantic-ai inlined the Responses reasoning summaries as <think> text for Chat Completions; we send
    the answer alone (Chat Completions has no field for reasoning; the result's notes say it was left out)."""
    answer = await parsed("openai_responses/pydantic_o3_mini_b.json")
    ours = body_for(
        corpus.request_model("openai"), [Message.user(FIRST), answer, Message.user(SECOND)], api="chat"
    )
    theirs = recorded("openai_chat/pydantic_o3_mini_chat.request.json")
    assert ours["messages"][0] == theirs["messages"][0] and ours["messages"][2] == theirs["messages"][2]
    summaries = [p.text for p in answer.parts if isinstance(p, ThinkingPart)]
    inlined = "".join(f"<think>\n{s}\n</think>\n\n" for s in summaries)
    assert theirs["messages"][1]["content"] == inlined + ours["messages"][1]["content"]


# --- first turns: the conversation of the first recorded request ----------------------------------------


async def test_first_requests_match_the_recorded_ones() -> None:
    cases = {
        "openai_responses/pydantic_o3_mini.request.json": ("openai", "input", {}),
        "openai_responses/pydantic_o3_mini_b.request.json": ("openai", "input", {}),
        "deepseek/pydantic_thinking_part.1.request.json": ("deepseek", "messages", {}),
    }
    for name, (provider, key, kwargs) in cases.items():
        ours = body_for(corpus.request_model(provider), FIRST, **kwargs)
        assert ours[key] == recorded(name)[key], name


async def test_responses_follow_up_keeps_item_order_and_ids() -> None:
    """No Responses follow-up was recorded; the rule (wire/tools-batch.md 1.4): the reasoning item goes back
    with its id, every summary part and its encrypted content, followed by the message item it produced."""
    answer = await parsed("openai_responses/pydantic_o3_mini.json")
    raw = corpus.by_file("openai_responses/pydantic_o3_mini.json").payload()["output"]
    ours = body_for(corpus.request_model("openai"), [Message.user(FIRST), answer, Message.user(SECOND)])
    items = ours["input"]
    reasoning, message = items[1], items[2]
    assert reasoning["type"] == "reasoning" and reasoning["id"] == raw[0]["id"]
    assert [s["text"] for s in reasoning["summary"]] == [s["text"] for s in raw[0]["summary"]]
    assert reasoning["encrypted_content"] == raw[0]["encrypted_content"]
    assert message["type"] == "message" and message["id"] == raw[1]["id"]
    assert [c["text"] for c in message["content"]] == [c["text"] for c in raw[1]["content"]]
