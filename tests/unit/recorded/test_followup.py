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
from providers.types import ChatResult, Message, ThinkingPart, ToolCallPart

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
    """The rule (wire/tools-batch.md 1.4) on another recording: the reasoning item goes back with its id,
    every summary part and its encrypted content, followed by the message item it produced."""
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


# --- OpenAI Responses: the defect-1 case, recorded -------------------------------------------------------


async def test_responses_follow_up_equals_the_recorded_request() -> None:
    """gpt-5 answered with a reasoning item (six summary parts, encrypted_content) and a message item;
    pydantic-ai's next request, which the live API accepted, sent both back in order with their ids.
    Ours for the same history is the same, item for item, with no difference to normalize."""
    rec = corpus.by_file("openai_responses/pydantic_gpt5_thinking.1.json")
    first = (await corpus.replay(rec)).result
    model = corpus.request_model("openai")
    ours = body_for(model, [Message.user(FIRST), first, Message.user(SECOND)])
    theirs = rec.recorded_next_request()
    assert ours["input"] == theirs["input"]
    assert [item.get("type", "message") for item in ours["input"]] == [
        "message",
        "reasoning",
        "message",
        "message",
    ]
    assert body_for(model, FIRST)["input"] == rec.recorded_request()["input"]
    # streamed, the same answer goes back the same way
    streamed = body_for(model, [Message.user(FIRST), first, Message.user(SECOND)], stream=True)
    assert streamed["input"] == theirs["input"]


async def test_responses_tool_call_follow_up_sends_reasoning_then_call_then_output() -> None:
    """No follow-up was recorded for the codex stream; the rule: its reasoning item (the encrypted content
    of the final response, not the interim ones of output_item.added/.done) goes back before the
    function_call item that it produced, then the function_call_output."""
    rec = corpus.by_file("openai_responses/vercel_codex_reasoning_tool_stream.chunks.txt")
    answer = (await corpus.replay(rec, seed=6)).result
    final = next(json.loads(line) for line in rec.text().splitlines() if '"response.completed"' in line)
    items = final["response"]["output"]
    ours = body_for(
        corpus.request_model("openai"), [Message.user("x"), answer, answer.tool_results({"calculator": 19})]
    )
    sent = ours["input"][1:]
    assert [i["type"] for i in sent] == ["reasoning", "function_call", "function_call_output"]
    assert sent[0]["id"] == items[0]["id"] and sent[0]["encrypted_content"] == items[0]["encrypted_content"]
    assert [s["text"] for s in sent[0]["summary"]] == [s["text"] for s in items[0]["summary"]]
    call = items[1]
    assert {k: sent[1][k] for k in ("id", "call_id", "name", "arguments")} == {
        k: call[k] for k in ("id", "call_id", "name", "arguments")
    }
    assert sent[2]["call_id"] == call["call_id"] and sent[2]["output"] == "19"


# --- Anthropic: a tool turn with signed thinking, recorded ------------------------------------------------


def _without_default_is_error(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Normalize: pydantic-ai writes `is_error: false` on a tool_result; we leave the default out."""
    return [
        {
            **m,
            "content": [
                {k: v for k, v in block.items() if not (k == "is_error" and v is False)}
                for block in m["content"]
            ],
        }
        for m in messages
    ]


async def test_anthropic_tool_turn_follow_up_sends_thinking_text_and_call_back_as_recorded() -> None:
    """Claude thought (signed), wrote a line and called a tool; pydantic-ai's next request sent the three
    blocks back verbatim and the tool result. Ours for the same history: the same blocks, the same
    tool_result, the same tool definition (two documented normalizations: a lone user string, and
    `is_error: false` left out as the default)."""
    first = await parsed("tools/anthropic_pydantic_tool_thinking.1.json")
    theirs = recorded("tools/anthropic_pydantic_tool_thinking.2.request.json")
    tool = {"name": "get_user_country", "description": "", "parameters": theirs["tools"][0]["input_schema"]}
    history = [
        Message.user("What is the largest city in the user country?"),
        first,
        first.tool_results({"get_user_country": "Mexico"}),
    ]
    ours = body_for(corpus.request_model("anthropic"), history, tools=[tool])
    assert _without_default_is_error(_anthropic_blocks(ours["messages"])) == _without_default_is_error(
        _anthropic_blocks(theirs["messages"])
    )
    assert ours["tools"] == theirs["tools"]
    first_request = recorded("tools/anthropic_pydantic_tool_thinking.1.request.json")
    ours_first = body_for(corpus.request_model("anthropic"), history[0].text, tools=[tool])
    assert _anthropic_blocks(ours_first["messages"]) == _anthropic_blocks(first_request["messages"])


# --- Vertex: a call whose arguments streamed goes back whole, signed ------------------------------------


async def test_vertex_streamed_calls_go_back_whole_with_the_signature_on_the_first() -> None:
    """No follow-up was recorded; the rule (tools-batch.md 4.3/4.4): each call goes back as one
    functionCall part with its assembled args (no partialArgs, no willContinue), the thoughtSignature on
    the first call only, as it came, and the results in one user content, in call order."""
    rec = corpus.by_file("vertex/vercel_stream_parallel_partial_args.chunks.txt")
    answer = (await corpus.replay(rec, seed=7)).result
    calls = [p for p in answer.parts if isinstance(p, ToolCallPart)]
    results = answer.tool_results({calls[0].id: {"temp": 12}, calls[1].id: {"temp": 18}})
    ours = body_for(corpus.request_model("vertex"), [Message.user("x"), answer, results])
    model_turn, user_turn = ours["contents"][1], ours["contents"][2]
    signature = rec.chunks()[0]["candidates"][0]["content"]["parts"][0]["thoughtSignature"]
    assert model_turn == {
        "role": "model",
        "parts": [
            {
                "functionCall": {"name": "getWeather", "args": {"location": "Boston"}},
                "thoughtSignature": signature,
            },
            {"functionCall": {"name": "getWeather", "args": {"location": "San Francisco"}}},
        ],
    }
    assert [p["functionResponse"]["response"] for p in user_turn["parts"]] == [
        {"output": {"temp": 12}},
        {"output": {"temp": 18}},
    ]


# --- DeepSeek: the reasoning of a tool-call turn goes back --------------------------------------------------


async def test_deepseek_tool_turn_sends_its_reasoning_back() -> None:
    """DeepSeek's rule (tools-batch.md, DeepSeek): the reasoning_content of an assistant turn that called
    tools must be sent back in every later request, with the call as it came."""
    rec = corpus.by_file("tools/deepseek_vercel_tool_call.chunks.txt")
    answer = (await corpus.replay(rec, seed=8)).result
    ours = body_for(
        corpus.request_model("deepseek"),
        [Message.user("x"), answer, answer.tool_results({"weather": "sunny"})],
    )
    assistant, tool = ours["messages"][1], ours["messages"][2]
    assert (
        assistant["reasoning_content"]
        == "The user asks about the weather in San Francisco. I should use the weather tool."
    )
    (call,) = assistant["tool_calls"]
    assert call["id"] == "call_00_IhCAliIHtM9gKpgfqbBV9873" and call["function"]["name"] == "weather"
    assert json.loads(call["function"]["arguments"]) == {"location": "San Francisco"}
    assert tool == {"role": "tool", "tool_call_id": "call_00_IhCAliIHtM9gKpgfqbBV9873", "content": "sunny"}
