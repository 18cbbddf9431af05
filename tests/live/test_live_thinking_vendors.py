"""Live calls to DeepSeek, xAI and Mistral. Skipped unless the provider's key is set; never run in CI.

Run: DEEPSEEK_API_KEY=... XAI_API_KEY=... MISTRAL_API_KEY=... pytest -m live tests/live/test_live_thinking_vendors.py
"""

from __future__ import annotations

import os

import pytest

from llmkit_nb import LLMKit

pytestmark = pytest.mark.live

CASES = [
    ("deepseek/deepseek-flash", "DEEPSEEK_API_KEY", "full"),
    ("xai/grok-4.7", "XAI_API_KEY", None),  # encrypted, or a summary where xAI sends one
    ("mistral/mistral-medium-3-5", "MISTRAL_API_KEY", "full"),
]


@pytest.mark.parametrize(("model", "env", "visibility"), CASES)
@pytest.mark.parametrize("stream", [False, True])
def test_thinking_and_a_follow_up(model: str, env: str, visibility: str | None, stream: bool) -> None:
    if not os.environ.get(env):
        pytest.skip(f"{env} is not set")
    with LLMKit() as kit:
        first = kit.chat(
            model, "What is 17 * 23? Answer with the number.", thinking="high", max_tokens=4000, stream=stream
        )
        assert "391" in first.text and not first.sandbox
        assert first.thinking_parts or first.usage.reasoning_tokens
        if visibility:
            assert first.visibility == visibility and first.reasoning
        follow = kit.chat(
            model,
            [{"role": "user", "content": "What is 17 * 23?"}, first, {"role": "user", "content": "Add 9."}],
            thinking="high",
            max_tokens=4000,
        )
        assert "400" in follow.text


@pytest.mark.parametrize(
    ("model", "env"), [("deepseek/deepseek-flash", "DEEPSEEK_API_KEY"), ("xai/grok-4.3", "XAI_API_KEY")]
)
def test_thinking_off(model: str, env: str) -> None:
    if not os.environ.get(env):
        pytest.skip(f"{env} is not set")
    with LLMKit() as kit:
        r = kit.chat(model, "Say hello.", thinking=False, max_tokens=200)
        assert r.text and not r.reasoning and not r.usage.reasoning_tokens
