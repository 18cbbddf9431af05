"""Gemini API and Vertex AI end to end through the sandbox: both doors, thinking, signatures, streams, errors."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from llmkit_nb import LLMKit
from llmkit_nb.display.objects import chat_mimebundle, error_mimebundle
from providers.asgi_transport import StreamingASGITransport
from providers.client import AsyncClient
from providers.errors import (
    AuthenticationError,
    BadRequestError,
    IncompleteStreamError,
    ModelRetiredError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from providers.sandbox import SandboxApp
from providers.types import Message, TextDelta, ThinkingDelta, ThinkingPart
from tests.conftest import CANARY

DOORS = ["gemini/gemini-3.8-flash", "vertex/gemini-3.8-flash"]
Q = "Why is the sky blue?"


@pytest.fixture
def kit():  # type: ignore[no-untyped-def]
    k = LLMKit(sandbox=True, settings={"vertex": {"project": "demo-proj", "location": "europe-west4"}})
    yield k
    k.close()


def sent(kit: LLMKit) -> Any:
    return kit.client.sandbox_app.requests[-1]


def thinking_config(kit: LLMKit) -> dict[str, Any] | None:
    return (sent(kit).body.get("generationConfig") or {}).get("thinkingConfig")


@pytest.mark.parametrize("model", DOORS)
def test_thinking_on_both_doors_shows_reasoning(kit: LLMKit, model: str) -> None:
    r = kit.chat(model, Q, thinking="high")
    assert Q in r.text and r.reasoning and r.usage.reasoning_tokens and r.visibility == "summary"
    assert thinking_config(kit) == {"thinkingLevel": "HIGH", "includeThoughts": True}
    assert r.sandbox and r.request_id and r.finish_reason == "stop"
    html = chat_mimebundle(r)["text/html"]
    assert "<details" in html and "SANDBOX" in html and "thinkingLevel" in html


def test_each_door_has_its_endpoint(kit: LLMKit) -> None:
    g = kit.chat("gemini/gemini-3.8-flash", Q)
    assert (
        g.endpoint == "https://generativelanguage.googleapis.com/v1/models/gemini-3.8-flash:generateContent"
    )
    assert sent(kit).headers["x-goog-api-key"] == "***"
    v = kit.chat("vertex/gemini-3.8-flash", Q)
    assert v.endpoint == (
        "https://europe-west4-aiplatform.googleapis.com/v1beta1/projects/demo-proj/locations/europe-west4"
        "/publishers/google/models/gemini-3.8-flash:generateContent"
    )
    assert sent(kit).headers["authorization"] == "Bearer ***"


@pytest.mark.parametrize(
    ("location", "host"),
    [
        ("global", "aiplatform.googleapis.com"),
        ("eu", "aiplatform.eu.rep.googleapis.com"),
        ("us", "aiplatform.us.rep.googleapis.com"),
        ("us-central1", "us-central1-aiplatform.googleapis.com"),
    ],
)
def test_vertex_locations_reach_their_hosts(location: str, host: str) -> None:
    with LLMKit(sandbox=True, settings={"vertex": {"project": "p", "location": location}}) as k:
        r = k.chat("vertex/gemini-3.5-flash", Q, thinking="low")
        assert r.endpoint.startswith(f"https://{host}/v1beta1/projects/p/locations/{location}/")
        assert r.reasoning


async def test_the_sandbox_refuses_a_host_that_does_not_serve_the_location() -> None:
    """What a wrong host (e.g. eu-aiplatform.googleapis.com) gets: the host check can fail."""
    async with httpx2.AsyncClient(transport=StreamingASGITransport(SandboxApp())) as http:
        reply = await http.post(
            "https://eu-aiplatform.googleapis.com/v1beta1/projects/p/locations/eu/publishers/google/models/"
            "gemini-3.8-flash:generateContent",
            headers={"authorization": "Bearer t"},
            json={"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
        )
    assert reply.status_code == 400 and "does not serve location eu" in reply.json()["error"]["message"]


def test_express_mode(kit: LLMKit) -> None:
    with LLMKit(sandbox=True, settings={"vertex": {"api_key": "AIza-express"}}) as k:
        r = k.chat("vertex/gemini-3.8-flash", Q, thinking="medium")
        assert r.endpoint == (
            "https://aiplatform.googleapis.com/v1beta1/publishers/google/models/gemini-3.8-flash:generateContent"
        )
        assert r.reasoning and k.client.sandbox_app.requests[-1].headers["x-goog-api-key"] == "***"


@pytest.mark.parametrize("model", DOORS)
def test_levels_change_how_much_it_thinks(kit: LLMKit, model: str) -> None:
    low = kit.chat(model, Q, thinking="low")
    high = kit.chat(model, Q, thinking="high")
    assert low.usage.reasoning_tokens and high.usage.reasoning_tokens
    assert low.usage.reasoning_tokens < high.usage.reasoning_tokens


def test_minimal_on_a_model_without_it_sends_low_and_says_so(kit: LLMKit) -> None:
    r = kit.chat("gemini/gemini-3.8-flash", Q, thinking="minimal")
    assert thinking_config(kit) == {"thinkingLevel": "LOW", "includeThoughts": True}
    assert any("closest 'low'" in n for n in r.notes)
    kit.chat("gemini/gemini-3.5-flash-lite", Q, thinking="minimal")
    assert thinking_config(kit) == {"thinkingLevel": "MINIMAL", "includeThoughts": True}


def test_budgets_on_the_2_5_family(kit: LLMKit) -> None:
    r = kit.chat("gemini/gemini-2.5-flash-lite", Q, thinking=2048)
    assert thinking_config(kit) == {"thinkingBudget": 2048, "includeThoughts": True} and r.reasoning
    r = kit.chat("gemini/gemini-2.5-flash-lite", Q, thinking=False)
    assert thinking_config(kit) == {"thinkingBudget": 0} and not r.reasoning and not r.usage.reasoning_tokens
    r = kit.chat("gemini/gemini-2.5-flash-lite", Q, thinking=True)
    assert thinking_config(kit) == {"thinkingBudget": -1, "includeThoughts": True} and r.reasoning
    r = kit.chat("gemini/gemini-2.5-flash-lite", Q)
    assert thinking_config(kit) is None and not r.reasoning  # off by default
    with pytest.raises(ModelRetiredError, match=r"use vertex/gemini-3\.8-flash"):
        kit.chat("vertex/gemini-2.5-pro", Q)  # retired on Vertex on 2026-10-20
    with pytest.raises(ModelRetiredError, match=r"retired on 2026-12-01; use gemini/gemini-3\.8-flash"):
        kit.chat("gemini/gemini-2.5-pro", Q)  # and on the Gemini API on 2026-12-01 (its retires_on date)


@pytest.mark.parametrize("model", [*DOORS, "gemini/gemini-2.5-flash-lite"])
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_multi_turn_sends_signatures_back_on_their_parts(kit: LLMKit, model: str, stream: bool) -> None:
    first = kit.chat(model, Q, thinking="high", stream=stream)
    signed = [p for p in first.thinking_parts if p.signature or p.encrypted]
    assert signed and all(p.provider == model.split("/")[0] for p in signed)
    second = kit.chat(
        model, [Message.user(Q), first, Message.user("And why are sunsets red?")], thinking="high"
    )
    assert "sunsets" in second.text
    model_turn = sent(kit).body["contents"][1]
    assert model_turn["role"] == "model"
    signed_parts = [p for p in model_turn["parts"] if "thoughtSignature" in p]
    assert len(signed_parts) == 1
    if model.endswith("3.8-flash"):  # Gemini 3: on the answer; 2.5: on the thought
        assert signed_parts[0]["text"] == first.text and "thought" not in signed_parts[0]
    else:
        assert signed_parts[0]["thought"] is True and signed_parts[0]["text"] == first.reasoning


@pytest.mark.parametrize("model", DOORS)
def test_a_tampered_signature_is_refused(kit: LLMKit, model: str) -> None:
    first = kit.chat(model, Q, thinking="high")
    edited = first.model_copy(
        update={
            "parts": [
                p.model_copy(update={"text": p.text + "!"}) if p.kind == "text" else p for p in first.parts
            ]
        }
    )
    with pytest.raises(BadRequestError, match="Thought signature is not valid"):
        kit.chat(model, [Message.user(Q), edited, Message.user("again")])


def test_signatures_do_not_cross_doors(kit: LLMKit) -> None:
    first = kit.chat("gemini/gemini-3.8-flash", Q, thinking="high")
    r = kit.chat("vertex/gemini-3.8-flash", [Message.user(Q), first, Message.user("again")])
    assert not any(
        "thoughtSignature" in p or p.get("thought") for p in sent(kit).body["contents"][1]["parts"]
    )
    assert any("not sent back" in n for n in r.notes)


@pytest.mark.parametrize("model", [*DOORS, "gemini/gemini-2.5-flash-lite"])
def test_stream_matches_the_whole_answer(kit: LLMKit, model: str) -> None:
    whole = kit.chat(model, "Olá, coração 🌍 — ça va?", thinking="low")
    assert sent(kit).path.endswith(":generateContent")
    streamed = kit.chat(model, "Olá, coração 🌍 — ça va?", thinking="low", stream=True)
    assert sent(kit).path.endswith(":streamGenerateContent")
    assert streamed.text == whole.text and streamed.reasoning == whole.reasoning
    assert streamed.usage == whole.usage and streamed.finish_reason == whole.finish_reason == "stop"


async def test_stream_events_come_thinking_first() -> None:
    async with AsyncClient(sandbox=True) as client:
        events = [e async for e in client.stream("gemini/gemini-3.8-flash", Q, thinking="high")]
    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "ThinkingDelta" and kinds[-1] == "Done" and "TextDelta" in kinds
    assert kinds.index("TextDelta") > max(i for i, k in enumerate(kinds) if k == "ThinkingDelta")
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    reasoning = "".join(e.text for e in events if isinstance(e, ThinkingDelta))
    assert text == events[-1].result.text and reasoning == events[-1].result.reasoning  # type: ignore[union-attr]


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_a_blocked_prompt_is_a_result_with_a_note(kit: LLMKit, stream: bool) -> None:
    r = kit.chat("gemini/gemini-3.8-flash", "sandbox:block-prompt please", stream=stream)
    assert r.text == "" and r.finish_reason == "content_filter" and r.raw_finish_reason == "SAFETY"
    assert any("blocked the prompt" in n for n in r.notes)
    html = chat_mimebundle(r)["text/html"]
    assert "content_filter" in html and "blocked the prompt" in html


def test_a_safety_stop(kit: LLMKit) -> None:
    r = kit.chat("vertex/gemini-3.8-flash", "sandbox:safety-stop now")
    assert r.text == "" and r.finish_reason == "content_filter" and r.raw_finish_reason == "SAFETY"
    assert any("HARM_CATEGORY_HARASSMENT" in n for n in r.notes)


def test_max_tokens_counts_thoughts_and_stops_with_length(kit: LLMKit) -> None:
    r = kit.chat(
        "gemini/gemini-3.8-flash", "a question with a good many words in it", thinking="high", max_tokens=50
    )
    assert sent(kit).body["generationConfig"]["maxOutputTokens"] == 50
    assert r.finish_reason == "length" and r.raw_finish_reason == "MAX_TOKENS"


@pytest.mark.parametrize("model", DOORS)
def test_429_is_retried_then_typed(kit: LLMKit, model: str) -> None:
    kit.sandbox_fault("429")
    r = kit.chat(model, Q)
    assert [x.reason for x in r.retries] == ["429"]
    kit.sandbox_fault("429", times=3)
    with pytest.raises(RateLimitError) as info:
        kit.chat(model, Q)
    assert info.value.status == 429 and info.value.code == "RESOURCE_EXHAUSTED"
    assert info.value.provider == model.split("/")[0]


def test_overload_is_a_503_server_error(kit: LLMKit) -> None:
    kit.sandbox_fault("529", times=3)
    with pytest.raises(ServerError) as info:
        kit.chat("gemini/gemini-3.8-flash", Q)
    assert info.value.status == 503 and info.value.code == "UNAVAILABLE"


def test_bad_key_and_unknown_model() -> None:
    with (
        LLMKit(sandbox=True, api_keys={"gemini": "sandbox-invalid-key"}) as k,
        pytest.raises(AuthenticationError) as info,
    ):
        k.chat("gemini/gemini-3.8-flash", Q)
    assert info.value.status == 400 and info.value.code == "API_KEY_INVALID"
    with LLMKit(sandbox=True) as k, pytest.raises(NotFoundError, match="gemini-9-ultra is not found"):
        k.chat("gemini/gemini-9-ultra", Q)


@pytest.mark.parametrize("model", DOORS)
def test_dropped_stream_keeps_what_arrived_without_its_last_signature(kit: LLMKit, model: str) -> None:
    kit.sandbox_fault("drop")
    with pytest.raises(IncompleteStreamError) as info:
        kit.chat(model, "a long question with quite a few words in it", thinking="high", stream=True)
    partial = info.value.partial
    assert partial.incomplete and (partial.reasoning or partial.text)
    assert not any(p.encrypted for p in partial.thinking_parts)  # the answer's signature never arrived
    assert all(
        p.signature is None for p in partial.thinking_parts if isinstance(p, ThinkingPart) and p.truncated
    )
    assert "incomplete" in error_mimebundle(info.value)["text/html"].lower()


def test_malformed_frame_is_a_typed_stream_error(kit: LLMKit) -> None:
    kit.sandbox_fault("malformed")
    with pytest.raises(IncompleteStreamError, match="malformed"):
        kit.chat("vertex/gemini-3.8-flash", "hi there", thinking="low", stream=True)


def test_canary_never_reaches_outputs(kit: LLMKit) -> None:
    for model in DOORS:
        r = kit.chat(model, "hi", thinking="low")
        bundle = chat_mimebundle(r)
        assert CANARY not in bundle["text/html"] + bundle["text/plain"] + repr(r)
        assert CANARY not in str(sent(kit))
