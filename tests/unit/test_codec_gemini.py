"""Gemini codec (both doors): dict in, dict out, from wire/ examples and google-genai 3.6.1's own test data."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from providers.chat.base import Connection
from providers.chat.gemini import Gemini
from providers.chat.gemini_response import FINISH, usage_from
from providers.credentials import Secret
from providers.errors import (
    AuthenticationError,
    InvalidParameterError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ThinkingNotSupportedError,
)
from providers.registry import ModelInfo, list_models, lookup_model
from providers.thinking import ThinkingCaps, coerce, resolve
from providers.types import ChatRequest, ImagePart, Message, TextDelta, TextPart, ThinkingDelta, ThinkingPart
from tests.helpers import FIXTURES, fixture_json, sse_events

types = pytest.importorskip("google.genai.types")

CODEC = Gemini()
KEY = "AIza-test-key"
CONN = Connection(
    provider="gemini",
    base_url="https://generativelanguage.googleapis.com",
    key=Secret(KEY),
    auth="x-goog-api-key",
    api_version="v1",
)
QUESTION = Message.user("Why is the sky blue?")


def request(model: str, thinking: object = None, *, provider: str = "gemini", **kw: Any) -> ChatRequest:
    kw.setdefault("messages", [QUESTION])
    return ChatRequest(provider=provider, model=model, thinking=coerce(thinking), **kw)


def prepare(
    model: str, thinking: object = None, *, conn: Connection = CONN, **kw: Any
) -> tuple[Any, list[str]]:
    # (the wire mapping of a retired model still matters: allow_retired=True tries it anyway)
    info = lookup_model(conn.provider, model, allow_retired=True)
    req = request(model, thinking, provider=conn.provider, **kw)
    resolved = resolve(req.thinking, info.thinking, model=f"{conn.provider}/{model}")
    notes = [*resolved.notes, *CODEC.check(req, info, resolved)]
    return CODEC.build(req, conn, resolved, info), notes


def body(model: str, thinking: object = None, **kw: Any) -> dict[str, Any]:
    call, _ = prepare(model, thinking, **kw)
    assert call.json_body is not None
    return call.json_body


def thinking_config(model: str, thinking: object = None) -> dict[str, Any] | None:
    return body(model, thinking).get("generationConfig", {}).get("thinkingConfig")


# --- the request -----------------------------------------------------------------------------------


def test_url_auth_and_body_shape() -> None:
    call, _ = prepare("gemini-3.8-flash", "high", system="be brief", max_tokens=100)
    assert call.url == "https://generativelanguage.googleapis.com/v1/models/gemini-3.8-flash:generateContent"
    assert call.headers["x-goog-api-key"] == KEY and "authorization" not in call.headers
    assert call.params == {} and not call.stream
    assert call.json_body == {
        "contents": [{"role": "user", "parts": [{"text": "Why is the sky blue?"}]}],
        "systemInstruction": {"parts": [{"text": "be brief"}]},
        "generationConfig": {
            "maxOutputTokens": 100,
            "thinkingConfig": {"thinkingLevel": "HIGH", "includeThoughts": True},
        },
    }
    assert call.sent["generationConfig"]["thinkingConfig"]["thinkingLevel"] == "HIGH"
    assert KEY not in repr(call)


def test_streaming_uses_stream_generate_content_with_alt_sse() -> None:
    call, _ = prepare("gemini-3.8-flash", stream=True)
    assert call.url.endswith("/v1/models/gemini-3.8-flash:streamGenerateContent")
    assert call.params == {"alt": "sse"} and call.stream


def test_api_version_setting_beta_means_v1beta() -> None:
    conn = Connection(**{**CONN.__dict__, "settings": {"api_version": "beta"}})
    assert "/v1beta/models/" in prepare("gemini-3.8-flash", conn=conn)[0].url
    conn = Connection(**{**CONN.__dict__, "settings": {"api_version": "v1alpha"}})
    assert "/v1alpha/models/" in prepare("gemini-3.8-flash", conn=conn)[0].url


@pytest.mark.parametrize(
    ("model", "thinking", "expected"),
    [
        ("gemini-3.8-flash", "medium", {"thinkingLevel": "MEDIUM", "includeThoughts": True}),
        ("gemini-3.5-flash", "minimal", {"thinkingLevel": "MINIMAL", "includeThoughts": True}),
        ("gemini-3.1-pro-preview", "low", {"thinkingLevel": "LOW", "includeThoughts": True}),
        ("gemini-3.8-flash", True, {"includeThoughts": True}),  # on, at the model's own default level
        ("gemini-3.8-flash", None, {"includeThoughts": True}),  # Gemini 3 always thinks: ask to see it
        ("gemini-2.5-flash", 2048, {"thinkingBudget": 2048, "includeThoughts": True}),
        ("gemini-2.5-flash", True, {"thinkingBudget": -1, "includeThoughts": True}),  # dynamic
        ("gemini-2.5-flash", False, {"thinkingBudget": 0}),
        ("gemini-2.5-flash", "high", {"thinkingBudget": 16384, "includeThoughts": True}),
        ("gemini-2.5-flash", None, {"includeThoughts": True}),  # thinks by default
        ("gemini-2.5-pro", "max", {"thinkingBudget": 32768, "includeThoughts": True}),  # clamped to range
        ("gemini-2.5-flash-lite", None, None),  # off by default: nothing sent
    ],
)
def test_thinking_config(model: str, thinking: object, expected: dict[str, Any] | None) -> None:
    assert thinking_config(model, thinking) == expected


def test_unsupported_level_maps_to_the_closest_and_says_so() -> None:
    call, notes = prepare("gemini-3.8-flash", "minimal")  # 3.7+ Flash has no MINIMAL
    assert call.json_body["generationConfig"]["thinkingConfig"]["thinkingLevel"] == "LOW"
    assert any("closest 'low'" in n for n in notes)
    call, notes = prepare("gemini-3.1-pro-preview", "max")
    assert call.json_body["generationConfig"]["thinkingConfig"]["thinkingLevel"] == "HIGH"
    assert any("closest 'high'" in n for n in notes)


def test_a_budget_on_a_level_model_becomes_a_level() -> None:
    call, notes = prepare("gemini-3.8-flash", 16000)
    assert call.json_body["generationConfig"]["thinkingConfig"] == {
        "thinkingLevel": "HIGH",
        "includeThoughts": True,
    }
    assert any("budget 16000 -> effort 'high'" in n for n in notes)


def test_level_and_budget_are_never_sent_together() -> None:
    seen = 0
    for info in list_models("gemini", thinking=True) + list_models("vertex", thinking=True):
        for thinking in (None, True, "minimal", "low", "medium", "high", "xhigh", "max", 600, 4096, 20000):
            try:
                req = request(info.id, thinking, provider=info.provider)
                resolved = resolve(req.thinking, info.thinking, model=info.id)
            except InvalidParameterError:
                continue  # a budget outside the model's range: refused before sending
            conf = CODEC.build(req, CONN, resolved, info).json_body.get("generationConfig", {})
            cfg = conf.get("thinkingConfig") or {}
            assert not ("thinkingLevel" in cfg and "thinkingBudget" in cfg), (info.id, thinking)
            want = "thinkingBudget" if info.thinking.style == "gemini_budget" else "thinkingLevel"
            unwanted = "thinkingLevel" if want == "thinkingBudget" else "thinkingBudget"
            assert unwanted not in cfg, (info.id, thinking, cfg)
            if cfg.get("thinkingLevel"):
                assert cfg["thinkingLevel"].lower() in info.thinking.efforts
            seen += 1
    assert seen > 100


@pytest.mark.parametrize(
    ("model", "thinking", "message"),
    [
        ("gemini-2.5-pro", 50, r"outside gemini/gemini-2.5-pro's range \(128..32768"),
        ("gemini-2.5-flash", 30000, r"\(1..24576 tokens\)"),
        ("gemini-2.5-flash-lite", 100, r"\(512..24576 tokens\)"),
        ("gemini-2.5-pro", False, "cannot turn it off"),
        ("gemini-3.8-flash", False, r"lowest effort \(low\)"),
        ("gemini-3.5-flash", False, r"lowest effort \(minimal\)"),
    ],
)
def test_bad_thinking_is_refused_before_sending(model: str, thinking: object, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        prepare(model, thinking)


def test_thinking_on_a_model_that_cannot_think_is_refused() -> None:
    info = ModelInfo(provider="gemini", id="gemma-like", status="current", thinking=ThinkingCaps())
    with pytest.raises(ThinkingNotSupportedError, match="cannot think"):
        resolve(coerce("high"), info.thinking, model="gemini/gemma-like")
    req = request("gemma-like")
    assert CODEC.build(req, CONN, resolve(None, info.thinking, model="x"), info).json_body == {
        "contents": [{"role": "user", "parts": [{"text": "Why is the sky blue?"}]}]
    }


def test_options_go_to_generation_config_or_top_level() -> None:
    b = body(
        "gemini-3.8-flash",
        options={"temperature": 1.0, "top_p": 0.9, "stop": ["x"], "safetySettings": [{"category": "c"}]},
    )
    assert b["generationConfig"]["temperature"] == 1.0
    assert b["generationConfig"]["topP"] == 0.9 and b["generationConfig"]["stopSequences"] == ["x"]
    assert b["safetySettings"] == [{"category": "c"}]
    with pytest.raises(InvalidParameterError, match="pass thinking= instead"):
        prepare("gemini-3.8-flash", options={"thinkingConfig": {"thinkingBudget": 5}})


def test_images() -> None:
    msg = Message(
        role="user",
        parts=[
            TextPart(text="what is this?"),
            ImagePart(data="iVBORw0KGgo=", media_type="image/png"),
            ImagePart(url="data:image/jpeg;base64,/9j/4AAQ"),
            ImagePart(url="gs://bucket/cat.webp", media_type="image/webp"),
        ],
    )
    parts = body("gemini-3.8-flash", messages=[msg])["contents"][0]["parts"]
    assert parts[1] == {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}
    assert parts[2] == {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/4AAQ"}}
    assert parts[3] == {"fileData": {"mimeType": "image/webp", "fileUri": "gs://bucket/cat.webp"}}
    with pytest.raises(InvalidParameterError, match="media type"):
        body("gemini-3.8-flash", messages=[Message(role="user", parts=[ImagePart(url="https://x/cat")])])


# --- the response ----------------------------------------------------------------------------------


def parse(name: str, provider: str = "gemini") -> Any:
    payload = fixture_json(name)
    types.GenerateContentResponse.model_validate(payload)  # the SDK accepts the fixture as it is
    return CODEC.parse(payload, request("gemini-3.8-flash", provider=provider))


def test_parse_thought_summary_and_signature_on_the_answer_part() -> None:
    r = parse("gemini_response.json")  # wire/chat.md 3.3
    thought, carrier, answer = r.parts
    assert (
        isinstance(thought, ThinkingPart) and thought.text.startswith("**Analyzing") and not thought.signature
    )
    assert isinstance(carrier, ThinkingPart) and carrier.redacted and carrier.encrypted == "CiQBVKhc"
    assert isinstance(answer, TextPart) and answer.text == "The answer is 42."
    assert r.text == "The answer is 42." and r.reasoning.startswith("**Analyzing")
    assert r.finish_reason == "stop" and r.raw_finish_reason == "STOP"
    assert r.visibility == "summary" and r.model == "gemini-2.5-flash"
    # 10 + 50 + 400 == 460: thoughts are not inside candidatesTokenCount
    assert (r.usage.input_tokens, r.usage.output_tokens, r.usage.reasoning_tokens) == (10, 450, 400)
    assert r.usage.total_tokens == 460


def test_signatures_go_back_verbatim_on_the_part_they_came_on() -> None:
    payload = fixture_json("gemini_response.json")
    r = CODEC.parse(payload, request("gemini-3.8-flash"))
    follow_up = [QUESTION, r.to_message(), Message.user("And sunsets?")]
    contents = body("gemini-3.8-flash", messages=follow_up)["contents"]
    assert contents[1] == payload["candidates"][0]["content"]
    assert contents[2] == {"role": "user", "parts": [{"text": "And sunsets?"}]}


def test_a_signature_on_a_thought_part_stays_on_it() -> None:
    payload = {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [{"text": "t", "thought": True, "thoughtSignature": "c2ln"}, {"text": "a"}],
                },
                "finishReason": "STOP",
            }
        ]
    }
    r = CODEC.parse(payload, request("gemini-2.5-flash"))
    assert [type(p).__name__ for p in r.parts] == ["ThinkingPart", "TextPart"]
    assert r.parts[0].signature == "c2ln"  # type: ignore[union-attr]
    back = body("gemini-2.5-flash", messages=[QUESTION, r.to_message(), QUESTION])["contents"][1]
    assert back == payload["candidates"][0]["content"]


def test_signed_parts_are_not_merged_into_others() -> None:
    parts = [
        {"text": "A", "thoughtSignature": "c2lnMQ=="},
        {"text": "B"},
        {"text": "C", "thoughtSignature": "c2lnMg=="},
    ]
    payload = {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}]}
    r = CODEC.parse(payload, request("gemini-3.8-flash"))
    assert r.text == "ABC"
    back = body("gemini-3.8-flash", messages=[QUESTION, r.to_message(), QUESTION])["contents"][1]["parts"]
    assert back == parts


def test_signatures_go_only_to_the_provider_that_made_them() -> None:
    r = parse("gemini_response.json", provider="vertex")
    foreign = ThinkingPart(text="claude thought", signature="anthropic-sig", provider="anthropic")
    cut = ThinkingPart(text="half a thou", provider="gemini", truncated=True)
    turn = r.to_message().model_copy(update={"parts": [foreign, cut, *r.parts]})
    call, notes = prepare("gemini-3.8-flash", messages=[QUESTION, turn, QUESTION])
    sent = call.json_body["contents"][1]["parts"]
    assert sent == [{"text": "The answer is 42."}]  # no vertex or anthropic signature, no thought text
    assert any("4 thinking part(s) not sent back" in n for n in notes)


def test_sdk_unary_fixture_continuation_and_usage_with_tool_prompt() -> None:
    r = parse("gemini_sdk_unary.json")  # google-genai's own test payload
    assert r.reasoning == "Thinking step 1..." and r.text == "Hello "
    assert r.finish_reason == "length" and r.raw_finish_reason == "CONTINUATION"
    assert any("continuationToken" in n for n in r.notes)
    # 120 + 50 + 30 == 200: exclusive; the tool-use prompt counts as input
    assert (r.usage.input_tokens, r.usage.output_tokens, r.usage.reasoning_tokens) == (130, 80, 30)
    assert r.usage.cached_tokens == 40 and r.usage.total_tokens == 200


def test_inclusive_candidates_count_is_detected_not_assumed() -> None:
    usage, note = usage_from(
        {
            "promptTokenCount": 10,
            "candidatesTokenCount": 450,
            "thoughtsTokenCount": 400,
            "totalTokenCount": 460,
        }
    )
    assert usage.output_tokens == 450 and usage.reasoning_tokens == 400
    assert note and "already includes" in note
    usage, note = usage_from(
        {
            "promptTokenCount": 10,
            "candidatesTokenCount": 50,
            "thoughtsTokenCount": 400,
            "totalTokenCount": 460,
        }
    )
    assert usage.output_tokens == 450 and note is None


def test_every_finish_reason_of_the_sdk_is_mapped() -> None:
    values = {f.value for f in types.FinishReason}
    assert values <= set(FINISH), values - set(FINISH)
    for raw, normalized in [
        ("MAX_TOKENS", "length"),
        ("SAFETY", "content_filter"),
        ("SPII", "content_filter"),
    ]:
        payload = {
            "candidates": [{"content": {"role": "model", "parts": [{"text": "x"}]}, "finishReason": raw}]
        }
        r = CODEC.parse(payload, request("gemini-3.8-flash"))
        assert (r.finish_reason, r.raw_finish_reason) == (normalized, raw)


def test_a_safety_stop_names_the_blocked_category() -> None:
    payload = {
        "candidates": [
            {
                "content": {"role": "model"},
                "finishReason": "SAFETY",
                "safetyRatings": [
                    {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": True}
                ],
            }
        ]
    }
    types.GenerateContentResponse.model_validate(payload)
    r = CODEC.parse(payload, request("gemini-3.8-flash"))
    assert r.parts == [] and r.finish_reason == "content_filter"
    assert any("SAFETY (HARM_CATEGORY_HARASSMENT)" in n for n in r.notes)


def test_a_blocked_prompt_is_a_result_with_a_note() -> None:
    r = parse("gemini_blocked.json")
    assert r.parts == [] and r.text == ""
    assert (r.finish_reason, r.raw_finish_reason) == ("content_filter", "PROHIBITED_CONTENT")
    assert any("blocked the prompt" in n and "The prompt was blocked." in n for n in r.notes)
    assert r.usage.input_tokens == 9


def test_unsupported_parts_are_noted_not_dropped_silently() -> None:
    payload = {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [{"executableCode": {"language": "PYTHON", "code": "1"}}, {"text": "x"}],
                },
                "finishReason": "STOP",
            }
        ]
    }
    r = CODEC.parse(payload, request("gemini-3.8-flash"))
    assert r.text == "x" and any("executableCode" in n for n in r.notes) and r.raw == payload


# --- streams ---------------------------------------------------------------------------------------


def feed(name: str, limit: int | None = None) -> tuple[Any, list[Any]]:
    decoder = CODEC.decoder(request("gemini-3.8-flash"))
    deltas: list[Any] = []
    for event, data in sse_events(name)[:limit]:
        types.GenerateContentResponse.model_validate_json(data)
        deltas += decoder.feed(event, data)
    return decoder, deltas


def test_sdk_stream_fixture() -> None:
    decoder, deltas = feed("gemini_sdk_stream.sse")
    assert [d.text for d in deltas] == ["Part A ", "Part B ", "Part C!"]
    assert decoder.done and decoder.reads_to_end
    r = decoder.result()
    assert r.text == "Part A Part B Part C!" and r.finish_reason == "stop"
    assert r.usage.output_tokens == 500  # the last chunk's usage


def test_thinking_stream_matches_the_whole_response() -> None:
    decoder, deltas = feed("gemini_thinking_stream.sse")
    assert isinstance(deltas[0], ThinkingDelta) and isinstance(deltas[-1], TextDelta)
    r = decoder.result()
    assert r.reasoning == "**Scattering**\nShort wavelengths scatter more."
    assert r.text == "Rayleigh scattering makes the sky blue."
    carrier = r.parts[1]
    assert isinstance(carrier, ThinkingPart) and carrier.redacted and carrier.encrypted
    assert (r.usage.output_tokens, r.usage.reasoning_tokens) == (31, 24)
    # the signature that came on the last (empty) chunk goes back on the joined answer part
    back = body("gemini-3.8-flash", messages=[QUESTION, r.to_message(), QUESTION])["contents"][1]["parts"]
    assert back[1] == {"text": r.text, "thoughtSignature": carrier.encrypted}


def test_a_stream_cut_short_keeps_no_signature() -> None:
    decoder, _ = feed("gemini_thinking_stream.sse", limit=3)
    assert not decoder.done
    r = decoder.result()
    assert r.text == "Rayleigh scattering " and not any(p.signature or p.encrypted for p in r.thinking_parts)
    assert not r.parts[-1].text.endswith("blue.")
    decoder, _ = feed("gemini_thinking_stream.sse", limit=1)
    (thought,) = decoder.result().parts
    assert isinstance(thought, ThinkingPart) and thought.truncated and thought.signature is None


def test_an_error_chunk_raises_a_typed_error() -> None:
    decoder = CODEC.decoder(request("gemini-3.8-flash"))
    err = (FIXTURES / "gemini_error_429.json").read_text()
    with pytest.raises(RateLimitError):
        decoder.feed("message", err)


# --- errors ----------------------------------------------------------------------------------------


def error(status: int, body: bytes, headers: dict[str, str] | None = None) -> Any:
    return CODEC.parse_error("gemini", status, httpx2.Headers(headers or {}), body)


def test_429_resource_exhausted_is_a_rate_limit_with_google_retry_delay() -> None:
    raw = (FIXTURES / "gemini_error_429.json").read_bytes()
    e = error(429, raw)
    assert isinstance(e, RateLimitError) and e.retry_after == 19.0 and e.code == "RESOURCE_EXHAUSTED"
    assert e.message.startswith("Resource has been exhausted")
    assert error(429, raw, {"retry-after": "3"}).retry_after == 3.0  # a header wins


def test_a_bad_key_is_an_authentication_error_even_as_400() -> None:
    e = error(400, (FIXTURES / "gemini_error_key.json").read_bytes())
    assert isinstance(e, AuthenticationError) and e.code == "API_KEY_INVALID"


@pytest.mark.parametrize(
    ("status", "name", "cls"),
    [
        (403, "PERMISSION_DENIED", PermissionDeniedError),
        (404, "NOT_FOUND", NotFoundError),
        (503, "UNAVAILABLE", ServerError),
    ],
)
def test_status_errors(status: int, name: str, cls: type) -> None:
    raw = f'[{{"error": {{"code": {status}, "message": "m", "status": "{name}"}}}}]'.encode()
    e = error(status, raw)  # some Google endpoints wrap the error in an array
    assert type(e) is cls and e.message == "m" and e.status == status
    assert isinstance(error(status, b"<html>gateway</html>"), cls)
