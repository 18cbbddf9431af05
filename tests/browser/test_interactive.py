"""What a person sees in JupyterLab: notebooks/09_interactive.ipynb run in a real Chromium.

Checks the picker changes the provider, the chat panel streams an answer, the reasoning panel
opens and closes, an inline <audio> and <video> load and play, and a hostile model answer runs nothing. Screenshots go to docs/img/ when
LLMKIT_SCREENSHOTS=1 (to refresh the README's pictures), else to a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def page(lab: dict[str, str], browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    # a workspace of its own: nothing another test (or an earlier run) left open can get in the way
    pg.goto(f"{lab['base']}/lab/workspaces/interactive/tree/09_interactive.ipynb?reset&token={lab['token']}")
    pg.wait_for_selector(".jp-Notebook", timeout=60_000)
    select = pg.get_by_role("button", name="Select", exact=True)
    try:  # JupyterLab may ask which kernel to start; the notebook names python3
        select.wait_for(timeout=5_000)
        select.click()
    except Exception:
        pass
    pg.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']:visible", timeout=60_000)
    pg.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']:visible", timeout=60_000)
    pg.get_by_role("menuitem", name="Run", exact=True).click()
    pg.get_by_text("Run All Cells", exact=True).click()
    try:
        pg.wait_for_selector(".llmkit-ledger", state="attached", timeout=90_000)  # the last rich output
    except Exception:
        pg.screenshot(path=str(tmp_path_factory.getbasetemp() / "run-all-failed.png"), full_page=True)
        raise
    pg.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']:visible", timeout=60_000)
    pg.screenshots = (  # type: ignore[attr-defined]
        ROOT / "docs" / "img" if os.environ.get("LLMKIT_SCREENSHOTS") else tmp_path_factory.mktemp("shots")
    )
    pg.page_errors = errors  # type: ignore[attr-defined]
    yield pg
    context.close()


def shot(page: Any, locator: Any, name: str) -> None:
    folder: Path = page.screenshots
    folder.mkdir(parents=True, exist_ok=True)
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(folder / name))


def test_picker_changes_the_provider(page: Any) -> None:
    picker = page.locator(".widget-vbox").filter(has=page.locator("select")).first
    provider = picker.locator(".widget-dropdown").filter(has_text="provider").locator("select")
    provider.select_option("openai")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.widget-html-content')].some(e => e.textContent.includes('openai/'))"
    )
    model = picker.locator(".widget-dropdown").filter(has_text="model").locator("select")
    assert "gpt-6.1-terra" in model.inner_text()
    shot(page, picker, "picker.png")


def test_chat_panel_streams_an_answer(page: Any) -> None:
    panel = page.locator(".llmkit-chat-panel")
    panel.locator("textarea").fill("What does a prism do to white light?")
    panel.get_by_role("button", name="Send").click()
    answer = panel.locator(".llmkit-answer").filter(has_text="What does a prism do to white light?")
    answer.first.wait_for(timeout=30_000)
    assert panel.locator(".llmkit-badge").first.inner_text() == "SANDBOX"
    shot(page, panel, "chat_panel.png")


def test_reasoning_panel_opens_and_closes(page: Any) -> None:
    output = page.locator(".jp-OutputArea-output").filter(has=page.locator("details.llmkit-reasoning")).first
    details = output.locator("details.llmkit-reasoning").first
    assert details.get_attribute("open") is None  # collapsed once the answer is done
    details.locator("summary").click()
    assert details.get_attribute("open") is not None
    assert "The question is" in details.inner_text()
    shot(page, output, "reasoning_panel.png")
    details.locator("summary").click()
    assert details.get_attribute("open") is None


def test_hostile_answer_runs_nothing(page: Any) -> None:
    out = page.locator(".jp-OutputArea-output").filter(has_text="window.__pwned").first
    assert out.locator("script").count() == 0
    assert out.locator("img").count() == 0
    assert out.locator("a[href^='javascript']").count() == 0
    text = out.inner_text()
    assert "<script>" in text and "onerror" in text  # shown as text, escaped
    assert page.evaluate("() => window.__pwned") is None


@pytest.mark.parametrize("tag", ["audio", "video"])
def test_media_elements_are_present_and_playable(page: Any, tag: str) -> None:
    element = page.locator(f".jp-OutputArea-output {tag}").first
    element.wait_for(state="attached", timeout=30_000)
    assert element.get_attribute("controls") is not None
    played = page.evaluate(
        """async (tag) => {
            const el = document.querySelector(`.jp-OutputArea-output ${tag}`);
            el.muted = true;
            if (el.readyState < 1) {
                await new Promise((ok, fail) => {
                    el.addEventListener("loadedmetadata", ok, {once: true});
                    el.addEventListener("error", () => fail(new Error("media error " + (el.error && el.error.code))), {once: true});
                    el.load();
                });
            }
            await el.play();
            await new Promise(r => setTimeout(r, 400));
            const t = el.currentTime;
            el.pause();
            return {duration: el.duration, time: t, error: el.error && el.error.code};
        }""",
        tag,
    )
    assert played["error"] is None and played["duration"] > 0 and played["time"] > 0, played


def test_ledger_renders_bars(page: Any) -> None:
    ledger = page.locator(".llmkit-ledger").first
    assert ledger.locator("svg rect").count() >= 2
    shot(page, ledger, "ledger.png")


def test_no_page_errors_from_our_outputs(page: Any) -> None:
    assert not [e for e in page.page_errors if "llmkit" in e.lower()]
