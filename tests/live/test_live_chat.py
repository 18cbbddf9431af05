"""Live calls to the real providers. Skipped unless the provider's key is set; never run in CI.

Run: OPENAI_API_KEY=... ANTHROPIC_API_KEY=... pytest -m live tests/live
"""

from __future__ import annotations

import os

import pytest

from llmkit_nb import LLMKit

pytestmark = pytest.mark.live

CASES = [
    ("anthropic/claude-sonnet-5-5", "ANTHROPIC_API_KEY"),
    ("openai/gpt-6.1-terra", "OPENAI_API_KEY"),
]


@pytest.mark.parametrize(("model", "env"), CASES)
@pytest.mark.parametrize("stream", [False, True])
def test_thinking_round_trip(model: str, env: str, stream: bool) -> None:
    if not os.environ.get(env):
        pytest.skip(f"{env} is not set")
    with LLMKit() as kit:
        first = kit.chat(
            model, "What is 17 * 23? Answer with the number.", thinking="low", max_tokens=4000, stream=stream
        )
        assert "391" in first.text and not first.sandbox
        assert first.usage.reasoning_tokens is None or first.usage.reasoning_tokens >= 0
        follow = kit.chat(
            model,
            [{"role": "user", "content": "What is 17 * 23?"}, first, {"role": "user", "content": "Add 9."}],
            thinking="low",
            max_tokens=4000,
        )
        assert "400" in follow.text
