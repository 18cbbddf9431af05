"""Checkpoint: thinking end to end on every thinking provider — knob sent, reasoning back, display shows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from llmkit_nb import LLMKit
from llmkit_nb.display.objects import chat_mimebundle


def dig(body: dict[str, Any], *path: str) -> Any:
    for key in path:
        body = body[key]
    return body


CASES: list[tuple[str, Callable[[dict[str, Any]], Any], Any]] = [
    ("openai/gpt-6.1-terra", lambda b: dig(b, "reasoning", "effort"), "high"),
    ("anthropic/claude-sonnet-5-5", lambda b: dig(b, "output_config", "effort"), "high"),
    (
        "gemini/gemini-3.8-flash",
        lambda b: dig(b, "generationConfig", "thinkingConfig", "thinkingLevel"),
        "HIGH",
    ),
    (
        "vertex/gemini-3.8-flash",
        lambda b: dig(b, "generationConfig", "thinkingConfig", "thinkingLevel"),
        "HIGH",
    ),
    (
        "deepseek/deepseek-flash",
        lambda b: (b["thinking"]["type"], b["reasoning_effort"]),
        ("enabled", "high"),
    ),
    ("xai/grok-4.7", lambda b: dig(b, "reasoning", "effort"), "high"),
    ("mistral/mistral-medium-3-5", lambda b: b["reasoning_effort"], "high"),
]


@pytest.fixture(scope="module")
def kit():  # type: ignore[no-untyped-def]
    k = LLMKit(sandbox=True, settings={"vertex": {"project": "demo-project", "location": "europe-west4"}})
    yield k
    k.close()


@pytest.mark.parametrize(("model", "knob", "expected"), CASES, ids=[c[0].split("/")[0] for c in CASES])
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_thinking_end_to_end(
    kit: LLMKit, model: str, knob: Callable[[dict[str, Any]], Any], expected: Any, stream: bool
) -> None:
    r = kit.chat(model, "Is 1001 a prime number?", thinking="high", stream=stream)
    sent_body = kit.client.sandbox_app.requests[-1].body
    assert knob(sent_body) == expected, f"{model}: the thinking knob did not reach the wire"
    assert r.reasoning or r.usage.reasoning_tokens, f"{model}: no reasoning and no reasoning tokens came back"
    html = chat_mimebundle(r)["text/html"]
    assert "llmkit-reasoning" in html
    if r.reasoning:
        assert r.reasoning.split()[0] in html
    else:
        assert "hides its reasoning" in html and f"{r.usage.reasoning_tokens:,}" in html
    assert r.sent and r.endpoint
