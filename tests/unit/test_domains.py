"""Domain presets, pure parts: applying a preset, its refusals, disclaimer rules, citations, rendering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmkit_nb.display.domain import (
    DomainLiveChat,
    domain_mimebundle,
    render_citations,
    render_domain,
    render_plain_domain,
)
from providers.domains import (
    MEDLM_RETIRED_ON,
    Citation,
    DisclaimerRequiredError,
    DomainPreset,
    RenderHints,
    UnknownDomainError,
    apply,
    boxed_answers,
    final_answer,
    for_medical_domain,
    for_scientific_domain,
    get_preset,
    list_domains,
    split_citations,
)
from providers.errors import (
    ConfigurationError,
    InvalidParameterError,
    ModelRetiredError,
    ThinkingNotSupportedError,
)
from providers.registry import list_provider_specs
from providers.types import ChatResult, Message, TextPart, ThinkingPart, Usage
from tests.unit.test_display import HOSTILE, assert_inert, tags, text_of

REGISTERED = {s.name for s in list_provider_specs()}
needs_vertex = pytest.mark.skipif(
    "vertex" not in REGISTERED, reason="needs the vertex provider (Gemini/Vertex issue) registered"
)
needs_deepseek = pytest.mark.skipif(
    "deepseek" not in REGISTERED, reason="needs the deepseek provider (extended-thinking issue) registered"
)

LEGAL_MODEL = "anthropic/claude-sonnet-5-5"  # the legal preset on a hosted model (ChatLaw is self-hosted)


# --- presets as data -------------------------------------------------------------------------


def test_the_four_presets_exist_with_sources() -> None:
    assert list_domains() == ["finance", "legal", "medical", "scientific"]
    for name in list_domains():
        preset = get_preset(name)
        assert preset.name == name and preset.model.count("/") >= 1 and preset.sources


def test_presets_json_is_the_only_source_of_the_data() -> None:
    raw = json.loads((Path("providers/domains/presets.json")).read_text(encoding="utf-8"))
    assert set(raw["presets"]) == set(list_domains())
    assert get_preset("legal").system == raw["presets"]["legal"]["system"]


def test_unknown_domain_lists_the_known_ones() -> None:
    with pytest.raises(UnknownDomainError, match="known domains: finance, legal, medical, scientific"):
        apply("medicine", "q")
    with pytest.raises(UnknownDomainError, match="not int"):
        get_preset(3)  # type: ignore[arg-type]
    assert issubclass(UnknownDomainError, ConfigurationError)


def test_domain_names_are_case_insensitive() -> None:
    assert get_preset(" Legal ") is get_preset("legal")


# --- applying a preset -------------------------------------------------------------------------


def test_legal_preset_sends_its_system_prompt_and_asks_for_sources() -> None:
    call = apply("legal", "Is clause 4 enforceable?", model=LEGAL_MODEL)
    system = call.kwargs["system"]
    assert system.startswith(get_preset("legal").system)
    assert 'section headed "Sources"' in system
    assert call.prompt == "Is clause 4 enforceable?"
    assert call.hints.citations and call.hints.disclaimer and not call.hints.disclaimer_hidden


def test_caller_system_text_goes_after_the_presets() -> None:
    call = apply("legal", "q", model=LEGAL_MODEL, system="Answer in French.")
    assert call.kwargs["system"].endswith("Answer in French.")


def test_sampling_is_sent_only_where_the_model_accepts_it() -> None:
    terra = apply("finance", "q", model="openai/gpt-6.1-terra")
    assert "temperature" not in terra.kwargs  # a reasoning model that rejects sampling
    assert any("temperature=0.2 not sent" in n for n in terra.notes)
    gpt41 = apply("finance", "q", model="openai/gpt-4.1")
    assert gpt41.kwargs["temperature"] == 0.2
    mine = apply("finance", "q", model="openai/gpt-4.1", options={"temperature": 0.9})
    assert mine.kwargs["temperature"] == 0.9  # the caller's value wins


def test_preset_thinking_is_the_default_and_the_caller_overrides_it() -> None:
    assert apply("finance", "q").kwargs["thinking"] == "medium"
    assert apply("finance", "q", thinking="low").kwargs["thinking"] == "low"


def test_preset_thinking_is_dropped_with_a_note_on_a_model_that_cannot_think() -> None:
    call = apply("finance", "q", model="openai/gpt-4.1")
    assert call.kwargs["thinking"] is None
    assert any("cannot think" in n for n in call.notes)


def test_safety_settings_go_only_to_gemini_style_providers() -> None:
    call = apply("medical", "q", model=LEGAL_MODEL)
    assert "safetySettings" not in call.kwargs


def test_scientific_instruction_is_appended_to_the_last_user_turn() -> None:
    preset = get_preset("scientific")
    assert preset.system is None  # DeepSeek: no system prompt, instructions in the user turn
    call = apply("scientific", "What is 2+2?", model="openai/gpt-6.1-terra")
    assert call.prompt.endswith("put your final answer within \\boxed{}.")
    turns = [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "second"},
    ]
    call = apply("scientific", turns, model="openai/gpt-6.1-terra")
    last = call.prompt[-1]
    assert isinstance(last, Message) and last.role == "user"
    assert last.parts[0] == TextPart(text="second") and "boxed" in last.parts[-1].text  # type: ignore[union-attr]
    assert turns[-1] == {"role": "user", "content": "second"}  # the caller's list is not mutated


def test_scientific_preset_refuses_a_model_that_cannot_think_before_any_request() -> None:
    with pytest.raises(ThinkingNotSupportedError, match=r"needs a model that reasons.*gpt-4\.1 cannot think"):
        apply("scientific", "q", model="openai/gpt-4.1")


def test_scientific_preset_refuses_thinking_off() -> None:
    with pytest.raises(InvalidParameterError, match="needs thinking on"):
        apply("scientific", "q", model="openai/gpt-6.1-terra", thinking=False)


@pytest.mark.parametrize("name", ["vertex/medlm-medium", "vertex/medlm-large", "gemini/MedLM-Large"])
def test_medlm_names_error_with_the_date_and_successor(name: str) -> None:
    with pytest.raises(ModelRetiredError) as info:
        apply("medical", "q", model=name)
    assert MEDLM_RETIRED_ON == "2025-09-29"
    assert "2025-09-29" in str(info.value) and "gemini-3.8-flash" in str(info.value)
    assert info.value.retired_on == "2025-09-29" and info.value.successor == "gemini-3.8-flash"
    with pytest.raises(ModelRetiredError):
        for_medical_domain(model=name.split("/")[1])


def test_for_medical_domain_picks_model_provider_and_region() -> None:
    preset = for_medical_domain(region="europe-west4")
    assert preset.model == "vertex/gemini-3.8-flash" and preset.region == "europe-west4"
    assert for_medical_domain(provider="gemini").model == "gemini/gemini-3.8-flash"
    with pytest.raises(InvalidParameterError, match="Gemini models"):
        for_medical_domain(provider="openai")


def test_for_scientific_domain_takes_high_or_max() -> None:
    assert for_scientific_domain().thinking == "high"
    assert for_scientific_domain(model="deepseek-flash", effort="max").model == "deepseek/deepseek-flash"
    with pytest.raises(InvalidParameterError, match="'high' or 'max'"):
        for_scientific_domain(effort="low")  # type: ignore[arg-type]


def test_a_custom_preset_is_accepted_as_is() -> None:
    custom = DomainPreset(name="chem", title="Chemistry", model="openai/gpt-6.1-terra", system="Be exact.")
    call = apply(custom, "q")
    assert call.kwargs["system"] == "Be exact." and call.hints.domain == "chem"


# --- disclaimer rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["medical", "legal"])
def test_required_disclaimer_cannot_be_switched_off_silently(name: str) -> None:
    model = LEGAL_MODEL
    with pytest.raises(DisclaimerRequiredError, match="acknowledge_disclaimer=True"):
        apply(name, "q", model=model, disclaimer=False)
    call = apply(name, "q", model=model, disclaimer=False, acknowledge_disclaimer=True)
    assert call.hints.disclaimer_hidden
    html = render_domain(_result("An answer."), call.hints)
    assert "disclaimer hidden by the caller (acknowledge_disclaimer=True)" in text_of(html)
    assert get_preset(name).disclaimer not in text_of(html)  # type: ignore[operator]


def test_acknowledging_alone_keeps_the_banner() -> None:
    call = apply("legal", "q", model=LEGAL_MODEL, acknowledge_disclaimer=True)
    assert not call.hints.disclaimer_hidden


def test_an_optional_disclaimer_can_be_hidden_without_acknowledging() -> None:
    call = apply("finance", "q", disclaimer=False)
    assert call.hints.disclaimer_hidden


# --- citations and final answers ----------------------------------------------------------------


def test_sources_section_becomes_a_list_of_citations() -> None:
    text = (
        "Amoxicillin is first line.\n\n## Sources\n"
        "1. NICE NG138, Pneumonia (community-acquired): antimicrobial prescribing, 2019 - https://www.nice.org.uk/guidance/ng138.\n"
        "2. BTS guideline 2009\n"
        "[3] IDSA/ATS 2019 (https://doi.org/10.1164/rccm.201908-1581ST)"
    )
    body, cites = split_citations(text)
    assert body == "Amoxicillin is first line."
    assert [c.number for c in cites] == [1, 2, 3]
    assert cites[0].url == "https://www.nice.org.uk/guidance/ng138"
    assert cites[1].url is None
    assert cites[2].url == "https://doi.org/10.1164/rccm.201908-1581ST"


@pytest.mark.parametrize(
    "heading", ["Sources:", "**Sources**", "**Sources:**", "### References", "Citations", "SOURCES"]
)
def test_heading_styles(heading: str) -> None:
    body, cites = split_citations(f"Answer.\n\n{heading}\n- A, 2020\n- B, 2021")
    assert body == "Answer." and [c.text for c in cites] == ["A, 2020", "B, 2021"]


def test_prose_mentioning_sources_is_not_a_section() -> None:
    text = "Sources of error include friction.\nAnother line."
    assert split_citations(text) == (text, [])
    text = "Answer.\n\nSources\nnot a list at all"
    assert split_citations(text) == (text, [])


def test_sources_none_removes_the_heading() -> None:
    assert split_citations("Answer.\n\nSources: none") == ("Answer.", [])


def test_only_http_urls_are_recognised() -> None:
    _, cites = split_citations("x\n\nSources\n1. javascript:alert(1) and ftp://a.b/c")
    assert cites[0].url is None


def test_boxed_answers_keep_nested_braces() -> None:
    text = r"First \boxed{\frac{1}{2}}, then \boxed {x^{2} + \{y\}}, finally \boxed{42"
    assert boxed_answers(text) == [r"\frac{1}{2}", r"x^{2} + \{y\}"]
    assert final_answer(r"so \boxed{7}.") == "7" and final_answer("no box") is None


# --- rendering ------------------------------------------------------------------------------------


def _result(text: str, **kw: object) -> ChatResult:
    base: dict[str, object] = {
        "provider": "anthropic",
        "model": "claude-sonnet-5-5",
        "parts": [ThinkingPart(text="thinking", provider="anthropic"), TextPart(text=text)],
        "usage": Usage(input_tokens=5, output_tokens=9, reasoning_tokens=3),
        "finish_reason": "stop",
        "visibility": "full",
        "sandbox": True,
    }
    base.update(kw)
    return ChatResult(**base)  # type: ignore[arg-type]


LEGAL_HINTS = RenderHints(
    domain="legal", title="Legal", disclaimer="Not legal advice.", citations=True, final_answer=None
)
SCI_HINTS = RenderHints(domain="scientific", title="Scientific", citations=False, final_answer="boxed")


def test_banner_is_on_every_domain_rendering() -> None:
    r = _result("Answer.")
    html = render_domain(r, LEGAL_HINTS)
    assert text_of(html).index("Not legal advice.") < text_of(html).index("Answer.")
    assert render_plain_domain(r, LEGAL_HINTS).startswith("[Legal: Not legal advice.]")
    assert "SANDBOX" in html


def test_citations_render_as_a_numbered_list_before_the_footer() -> None:
    r = _result(
        "Clause 7 allows it.\n\nSources\n1. UCC 2-309 https://law.example/ucc\n2. The contract, clause 7"
    )
    html = render_domain(r, LEGAL_HINTS)
    links = [a for t, a in tags(html) if t == "a"]
    assert links == [{"href": "https://law.example/ucc", "target": "_blank", "rel": "noopener noreferrer"}]
    assert html.index("llmkit-citations") < html.index('class="llmkit-footer')
    assert "Sources (2)" in text_of(html)
    assert "Sources\n1. UCC" not in text_of(html)  # moved out of the answer, not shown twice
    plain = render_plain_domain(r, LEGAL_HINTS)
    assert "Sources:\n  1. UCC 2-309 https://law.example/ucc" in plain


def test_missing_sources_are_called_out() -> None:
    html = render_domain(_result("Trust me."), LEGAL_HINTS)
    assert "listed no sources" in text_of(html)


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_provider_text_stays_inert_in_banner_citations_and_answer(payload: str) -> None:
    r = _result(f"{payload}\n\nSources\n1. {payload} https://ok.example/{payload}\n2. {payload}")
    hostile_hints = RenderHints(domain=payload, title=payload, disclaimer=payload, citations=True)
    for html in (render_domain(r, LEGAL_HINTS), render_domain(r, hostile_hints)):
        assert_inert(html)
    assert_inert(render_citations([Citation(number=1, text=payload, url=None)]))


def test_latex_stays_intact_for_mathjax_and_the_final_answer_is_shown() -> None:
    answer = (
        r"The energy is $E = \frac{1}{2} k x^2 = 1\,\mathrm{J}$, so \boxed{1}."
        + "\n\n$$\\int_0^1 x\\,dx = \\tfrac{1}{2}$$"
    )
    html = render_domain(_result(answer), SCI_HINTS)
    visible = text_of(html)
    assert r"$E = \frac{1}{2} k x^2 = 1\,\mathrm{J}$" in visible
    assert "$$\\int_0^1 x\\,dx = \\tfrac{1}{2}$$" in visible
    assert "Final answer: $\\boxed{1}$" in visible
    assert render_plain_domain(_result(answer), SCI_HINTS).splitlines()[1] == "Final answer: 1"


def test_final_answer_tex_is_escaped() -> None:
    html = render_domain(_result(r"\boxed{a<b}"), SCI_HINTS)
    assert "$\\boxed{a&lt;b}$" in html
    assert_inert(html)


def test_bundle_has_plain_and_html() -> None:
    bundle = domain_mimebundle(_result("x"), LEGAL_HINTS)
    assert set(bundle) == {"text/plain", "text/html"}


def test_live_view_keeps_the_banner_while_streaming_and_at_the_end() -> None:
    shown: list[dict[str, str]] = []

    class Handle:
        def update(self, obj: object) -> None:
            shown.append(obj._repr_mimebundle_())  # type: ignore[attr-defined]

    def display(obj: object) -> Handle:
        shown.append(obj._repr_mimebundle_())  # type: ignore[attr-defined]
        return Handle()

    live = DomainLiveChat(
        hints=LEGAL_HINTS, provider="anthropic", model="m", display_fn=display, clock=lambda: 0.0
    )
    live.add_thinking("hmm")
    live.add_text("Clause 7.")
    live.finish(_result("Clause 7.\n\nSources\n1. The contract"))
    assert shown and all("Not legal advice." in b["text/html"] for b in shown)
    assert all(b["text/plain"].startswith("[Legal: Not legal advice.]") for b in shown)
    assert "Sources (1)" in shown[-1]["text/html"]


def test_live_view_in_a_terminal_prints_the_banner_first() -> None:
    import io

    out = io.StringIO()
    live = DomainLiveChat(hints=LEGAL_HINTS, provider="anthropic", model="m", out=out, notebook=False)
    live.add_text("Clause 7.")
    live.finish(_result("Clause 7."))
    text = out.getvalue()
    assert text.startswith("[Legal: Not legal advice.]\nClause 7.") and "listed no sources" in text


# --- presets that need providers from other issues ---------------------------------------------


@needs_vertex
def test_medical_preset_on_vertex_sends_safety_settings_and_thinking() -> None:
    call = apply("medical", "q")
    assert call.model == "vertex/gemini-3.8-flash" and call.kwargs["thinking"] == "high"
    assert {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "threshold": "BLOCK_ONLY_HIGH"} in call.kwargs[
        "safetySettings"
    ]


@needs_vertex
def test_medical_preset_on_the_gemini_api_carries_the_terms_note() -> None:
    call = apply("medical", "q", model="gemini/gemini-3.8-flash")
    assert any("forbid use in clinical practice" in n for n in call.notes)


@needs_deepseek
def test_scientific_preset_defaults_to_deepseek_reasoning() -> None:
    call = apply("scientific", "q")
    assert call.model == "deepseek/deepseek-v4-pro" and call.kwargs["thinking"] == "high"
    assert call.kwargs["system"] is None and "temperature" not in call.kwargs
    assert any("no system prompt" in n for n in call.notes)
    assert apply(for_scientific_domain(effort="max"), "q").kwargs["thinking"] == "max"


def test_the_plans_helpers_live_on_their_providers() -> None:
    from providers.registry import codec_for, provider_spec

    vertex = codec_for(provider_spec("vertex"))
    assert vertex.for_medical_domain(region="us-central1").region == "us-central1"
    assert codec_for(provider_spec("gemini")).for_medical_domain is for_medical_domain
    deepseek = codec_for(provider_spec("deepseek"))
    assert deepseek.for_scientific_domain(effort="max").thinking == "max"
