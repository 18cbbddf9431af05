"""Live Gemini API and Vertex AI calls. Skipped unless credentials are set; never run in CI.

Run: GEMINI_API_KEY=... pytest -m live tests/live/test_live_gemini.py
     GOOGLE_CLOUD_PROJECT=... GOOGLE_CLOUD_LOCATION=... GOOGLE_OAUTH_ACCESS_TOKEN=$(gcloud auth print-access-token) ...
"""

from __future__ import annotations

import os

import pytest

from llmkit_nb import LLMKit

pytestmark = pytest.mark.live

CASES = [
    ("gemini/gemini-3.8-flash", ("GEMINI_API_KEY", "GOOGLE_API_KEY")),
    ("vertex/gemini-3.8-flash", ("GOOGLE_CLOUD_PROJECT",)),
]


@pytest.mark.parametrize(("model", "env"), CASES)
@pytest.mark.parametrize("stream", [False, True])
def test_thinking_and_a_signed_follow_up(model: str, env: tuple[str, ...], stream: bool) -> None:
    if not any(os.environ.get(name) for name in env):
        pytest.skip(f"{' or '.join(env)} is not set")
    with LLMKit() as kit:
        first = kit.chat(model, "What is 17 * 23? Answer with the number.", thinking="low", stream=stream)
        assert "391" in first.text and not first.sandbox
        assert first.usage.reasoning_tokens is None or first.usage.reasoning_tokens >= 0
        follow = kit.chat(
            model,
            [{"role": "user", "content": "What is 17 * 23?"}, first, {"role": "user", "content": "Add 9."}],
            thinking="low",
        )
        assert "400" in follow.text
