"""Domain presets end to end through the sandbox: what goes on the wire and what the display shows."""

from __future__ import annotations

import inspect

import pytest

from llmkit_nb import LLMKit
from llmkit_nb.domains import DomainResponse
from providers.client import AsyncClient
from providers.domains import UnknownDomainError, for_medical_domain, for_scientific_domain
from providers.errors import ConfigurationError, ModelRetiredError, ThinkingNotSupportedError
from providers.registry import list_provider_specs, provider_spec
from providers.sandbox import SandboxApp
from tests.unit.test_display import assert_inert, text_of

REGISTERED = {s.name for s in list_provider_specs()}
# the region of one call (for Vertex: its location) comes with the regions issue
PER_CALL_REGION = "region" in inspect.signature(AsyncClient.prepare).parameters and bool(
    "vertex" in REGISTERED and getattr(provider_spec("vertex"), "region_setting", None)
)


@pytest.fixture
def kit():  # type: ignore[no-untyped-def]
    k = LLMKit(sandbox=True)
    yield k
    k.close()


def _html(r: DomainResponse) -> str:
    return r._repr_mimebundle_()["text/html"]


# --- legal ---------------------------------------------------------------------------------------------


@pytest.mark.skipif("chatlaw" not in SandboxApp.PROVIDERS, reason="needs the sandbox's chatlaw route")
def test_legal_on_an_emulated_chatlaw_server(kit: LLMKit) -> None:
    r = kit.domain("legal").chat(
        "Clause 14.2: 90 days' notice, a $25,000 fee. Can the supplier terminate early?"
    )
    assert isinstance(r, DomainResponse) and r.provider == "chatlaw" and r.model == "ChatLaw-33B"
    assert r.endpoint == "https://sandbox.invalid/chatlaw/v1/chat/completions"
    body = kit.client.sandbox_app.requests[-1].body
    assert body["model"] == "ChatLaw-33B" and body["temperature"] == 0.2
    assert body["messages"][0]["role"] == "system" and "legal analyst" in body["messages"][0]["content"]
    html = _html(r)
    assert "Not legal advice." in text_of(html) and "SANDBOX" in html
    assert '<span class="tex2jax_ignore">$</span>25,000' in html  # the price is not read as maths


def test_legal_on_a_hosted_model_by_name(kit: LLMKit) -> None:
    r = kit.chat("anthropic/claude-sonnet-5-5", "Is clause 3 standard?", domain="legal")
    body = kit.client.sandbox_app.requests[-1].body
    assert "legal analyst" in body["system"] and "temperature" not in body  # Claude 5.5 takes no sampling
    assert r.hints.domain == "legal" and any("temperature=0.2 not sent" in n for n in r.notes)
    assert r.citations == [] and "listed no sources" in text_of(_html(r))


def test_legal_without_an_endpoint_says_how_to_serve_it_and_sends_nothing() -> None:
    with LLMKit(env={}) as bare, pytest.raises(ConfigurationError) as info:
        bare.domain("legal").chat("Is clause 14.2 enforceable?")
    message = str(info.value)
    assert "no hosted API" in message and "vllm serve" in message and "CHATLAW_BASE_URL" in message
    assert "model='anthropic/claude-sonnet-5-5'" in message  # or the preset on a hosted model


def test_chatlaw_with_an_endpoint_needs_no_key() -> None:
    with LLMKit(env={"CHATLAW_BASE_URL": "http://127.0.0.1:8000/v1"}) as kit:
        conn = kit.client.connection(provider_spec("chatlaw"))
    assert conn.base_url == "http://127.0.0.1:8000/v1" and conn.key is None


def test_required_disclaimer_through_the_kit(kit: LLMKit) -> None:
    with pytest.raises(ConfigurationError, match="acknowledge_disclaimer=True"):
        kit.domain("legal", model="anthropic/claude-sonnet-5-5", disclaimer=False)
    with pytest.raises(ConfigurationError, match="acknowledge_disclaimer=True"):
        kit.chat("anthropic/claude-sonnet-5-5", "q", domain="legal", disclaimer=False)
    assert not kit.client.sandbox_app.requests  # refused before anything was sent
    r = kit.chat(
        "anthropic/claude-sonnet-5-5", "q", domain="legal", disclaimer=False, acknowledge_disclaimer=True
    )
    assert "disclaimer hidden by the caller" in text_of(_html(r))


# --- finance ------------------------------------------------------------------------------------------


def test_finance_streams_with_its_banner_and_records_the_call(kit: LLMKit) -> None:
    r = kit.chat("What is 3% of $1,200?", domain="finance", stream=True)
    assert isinstance(r, DomainResponse) and r.provider == "openai" and r.model == "gpt-6.1-terra"
    body = kit.client.sandbox_app.requests[-1].body
    assert body["reasoning"]["effort"] == "medium" and "financial analyst" in body["instructions"]
    assert len(kit.usage()) == 1  # the ledger saw it like any other call
    assert "Not investment advice." in text_of(
        r.__class__.of_domain(r, r.hints)._repr_mimebundle_()["text/html"]
    )


