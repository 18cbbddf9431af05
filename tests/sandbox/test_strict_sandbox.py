"""The strict sandbox refuses what the providers refuse, the way they refuse it (issue 11).

Schema checks (providers/sandbox/schemas/, from the official SDKs' request types) and the cross-item
rules (providers/sandbox/validate/rules_*.py), each shown to fire with the provider's status and error
JSON; the sources of the wording are in those modules. Our codecs' own requests passing the strict
sandbox is what every other sandbox and conformance test checks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest

from providers.sandbox import SandboxApp
from providers.sandbox import text as T
from providers.sandbox.validate import rules_openai
from providers.sandbox.wire import Call, Reply

OPENAI = {"authorization": "Bearer sk-test"}
ANTHROPIC = {"x-api-key": "sk-ant-test", "anthropic-version": "2026-10-21"}
ANTHROPIC_OLD = {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}
GOOGLE = {"x-goog-api-key": "AIza-test"}
GEMINI3 = "https://generativelanguage.googleapis.com/v1beta/models/gemini-3-flash-preview:generateContent"
GEMINI25 = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
VERTEX = (
    "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/"
    "publishers/google/models/gemini-3-flash-preview:generateContent"
)
CHAT = "https://api.openai.com/v1/chat/completions"
RESPONSES = "https://api.openai.com/v1/responses"
MESSAGES = "https://api.anthropic.com/v1/messages"
MISTRAL = "https://api.mistral.ai/v1/chat/completions"
DEEPSEEK = "https://api.deepseek.com/chat/completions"
CLAUDE = {"model": "claude-opus-4-6", "max_tokens": 2048}


@pytest.fixture
def app() -> SandboxApp:
    return SandboxApp(clock=lambda: 1_764_115_200.0)


@pytest.fixture
async def client(app: SandboxApp) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app)) as c:
        yield c


async def post(client: httpx2.AsyncClient, url: str, body: Any, headers: dict[str, str]) -> httpx2.Response:
    return await client.post(url, json=body, headers=headers)


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


# --- schemas: OpenAI ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "param", "code", "message"),
    [
        ({"zzz_unknown": 1}, "zzz_unknown", "unknown_parameter", "Unknown parameter: 'zzz_unknown'."),
        (
            {"reasoning": {"effort": "low"}},
            "reasoning",
            "unknown_parameter",
            "Unknown parameter: 'reasoning'.",
        ),
        (
            {"n": "2"},
            "n",
            "invalid_type",
            "Invalid type for 'n': expected an integer, but got a string instead.",
        ),
        (
            {"seed": 1.5},
            "seed",
            "invalid_type",
            "Invalid type for 'seed': expected an integer, but got a decimal number instead.",
        ),
        (
            {"store": "yes"},
            "store",
            "invalid_type",
            "Invalid type for 'store': expected a boolean, but got a string instead.",
        ),
        (
            {"tools": "none"},
            "tools",
            "invalid_type",
            "Invalid type for 'tools': expected an array of objects, but got a string instead.",
        ),
        (
            {"tool_choice": 7},
            "tool_choice",
            "invalid_type",
            "Invalid type for 'tool_choice': expected one of one of 'none', 'auto', or 'required' or object, "
            "but got an integer instead.",
        ),
        (
            {"messages": [{"role": "user", "content": 7}]},
            "messages[0].content",
            "invalid_type",
            "Invalid type for 'messages[0].content': expected one of a string or array of objects, but got an integer instead.",
        ),
        (
            {"prompt_cache_retention": {"a": 1}},
            "prompt_cache_retention",
            "invalid_type",
            "Invalid type for 'prompt_cache_retention': expected one of 'in_memory' or '24h', but got an object instead.",
        ),
        (
            {"response_format": {"type": "bogus"}},
            "response_format.type",
            "invalid_value",
            "Invalid value: 'bogus'. Supported values are: 'text', 'json_schema', and 'json_object'.",
        ),
        (
            {"tools": [{"type": "function"}]},
            "tools[0].function",
            "missing_required_parameter",
            "Missing required parameter: 'tools[0].function'.",
        ),
        (
            {"messages": [{"content": "ping"}]},
            "messages[0].role",
            "missing_required_parameter",
            "Missing required parameter: 'messages[0].role'.",
        ),
        (
            {"zzz_unknown": 1, "n": "abc"},
            "zzz_unknown",
            "unknown_parameter",
            "Unknown parameter: 'zzz_unknown'.",
        ),
    ],
)
async def test_openai_chat_schema(
    client: httpx2.AsyncClient, extra: dict[str, Any], param: str, code: str, message: str
) -> None:
    r = await post(client, CHAT, {"model": "gpt-5.5", "messages": [user("ping")], **extra}, OPENAI)
    assert r.status_code == 400
    assert r.json() == {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    }


async def test_openai_responses_schema_reaches_nested_items(client: httpx2.AsyncClient) -> None:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "x", "query": 1}]}
    r = await post(client, RESPONSES, {"model": "gpt-5.5", "input": [item]}, OPENAI)
    assert (
        r.status_code == 400
        and r.json()["error"]["message"] == "Unknown parameter: 'input[0].content[0].query'."
    )
    r = await post(
        client, RESPONSES, {"model": "gpt-5.5", "input": "x", "reasoning": {"max_tokens": 9}}, OPENAI
    )
    assert r.json()["error"]["param"] == "reasoning.max_tokens"
    r = await post(
        client, RESPONSES, {"model": "gpt-5.5", "input": "x", "reasoning": {"effort": "low"}}, OPENAI
    )
    assert r.status_code == 200


# --- schemas: Anthropic -------------------------------------------------------------------------


async def test_anthropic_sampling_parameters_exist_only_before_2026_10_21(client: httpx2.AsyncClient) -> None:
    body = {**CLAUDE, "messages": [user("hi")], "temperature": 0.5}
    r = await post(client, MESSAGES, body, ANTHROPIC)
    assert r.status_code == 400
    assert r.json()["error"] == {
        "type": "invalid_request_error",
        "message": "temperature: Extra inputs are not permitted",
    }
    assert r.json()["type"] == "error" and r.json()["request_id"].startswith("req_")
    assert (await post(client, MESSAGES, body, ANTHROPIC_OLD)).status_code == 200
    r = await post(client, MESSAGES, {**body, "temperature": "hot"}, ANTHROPIC_OLD)
    assert r.json()["error"]["message"] == "temperature: Input should be a valid number"


@pytest.mark.parametrize(
    ("messages", "message"),
    [
        (
            [{"role": "user", "content": [{"type": "compaction", "text": "x"}]}],
            "messages.0.content.0: Input tag 'compaction' found using 'type' does not match any of the expected tags: 'text',",
        ),
        ([{"role": "user", "content": {"text": "x"}}], "messages.0.content: Input should be a valid list"),
        ([{"role": "user", "content": [{"type": "text"}]}], "messages.0.content.0.text.text: Field required"),
        (
            [
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/bmp", "data": "x"},
                        }
                    ],
                }
            ],
            "messages.0.content.0.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'",
        ),
        (
            [{"role": "robot", "content": "x"}],
            "messages.0.role: Input should be 'user', 'assistant' or 'system'",
        ),
        ([{"role": "user", "content": "x", "name": "me"}], "messages.0.name: Extra inputs are not permitted"),
    ],
)
async def test_anthropic_schema(client: httpx2.AsyncClient, messages: list[Any], message: str) -> None:
    r = await post(client, MESSAGES, {**CLAUDE, "messages": messages}, ANTHROPIC)
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"
    assert r.json()["error"]["message"].startswith(message)


# --- schemas: Gemini, Vertex, Mistral, ElevenLabs, Deepgram ---------------------------------------


async def test_gemini_lists_every_unknown_name_with_snake_case_paths(client: httpx2.AsyncClient) -> None:
    body = {
        "contents": [{"role": "user", "parts": [{"text": "x", "foo": 1}]}],
        "generation_config": {"max_output_tokens": 50, "bar": 2},  # snake_case is a valid spelling
    }
    r = await post(client, GEMINI3, body, GOOGLE)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT" and error["code"] == 400
    assert error["message"] == (
        "Invalid JSON payload received. Unknown name \"foo\" at 'contents[0].parts[0]': Cannot find field.\n"
        "Invalid JSON payload received. Unknown name \"bar\" at 'generation_config': Cannot find field."
    )
    [detail] = error["details"]
    assert detail["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    assert [v["field"] for v in detail["fieldViolations"]] == ["contents[0].parts[0]", "generation_config"]


@pytest.mark.parametrize(
    ("url", "package"),
    [(GEMINI3, "google.ai.generativelanguage.v1beta"), (VERTEX, "google.cloud.aiplatform.v1")],
)
async def test_google_bad_values(client: httpx2.AsyncClient, url: str, package: str) -> None:
    headers = GOOGLE if "generativelanguage" in url else {"authorization": "Bearer ya29.test"}
    contents = [{"role": "user", "parts": [{"text": "x"}]}]
    r = await post(
        client, url, {"contents": contents, "generationConfig": {"maxOutputTokens": "abc"}}, headers
    )
    assert (
        r.json()["error"]["message"]
        == "Invalid value at 'generation_config.max_output_tokens' (TYPE_INT32), \"abc\""
    )
    settings = [{"category": "HARM_CATEGORY_BOGUS", "threshold": "BLOCK_NONE"}]
    r = await post(client, url, {"contents": contents, "safetySettings": settings}, headers)
    assert r.json()["error"]["message"] == (
        f"Invalid value at 'safety_settings[0].category' (type.googleapis.com/{package}.HarmCategory), "
        '"HARM_CATEGORY_BOGUS"'
    )
    r = await post(client, url, {"contents": "hi"}, headers)
    assert (
        r.json()["error"]["message"]
        == f"Invalid value at 'contents' (type.googleapis.com/{package}.Content), \"hi\""
    )


async def test_mistral_validation_errors_are_fastapi_422s(client: httpx2.AsyncClient) -> None:
    body = {"model": "mistral-small-latest", "messages": [user("x")], "max_completion_tokens": 3}
    r = await post(client, MISTRAL, body, OPENAI)
    assert r.status_code == 422
    assert r.json() == {
        "detail": [
            {
                "type": "extra_forbidden",
                "loc": ["body", "max_completion_tokens"],
                "msg": "Extra inputs are not permitted",
                "input": 3,
            }
        ]
    }
    r = await post(
        client, MISTRAL, {"model": "mistral-small-latest", "messages": [user("x")], "top_p": "x"}, OPENAI
    )
    assert r.json()["detail"][0] == {
        "type": "float_type",
        "loc": ["body", "top_p"],
        "msg": "Input should be a valid number",
        "input": "x",
    }


async def test_elevenlabs_and_deepgram_bodies(client: httpx2.AsyncClient) -> None:
    voice = "https://api.elevenlabs.io/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM"
    xi = {"xi-api-key": "xi-test"}
    r = await post(client, voice, {"model_id": "eleven_v3"}, xi)
    assert r.status_code == 422 and r.json() == {
        "detail": [{"type": "missing", "loc": ["body", "text"], "msg": "Field required"}]
    }
    r = await post(client, voice, {"text": "hi", "seed": "x"}, xi)
    assert r.json()["detail"][0]["loc"] == ["body", "seed"] and r.json()["detail"][0]["type"] == "int_type"
    assert (await post(client, voice, {"text": "hi", "not_a_field": 1}, xi)).status_code == 200  # ignored
    r = await post(
        client, "https://api.deepgram.com/v1/speak", {"text": 7}, {"authorization": "Token dg-test"}
    )
    assert r.status_code == 400
    assert (
        r.json()["err_code"] == "Bad Request"
        and r.json()["err_msg"] == "Invalid request: 'text': Input should be a valid string"
    )


async def test_strict_false_leaves_only_the_handlers_checks() -> None:
    app = SandboxApp(strict=False)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app)) as c:
        r = await post(c, CHAT, {"model": "gpt-5.5", "messages": [user("x")], "zzz_unknown": 1}, OPENAI)
    assert r.status_code == 200


# --- rules: OpenAI Responses reasoning items -----------------------------------------------------


async def first_turn(client: httpx2.AsyncClient) -> list[dict[str, Any]]:
    body = {
        "model": "gpt-5.5",
        "input": "What is 6x7?",
        "reasoning": {"effort": "low"},
        "include": ["reasoning.encrypted_content"],
    }
    r = await post(client, RESPONSES, body, OPENAI)
    output = r.json()["output"]
    assert [item["type"] for item in output] == ["reasoning", "message"]
    return output


def again(*items: dict[str, Any]) -> dict[str, Any]:
    return {"model": "gpt-5.5", "input": [user("What is 6x7?"), *items, user("And 7x8?")]}


async def test_a_full_history_goes_through(client: httpx2.AsyncClient) -> None:
    rs, msg = await first_turn(client)
    assert (await post(client, RESPONSES, again(rs, msg), OPENAI)).status_code == 200


async def test_a_reasoning_item_needs_its_following_item(client: httpx2.AsyncClient) -> None:
    rs, msg = await first_turn(client)
    no_id = {"role": "assistant", "content": msg["content"][0]["text"]}  # an assistant turn without its id
    assert (await post(client, RESPONSES, again(no_id), OPENAI)).status_code == 200  # fine without reasoning
    for items in ((rs,), (rs, no_id)):
        r = await post(client, RESPONSES, again(*items), OPENAI)
        assert r.status_code == 400
        assert r.json()["error"] == {
            "message": f"Item '{rs['id']}' of type 'reasoning' was provided without its required following item.",
            "type": "invalid_request_error",
            "param": "input",
            "code": None,
        }
    r = await post(
        client, RESPONSES, {"model": "gpt-5.5", "input": [user("q"), rs]}, OPENAI
    )  # nothing after it
    assert "without its required following item" in r.json()["error"]["message"]
    other = {**msg, "id": "msg_someoneelse"}  # an item this reasoning item did not produce
    r = await post(client, RESPONSES, again(rs, other), OPENAI)
    assert "without its required following item" in r.json()["error"]["message"]


async def test_an_item_needs_the_reasoning_item_that_produced_it(client: httpx2.AsyncClient) -> None:
    rs, msg = await first_turn(client)
    r = await post(client, RESPONSES, again(msg), OPENAI)
    assert r.status_code == 400
    assert r.json()["error"]["message"] == (
        f"Item '{msg['id']}' of type 'message' was provided without its required 'reasoning' item: '{rs['id']}'."
    )
    assert (
        await post(client, RESPONSES, {**again(msg), "previous_response_id": "resp_1"}, OPENAI)
    ).status_code == 200


async def test_assistant_turns_take_output_parts_only(client: httpx2.AsyncClient) -> None:
    parts = [{"type": "output_text", "text": "42"}]  # replayed without id, status or annotations
    assistant = {"role": "assistant", "content": parts}
    assert (await post(client, RESPONSES, again(assistant), OPENAI)).status_code == 200
    assistant["content"] = [{"type": "input_text", "text": "42"}]
    r = await post(client, RESPONSES, again(assistant), OPENAI)
    assert r.status_code == 400
    assert (
        r.json()["error"]["message"]
        == "Invalid value: 'input_text'. Supported values are: 'output_text' and 'refusal'."
    )
    assert r.json()["error"]["param"] == "input[1].content[0].type"


async def test_a_function_call_needs_its_reasoning_item(app: SandboxApp, client: httpx2.AsyncClient) -> None:
    # a response that reasoned, then called a tool, as the live API returns it
    output = [
        {"type": "reasoning", "id": "rs_1", "summary": []},
        {
            "type": "function_call",
            "id": "fc_1",
            "call_id": "call_1",
            "name": "get_weather",
            "arguments": "{}",
        },
    ]
    rules_openai.remember_output(Call({}, {}, "r", 0, state=app.state), Reply(body={"output": output}))
    result = {"type": "function_call_output", "call_id": "call_1", "output": "20C"}
    r = await post(
        client, RESPONSES, {"model": "gpt-5.5", "input": [user("weather?"), output[1], result]}, OPENAI
    )
    assert r.json()["error"]["message"] == (
        "Item 'fc_1' of type 'function_call' was provided without its required 'reasoning' item: 'rs_1'."
    )
    r = await post(
        client, RESPONSES, {"model": "gpt-5.5", "input": [user("weather?"), *output, result]}, OPENAI
    )
    assert r.status_code == 200


# --- rules: Anthropic ---------------------------------------------------------------------------


async def test_budget_must_stay_below_max_tokens(client: httpx2.AsyncClient) -> None:
    body = {**CLAUDE, "model": "claude-sonnet-4-5", "max_tokens": 2048, "messages": [user("hi")]}
    body["thinking"] = {"type": "enabled", "budget_tokens": 2048}
    r = await post(client, MESSAGES, body, ANTHROPIC)
    assert r.status_code == 400
    assert r.json()["error"]["message"] == (
        "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at "
        "https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size"
    )
    beta = {**ANTHROPIC, "anthropic-beta": "interleaved-thinking-2025-05-14"}
    assert (await post(client, MESSAGES, body, beta)).status_code == 200  # the budget may span the turn
    body["thinking"]["budget_tokens"] = 2047
    assert (await post(client, MESSAGES, body, ANTHROPIC)).status_code == 200


async def claude_turn(client: httpx2.AsyncClient) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    body = {
        **CLAUDE,
        "messages": [user("What is 6x7?")],
        "thinking": {"type": "adaptive", "display": "summarized"},
    }
    return body, (await post(client, MESSAGES, body, ANTHROPIC)).json()["content"]


async def test_thinking_blocks_come_back_as_they_were(client: httpx2.AsyncClient) -> None:
    body, first = await claude_turn(client)
    history = [user("What is 6x7?"), {"role": "assistant", "content": first}, user("And 7x8?")]
    assert (await post(client, MESSAGES, {**body, "messages": history}, ANTHROPIC)).status_code == 200
    foreign = [{**first[0], "signature": "ErUBCkYIBxgCIkB" + "A" * 40}, *first[1:]]
    history[1] = {"role": "assistant", "content": foreign}
    r = await post(client, MESSAGES, {**body, "messages": history}, ANTHROPIC)
    assert r.json()["error"]["message"] == "messages.1.content.0: Invalid `signature` in `thinking` block"
    edited = [{**first[0], "thinking": first[0]["thinking"] + " (edited)"}, *first[1:]]
    history[1] = {"role": "assistant", "content": edited}
    r = await post(client, MESSAGES, {**body, "messages": history}, ANTHROPIC)
    assert r.json()["error"]["message"] == (
        "`thinking` and `redacted_thinking` blocks in the latest assistant message cannot be modified. "
        "These blocks must remain exactly as received to continue the conversation."
    )
    later = [*history, {"role": "assistant", "content": "56"}, user("Thanks")]  # now an earlier turn's block
    r = await post(client, MESSAGES, {**body, "messages": later}, ANTHROPIC)
    assert r.json()["error"]["message"] == "messages.1.content.0: Invalid `signature` in `thinking` block"


TOOL_USE = {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}}
TOOL_RESULT = {"type": "tool_result", "tool_use_id": "toolu_01", "content": "20C"}
# a history with tool blocks needs its tools defined (the API's 400 otherwise: see rules_anthropic.py)
WEATHER = {
    "name": "get_weather",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}
CLAUDE_TOOLS = {**CLAUDE, "tools": [WEATHER]}


async def test_tool_use_and_tool_result_come_in_pairs(client: httpx2.AsyncClient) -> None:
    ok = [
        user("weather?"),
        {"role": "assistant", "content": [TOOL_USE]},
        {"role": "user", "content": [TOOL_RESULT]},
    ]
    assert (await post(client, MESSAGES, {**CLAUDE_TOOLS, "messages": ok}, ANTHROPIC)).status_code == 200
    no_result = [*ok[:2], user("never mind")]
    r = await post(client, MESSAGES, {**CLAUDE_TOOLS, "messages": no_result}, ANTHROPIC)
    assert r.status_code == 400
    assert r.json()["error"]["message"] == (
        "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_01. "
        "Each `tool_use` block must have a corresponding `tool_result` block in the next message."
    )
    stray = [
        user("weather?"),
        {"role": "assistant", "content": "Let me see."},
        {"role": "user", "content": [TOOL_RESULT]},
    ]
    r = await post(client, MESSAGES, {**CLAUDE_TOOLS, "messages": stray}, ANTHROPIC)
    assert r.json()["error"]["message"] == (
        "messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_01. "
        "Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
    )


async def test_manual_thinking_tool_turns_start_with_thinking(client: httpx2.AsyncClient) -> None:
    thinking = {"type": "enabled", "budget_tokens": 1024}
    turn = [
        user("weather?"),
        {"role": "assistant", "content": [TOOL_USE]},
        {"role": "user", "content": [TOOL_RESULT]},
    ]
    body = {**CLAUDE_TOOLS, "model": "claude-sonnet-4-5", "thinking": thinking, "messages": turn}
    r = await post(client, MESSAGES, body, ANTHROPIC)
    assert r.status_code == 400
    assert r.json()["error"]["message"].startswith(
        "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`. "
        "When `thinking` is enabled, a final `assistant` message must start with a thinking block"
    )
    signed = {
        "type": "thinking",
        "thinking": "I need the weather.",
        "signature": T.sign_thinking("I need the weather."),
    }
    turn[1] = {"role": "assistant", "content": [signed, TOOL_USE]}
    assert (await post(client, MESSAGES, body, ANTHROPIC)).status_code == 200
    adaptive = {**body, "model": "claude-opus-4-6", "thinking": {"type": "adaptive"}}
    turn[1] = {"role": "assistant", "content": [TOOL_USE]}  # adaptive thinking may skip thinking
    assert (await post(client, MESSAGES, adaptive, ANTHROPIC)).status_code == 200


async def test_tool_blocks_need_tools_defined(client: httpx2.AsyncClient) -> None:
    turn = [
        user("weather?"),
        {"role": "assistant", "content": [TOOL_USE]},
        {"role": "user", "content": [TOOL_RESULT]},
    ]
    r = await post(client, MESSAGES, {**CLAUDE, "messages": turn}, ANTHROPIC)
    assert r.status_code == 400
    assert r.json()["error"]["message"] == (
        "Requests which include `tool_use` or `tool_result` blocks must define tools."
    )


# --- rules: Gemini 3 thought signatures ---------------------------------------------------------


def gemini_turn(signature: str | None, key: str = "thoughtSignature") -> list[dict[str, Any]]:
    call: dict[str, Any] = {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}
    if signature is not None:
        call[key] = signature
    second = {"functionCall": {"name": "get_time", "args": {}}}  # a parallel call carries no signature
    response = {"functionResponse": {"name": "get_weather", "response": {"output": "20C"}}}
    other = {"functionResponse": {"name": "get_time", "response": {"output": "12:00"}}}
    return [
        {"role": "user", "parts": [{"text": "Weather and time in Paris?"}]},
        {"role": "model", "parts": [call, second]},
        {"role": "user", "parts": [response, other]},  # one response per call (the API's 400 otherwise)
    ]


MISSING = "Function call is missing a thought_signature in functionCall parts."


async def test_gemini3_function_calls_need_their_signature(client: httpx2.AsyncClient) -> None:
    r = await post(client, GEMINI3, {"contents": gemini_turn(None)}, GOOGLE)
    assert r.status_code == 400 and r.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert r.json()["error"]["message"] == (
        "Function call is missing a thought_signature in functionCall parts. This is required for tools to work "
        "correctly, and missing thought_signature may lead to degraded model performance. Additional data, "
        "function call `default_api:get_weather` , position 2. Please refer to "
        "https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
    )
    r = await post(client, VERTEX, {"contents": gemini_turn(None)}, {"authorization": "Bearer ya29.test"})
    assert r.json()["error"]["message"].startswith(MISSING)
    for signature, key in (
        ("skip_thought_signature_validator", "thoughtSignature"),
        ("c2tpcA==", "thought_signature"),
    ):
        r = await post(client, GEMINI3, {"contents": gemini_turn(signature, key)}, GOOGLE)
        assert MISSING not in r.text  # present: whether it is valid is the handler's business


async def test_gemini_signature_rule_covers_only_the_current_turn_of_gemini3(
    client: httpx2.AsyncClient,
) -> None:
    assert (await post(client, GEMINI25, {"contents": gemini_turn(None)}, GOOGLE)).status_code == 200
    later = [
        *gemini_turn(None),
        {"role": "model", "parts": [{"text": "20C."}]},
        {"role": "user", "parts": [{"text": "Thanks"}]},
    ]
    assert (await post(client, GEMINI3, {"contents": later}, GOOGLE)).status_code == 200


# --- rules: DeepSeek, Mistral -------------------------------------------------------------------


async def test_deepseek_tool_turns_carry_reasoning_content_even_empty(client: httpx2.AsyncClient) -> None:
    call = {"id": "call_0", "type": "function", "function": {"name": "clock", "arguments": "{}"}}
    turn = {"role": "assistant", "content": "", "tool_calls": [call]}
    messages = [user("time?"), turn, {"role": "tool", "tool_call_id": "call_0", "content": "12:00"}]
    r = await post(client, DEEPSEEK, {"model": "deepseek-v4-flash", "messages": messages}, OPENAI)
    assert r.status_code == 400
    assert (
        r.json()["error"]["message"]
        == "The `reasoning_content` in the thinking mode must be passed back to the API."
    )
    turn["reasoning_content"] = ""
    assert (
        await post(client, DEEPSEEK, {"model": "deepseek-v4-flash", "messages": messages}, OPENAI)
    ).status_code == 200


@pytest.mark.parametrize("bad", ["turn1_0", "call_abc123", "D681PevK", "D681PevK!"])
async def test_mistral_tool_call_ids_are_nine_alphanumerics(client: httpx2.AsyncClient, bad: str) -> None:
    def history(tid: str) -> list[dict[str, Any]]:
        call = {"id": tid, "type": "function", "function": {"name": "f", "arguments": "{}"}}
        return [
            user("x"),
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": tid, "content": "y"},
        ]

    body = {"model": "mistral-small-latest", "messages": history(bad)}
    r = await post(client, MISTRAL, body, OPENAI)
    assert r.status_code == 400
    assert r.json() == {
        "object": "error",
        "message": f"Tool call id was {bad} but must be a-z, A-Z, 0-9, with a length of 9.",
        "type": "invalid_function_call",
        "param": None,
        "code": "3280",
    }
    assert (
        await post(client, MISTRAL, {**body, "messages": history("D681PevKs")}, OPENAI)
    ).status_code == 200


async def test_mistral_tool_messages_need_their_call_id(client: httpx2.AsyncClient) -> None:
    body = {"model": "mistral-small-latest", "messages": [user("x"), {"role": "tool", "content": "y"}]}
    r = await post(client, MISTRAL, body, OPENAI)
    assert r.status_code == 400 and r.json()["message"] == "Tool call id has to be defined."


# --- rules: OpenAI Chat Completions tool messages ------------------------------------------------


def chat_call(tid: str) -> dict[str, Any]:
    return {"id": tid, "type": "function", "function": {"name": "clock", "arguments": "{}"}}


async def test_chat_tool_messages_answer_the_calls_before_them(client: httpx2.AsyncClient) -> None:
    asked = {"role": "assistant", "content": None, "tool_calls": [chat_call("call_1"), chat_call("call_2")]}
    answers = [{"role": "tool", "tool_call_id": t, "content": "12:00"} for t in ("call_2", "call_1")]
    ok = [user("time?"), asked, *answers]
    assert (await post(client, CHAT, {"model": "gpt-5.5", "messages": ok}, OPENAI)).status_code == 200
    r = await post(client, CHAT, {"model": "gpt-5.5", "messages": [*ok[:3], user("and?")]}, OPENAI)
    assert r.status_code == 400
    assert r.json()["error"] == {
        "message": "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
        "'tool_call_id'. The following tool_call_ids did not have response messages: call_1",
        "type": "invalid_request_error",
        "param": "messages.[1].role",
        "code": None,
    }
    orphan = [user("time?"), {"role": "assistant", "content": "Let me look."}, answers[0]]
    r = await post(client, CHAT, {"model": "gpt-5.5", "messages": orphan}, OPENAI)
    assert r.json()["error"]["message"] == (
        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'."
    )
    assert r.json()["error"]["param"] == "messages.[2].role"


async def test_chat_messages_need_no_content(client: httpx2.AsyncClient) -> None:
    # captured against api.openai.com: a message without content is accepted (the SDK types say otherwise)
    messages = [{"role": "user"}, {"role": "assistant", "content": None}, user("ping")]
    assert (await post(client, CHAT, {"model": "gpt-5.5", "messages": messages}, OPENAI)).status_code == 200


async def test_mistral_every_tool_call_gets_one_answer(client: httpx2.AsyncClient) -> None:
    calls = [chat_call("D681PevKs"), chat_call("X0bq2WmLp")]
    asked = {"role": "assistant", "content": "", "tool_calls": calls}
    one = {"role": "tool", "tool_call_id": "D681PevKs", "content": "12:00"}
    body = {"model": "mistral-small-latest", "messages": [user("x"), asked, one, user("and?")]}
    r = await post(client, MISTRAL, body, OPENAI)
    assert (
        r.status_code == 400 and r.json()["message"] == "Not the same number of function calls and responses"
    )
    two = {"role": "tool", "tool_call_id": "X0bq2WmLp", "content": "13:00"}
    body["messages"] = [user("x"), asked, one, two]
    assert (await post(client, MISTRAL, body, OPENAI)).status_code == 200


# --- our codecs against the strict sandbox, where the existing tests did not reach -----------------

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


@pytest.mark.parametrize(
    "model",
    [
        "openai/gpt-6.1-terra",
        "anthropic/claude-sonnet-5-5",
        "gemini/gemini-3.8-flash",
        "vertex/gemini-3.8-flash",
        "mistral/mistral-medium-3-5",
    ],
)
@pytest.mark.parametrize(
    "image",
    [
        {"data": PNG, "media_type": "image/png"},
        {"url": "https://example.com/a.png", "media_type": "image/png"},
    ],
)
def test_images_from_our_codecs_pass(model: str, image: dict[str, str]) -> None:
    from llmkit_nb import LLMKit
    from providers.types import ImagePart, Message, TextPart

    kit = LLMKit(sandbox=True)
    try:
        message = Message(role="user", parts=[TextPart(text="What is this?"), ImagePart(**image)])
        assert "What is this?" in kit.chat(model, [message]).text
        sent = kit.client.sandbox_app.requests[-1].body
        if model.startswith("openai/"):  # Responses' input_image requires `detail` (the SDK's types)
            assert sent["input"][0]["content"][1]["detail"] == "auto"
    finally:
        kit.close()
