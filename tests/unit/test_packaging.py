"""Every data file the packages read is declared as package data, so the wheel carries it.

`make dist` builds the wheel and smoke-tests it in a fresh venv (scripts/dist.py); this is the quick
check that runs with the unit tests: a new data file in a folder pyproject's globs do not cover would
be missing from every install, while the editable checkout the tests use would still find it.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def data_files(package: str) -> list[str]:
    base = ROOT / package
    return sorted(
        str(p.relative_to(base))
        for p in base.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    )


def test_every_data_file_is_package_data() -> None:
    declared = PYPROJECT["tool"]["setuptools"]["package-data"]
    for package in ("providers", "llmkit_nb"):
        globs = declared.get(package, [])
        missing = [f for f in data_files(package) if not any(fnmatch.fnmatch(f, g) for g in globs)]
        assert missing == [], f"{package}: add to [tool.setuptools.package-data]: {missing}"


def test_the_packages_ship_py_typed_and_are_found() -> None:
    assert (ROOT / "providers" / "py.typed").exists() and (ROOT / "llmkit_nb" / "py.typed").exists()
    assert PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"] == ["providers*", "llmkit_nb*"]


def test_dist_and_smoke_scripts_exist_and_make_has_a_dist_target() -> None:
    assert (ROOT / "scripts" / "dist.py").exists() and (ROOT / "scripts" / "smoke.py").exists()
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\ndist:" in makefile and "scripts/dist.py" in makefile
