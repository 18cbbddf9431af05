"""The committed notebooks carry the outputs of a full sandbox run (`make notebooks`), fit to be read on GitHub.

`make test` re-runs them and compares with nbval (strict, modulo notebooks/sanitize.cfg); this checks the
files themselves: every cell ran, in order, without an error; rich outputs have a text/plain twin; every
widget shown has its state saved (static viewers draw it from that); nothing from the machine leaks in.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# paths and secrets of the machine that ran them have no place in a committed notebook
LEAKS = re.compile(r"/(?:work|root|home|Users|tmp)/|sk-canary|sk-[A-Za-z0-9]{20,}|Bearer [A-Za-z0-9]")


def code_cells(nb: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def texts(output: dict[str, Any]) -> list[str]:
    found = ["".join(output.get("text", []))]
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/") or mime.endswith("json"):
            found.append(
                value
                if isinstance(value, str)
                else "".join(value)
                if isinstance(value, list)
                else json.dumps(value)
            )
    return found


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 9


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_with_the_outputs_of_one_clean_run(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = code_cells(nb)
    # one run, top to bottom: a fresh kernel numbers the cells 1, 2, 3, ...
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1)), "run `make notebooks`"
    assert any(c["outputs"] for c in cells)
    state = nb["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for i, cell in enumerate(cells, 1):
        for out in cell["outputs"]:
            assert out["output_type"] != "error", (
                f"cell [{i}] failed: {out.get('ename')}: {out.get('evalue')}"
            )
            data = out.get("data", {})
            if data:
                assert "text/plain" in data, f"cell [{i}]: {sorted(data)} without text/plain"
            if WIDGET_VIEW in data:
                assert data[WIDGET_VIEW]["model_id"] in state, f"cell [{i}]: a widget without saved state"
            for text in texts(out):
                leak = LEAKS.search(text)
                assert leak is None, f"cell [{i}]: {leak.group(0) if leak else ''!r}"
    assert "version" not in nb["metadata"].get("language_info", {}), (
        "the interpreter's version varies by machine"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_ignored_output_says_why(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in code_cells(nb):
        lines = [line.strip() for line in "".join(cell["source"]).splitlines()]
        for n, line in enumerate(lines):
            if line == "# NBVAL_IGNORE_OUTPUT":
                reason = lines[n + 1] if n + 1 < len(lines) else ""
                assert reason.startswith("#") and len(reason) > 12, f"say why on the next line: {lines[0]!r}"
