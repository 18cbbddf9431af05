"""kit.compare: one prompt, several models, concurrently; one failure does not sink the rest."""

from __future__ import annotations

import asyncio

import pytest

from llmkit_nb import LLMKit
from providers.client import AsyncClient
from providers.errors import InvalidParameterError, ModelRetiredError, ThinkingNotSupportedError


def test_compare_keeps_order_and_failures_in_their_rows() -> None:
    with LLMKit(sandbox=True) as kit:
        models = [
            "anthropic/claude-sonnet-5-5",
            "openai/gpt-4.1",
            "openai/gpt-6.1-terra",
            "anthropic/claude-3-7-sonnet",
        ]
        c = kit.compare("Why is the sky <blue>?", models, thinking="high")
    assert [m for m, _ in c] == models
    ok, no_think, ok2, retired = c.results
    assert "sky" in ok.text and ok.usage.reasoning_tokens and "sky" in ok2.text
    assert isinstance(no_think, ThinkingNotSupportedError) and isinstance(retired, ModelRetiredError)
    html = c._repr_mimebundle_()["text/html"]
    assert html.count("<tr>") == 5 and "ThinkingNotSupportedError" in html and "&lt;blue&gt;" in html
    assert "<blue>" not in html
    rows = c.rows()
    assert rows[1]["error"].startswith("ThinkingNotSupportedError") and rows[0]["reasoning_tokens"]


async def test_compare_runs_concurrently() -> None:
    """Both requests are in flight together: the second arrives while the first is held back."""
    client = AsyncClient(sandbox=True)
    app = client.sandbox_app
    app.inject("slow:2", times=1)  # whichever request comes first is held for 2 s
    task = asyncio.ensure_future(
        client.compare("hi", ["anthropic/claude-sonnet-5-5", "openai/gpt-6.1-terra"])
    )
    while not app.requests:
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.5)  # a sequential compare could not send the second request until the first is done
    assert len(app.requests) == 2 and not task.done()
    results = await task
    assert all(r.text for r in results)
    await client.aclose()


def test_compare_needs_models() -> None:
    with LLMKit(sandbox=True) as kit, pytest.raises(InvalidParameterError, match="at least one model"):
        kit.compare("hi", [])
