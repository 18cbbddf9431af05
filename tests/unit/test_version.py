"""One version, in pyproject.toml; both packages report it from the installed metadata."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import llmkit_nb
import providers
from providers import _version

ROOT = Path(__file__).resolve().parents[2]


def test_both_packages_report_the_pyproject_version() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    installed = metadata.version("llmkit-nb")
    assert installed == declared, (
        f"the installed metadata says {installed}, pyproject.toml {declared}: reinstall (pip install -e .)"
    )
    assert providers.__version__ == llmkit_nb.__version__ == declared


def test_version_is_a_release_string_not_a_placeholder() -> None:
    major, minor, patch = (int(part) for part in providers.__version__.split("."))
    assert (major, minor, patch) >= (0, 2, 0)


def test_not_installed_reports_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    _version.version.cache_clear()
    monkeypatch.setattr(metadata, "version", missing)
    try:
        assert providers.__version__ == llmkit_nb.__version__ == "0+unknown"
    finally:
        _version.version.cache_clear()


def test_other_missing_attributes_still_raise() -> None:
    with pytest.raises(AttributeError, match="__versoin__"):
        _ = providers.__versoin__  # type: ignore[attr-defined]
