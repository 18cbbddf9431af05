"""`import providers` stays cheap and never loads the notebook layer; neither package works at import."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["IPython", "ipywidgets", "llmkit_nb", "markdown_it", "httpx2", "uvicorn", "nest_asyncio2"]


def loaded_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def test_import_providers_loads_no_notebook_layer_and_no_http() -> None:
    mods = loaded_after("import providers")
    assert not {m for m in mods if m.split(".")[0] in HEAVY}


def test_import_llmkit_nb_is_lazy() -> None:
    mods = loaded_after("import llmkit_nb")
    assert not {m for m in mods if m.split(".")[0] in HEAVY and m != "llmkit_nb"}


def test_providers_package_never_imports_the_notebook_layer() -> None:
    import pathlib
    import re

    pattern = re.compile(r"^\s*(import|from)\s+(IPython|ipywidgets|llmkit_nb)\b", re.M)
    root = pathlib.Path(__file__).resolve().parents[2] / "providers"
    offenders = [str(p) for p in root.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_version_is_read_on_first_access_not_at_import() -> None:
    baseline = loaded_after("pass")
    for package in ("providers", "llmkit_nb"):
        mods = loaded_after(f"import {package}") - baseline
        assert "providers._version" not in mods and "importlib.metadata" not in mods, package
        mods = loaded_after(f"import {package}; {package}.__version__") - baseline
        assert "providers._version" in mods and not {m for m in mods if m.split(".")[0] in HEAVY} - {
            "llmkit_nb"
        }
