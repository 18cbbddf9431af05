"""The domain notebooks in a real JupyterLab: maths in answers is typeset, prices are not, banners show.

JupyterLab typesets HTML outputs with MathJax ($...$, $$...$$, \\(...\\), \\[...\\]). The toolkit keeps
LaTeX spans intact and wraps a prose `$` in MathJax's ignore class; these tests check what a person
sees: `mjx-container` elements for the formulas, and "$25,000 plus $1,500" left as text.
"""

from __future__ import annotations

from typing import Any

import pytest


def _run_all(page: Any, lab: dict[str, str], notebook: str, last_selector: str) -> None:
    workspace = notebook.split(".")[0]  # a workspace of its own: only this notebook is open
    page.goto(f"{lab['base']}/lab/workspaces/{workspace}/tree/{notebook}?token={lab['token']}")
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    select = page.get_by_role("button", name="Select", exact=True)
    try:  # JupyterLab may ask which kernel to start; the notebook names python3
        select.wait_for(timeout=5_000)
        select.click()
    except Exception:
        pass
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']:visible", timeout=60_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()
    page.wait_for_selector(last_selector, state="attached", timeout=90_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']:visible", timeout=90_000)


@pytest.fixture(scope="module")
def context(browser: Any) -> Any:
    ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
    yield ctx
    ctx.close()


def test_scientific_answers_are_typeset_by_mathjax(lab: dict[str, str], context: Any) -> None:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _run_all(page, lab, "08_scientific.ipynb", ".llmkit-error")  # the refusal is the last rich output
    answer = page.locator(".llmkit-domain .llmkit-answer").filter(has_text="frictionless incline").first
    answer.scroll_into_view_if_needed()
    page.wait_for_function(
        "el => el.querySelectorAll('mjx-container').length >= 4", arg=answer.element_handle(), timeout=30_000
    )
    assert "$m = 2.0" not in answer.inner_text()  # the delimiters were consumed by MathJax
    banner = page.locator(".llmkit-domain-banner").filter(has_text="Scientific").first
    assert banner.is_visible()
    assert not [e for e in errors if "llmkit" in e.lower()]
    page.close()


def test_prices_in_a_contract_clause_stay_text(lab: dict[str, str], context: Any) -> None:
    page = context.new_page()
    _run_all(page, lab, "06_legal.ipynb", ".llmkit-error")
    answer = page.locator(".llmkit-domain .llmkit-answer").filter(has_text="early-termination fee").first
    answer.scroll_into_view_if_needed()
    page.wait_for_timeout(1_000)  # give MathJax its chance to (wrongly) typeset
    text = answer.inner_text()
    assert "$25,000 plus $1,500" in text
    assert answer.locator("mjx-container").count() == 0
    banner = page.locator(".llmkit-domain-banner").filter(has_text="Not legal advice.").first
    assert banner.is_visible()
    page.close()