def test_a_domain_result_continues_a_conversation(kit: LLMKit) -> None:
    first = kit.chat("anthropic/claude-sonnet-5-5", "What is 17 * 23?", domain="finance", thinking="low")
    follow = kit.chat(
        "anthropic/claude-sonnet-5-5",
        [{"role": "user", "content": "What is 17 * 23?"}, first, {"role": "user", "content": "Add 9."}],
        domain="finance",
        thinking="low",
    )
    assert "Add 9." in follow.text
    sent = kit.client.sandbox_app.requests[-1].body["messages"][1]["content"]
    assert sent[0]["type"] == "thinking" and sent[0]["signature"] == first.thinking_parts[0].signature


def test_unknown_domain_through_the_kit(kit: LLMKit) -> None:
    with pytest.raises(UnknownDomainError, match="finance, legal, medical, scientific"):
        kit.chat("q", domain="law")


def test_hostile_answers_stay_inert_in_the_domain_display(kit: LLMKit) -> None:
    r = kit.chat(
        "anthropic/claude-sonnet-5-5", "<img src=x onerror=alert(1)> [x](javascript:alert(1))", domain="legal"
    )
    assert_inert(_html(r))


# --- medical ------------------------------------------------------------------------------------------


@pytest.mark.skipif("vertex" not in REGISTERED, reason="needs the vertex provider")
def test_medical_on_vertex_sends_safety_settings_thinking_and_sources_request(kit: LLMKit) -> None:
    r = kit.chat("First-line empiric antibiotic for CAP, CURB-65 score 0?", domain="medical")
    assert r.provider == "vertex" and r.model == "gemini-3.8-flash"
    body = kit.client.sandbox_app.requests[-1].body
    assert body["generationConfig"]["thinkingConfig"]["thinkingLevel"] == "HIGH"
    assert {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"} in body["safetySettings"]
    assert 'section headed "Sources"' in body["systemInstruction"]["parts"][0]["text"]
    html = _html(r)
    assert "Not medical advice." in text_of(html) and "<details" in html  # banner and reasoning panel


@pytest.mark.skipif(
    "vertex" not in REGISTERED or not PER_CALL_REGION,
    reason="needs vertex and per-call region= (regions issue)",
)
def test_medical_in_the_region_you_pick(kit: LLMKit) -> None:
    r = kit.domain(for_medical_domain(region="europe-west4")).chat("Red flags in acute low back pain?")
    assert r.endpoint.startswith("https://europe-west4-aiplatform.googleapis.com/")
    assert "/locations/europe-west4/" in r.endpoint


@pytest.mark.skipif("vertex" not in REGISTERED, reason="needs the vertex provider")
def test_medlm_is_refused_before_any_request(kit: LLMKit) -> None:
    with pytest.raises(ModelRetiredError, match="2025-09-29"):
        kit.chat("vertex/medlm-medium", "Summarise this note.", domain="medical")
    with pytest.raises(ModelRetiredError, match=r"2025-09-29.*gemini-3\.8-flash"):
        kit.chat("vertex/medlm-large", "Summarise this note.")
    assert not kit.client.sandbox_app.requests


# --- scientific ---------------------------------------------------------------------------------------


@pytest.mark.skipif("deepseek" not in REGISTERED, reason="needs the deepseek provider")
@pytest.mark.parametrize("effort", ["high", "max"])
def test_scientific_on_deepseek_follows_its_guidance(kit: LLMKit, effort: str) -> None:
    r = kit.domain(for_scientific_domain(effort=effort)).chat(r"What is $2^{10}$?")  # type: ignore[arg-type]
    assert r.provider == "deepseek" and r.model == "deepseek-v4-pro"
    body = kit.client.sandbox_app.requests[-1].body
    assert body["thinking"] == {"type": "enabled"} and body["reasoning_effort"] == effort
    assert [m["role"] for m in body["messages"]] == ["user"]  # no system prompt
    assert body["messages"][0]["content"].endswith("put your final answer within \\boxed{}.")
    assert "temperature" not in body
    assert r.reasoning and r.usage.reasoning_tokens
    assert "$2^{10}$" in text_of(_html(r))  # LaTeX intact for MathJax


@pytest.mark.skipif("deepseek" not in REGISTERED, reason="needs the deepseek provider")
def test_scientific_streams_its_reasoning(kit: LLMKit) -> None:
    r = kit.chat("What is 6 * 7?", domain="scientific", stream=True)
    assert r.reasoning and r.provider == "deepseek"


def test_scientific_refuses_a_model_that_cannot_think_before_any_request(kit: LLMKit) -> None:
    with pytest.raises(ThinkingNotSupportedError):
        kit.chat("openai/gpt-4.1", "What is 2 + 2?", domain="scientific")
    assert not kit.client.sandbox_app.requests
