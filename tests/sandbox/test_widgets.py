"""Pickers and the chat panel drive the same LLMKit; nothing they do is unavailable from code."""

from __future__ import annotations

import time

import pytest

from llmkit_nb import LLMKit


@pytest.fixture
def kit():  # type: ignore[no-untyped-def]
    k = LLMKit(sandbox=True)
    yield k
    k.close()


def test_picker_fills_from_capabilities_and_sets_defaults(kit: LLMKit) -> None:
    picker = kit.picker()
    assert "anthropic" in picker.provider.options and "openai" in picker.provider.options
    picker.provider.value = "openai"
    assert (
        "gpt-6.1-terra" in picker.model.options and "o4-mini" not in picker.model.options
    )  # retired: not offered
    picker.model.value = "gpt-6.1-terra"
    assert picker.thinking.options[0] == "default" and "max" in picker.thinking.options
    picker.thinking.value = "high"
    assert kit.defaults.model == "openai/gpt-6.1-terra" and kit.defaults.thinking == "high"
    assert picker.value == {
        "model": "openai/gpt-6.1-terra",
        "thinking": "high",
        "region": "global",  # OpenAI has regions (catalog): the first is its default, global
        "latency": None,
    }
    assert "eu" in picker.region.options and picker.region.layout.display == ""
    picker.model.value = "gpt-4.1"  # cannot think: no thinking choice offered at all
    assert picker.thinking.options == () and picker.thinking.layout.display == "none"
    assert kit.defaults.thinking is None
    picker.provider.value = "anthropic"
    picker.model.value = "claude-opus-5-5"  # always thinks: no "off"
    assert "off" not in picker.thinking.options
    r = kit.ask("hello from the picker", stream=False)
    assert r.provider == "anthropic" and r.model == "claude-opus-5-5"


def test_tooltips_come_from_field_descriptions(kit: LLMKit) -> None:
    picker = kit.picker()
    assert "provider/model" in picker.model.tooltip


def wait(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out waiting for the panel"
        time.sleep(0.02)


def test_chat_panel_streams_and_keeps_history(kit: LLMKit) -> None:
    kit.defaults.model = "anthropic/claude-sonnet-5-5"
    kit.defaults.thinking = "high"
    panel = kit.chat_panel()
    panel.submit("   ")
    assert "nothing was sent" in panel.status.value and not kit.client.sandbox_app.requests
    panel.prompt.value = "Why is the sky <b>blue</b>?"
    panel.submit()
    assert panel.wait(10)
    html = "".join(child.value for child in panel.history.children)
    assert "Why is the sky &lt;b&gt;blue&lt;/b&gt;?" in html and "<details" in html and "SANDBOX" in html
    assert len(panel.turns) == 2 and not panel.send.disabled and panel.stop.disabled
    panel.submit("and a follow-up")
    assert panel.wait(10)
    sent = kit.client.sandbox_app.requests[-1].body["messages"]
    assert len(sent) == 3 and sent[1]["content"][0]["type"] == "thinking"  # the history went back, signed
    assert len(kit.usage()) == 2


def test_chat_panel_stop_cancels_and_keeps_what_arrived() -> None:
    with LLMKit(sandbox=True, sandbox_delay=0.05) as kit:
        kit.defaults.thinking = "max"
        panel = kit.chat_panel()
        panel.submit("a long question " * 10)
        wait(lambda: len(kit.client.sandbox_app.requests) == 1)
        time.sleep(0.3)
        panel.cancel()
        assert panel.wait(10)
        assert panel._future.cancelled()
        assert "stopped" in panel.status.value
        html = "".join(child.value for child in panel.history.children)
        assert "Incomplete" in html


def test_chat_panel_shows_errors_in_place(kit: LLMKit) -> None:
    kit.sandbox_fault("529", times=3)
    panel = kit.chat_panel()
    panel.submit("hi")
    assert panel.wait(10)
    html = "".join(child.value for child in panel.history.children)
    assert "OverloadedError" in html
