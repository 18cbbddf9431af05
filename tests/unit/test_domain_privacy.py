"""Keeps docs/domain_models.md's HIPAA section true: the toolkit writes no files and logs nothing.

The section states what the code does; if this test fails, something started writing or logging:
either remove it or update the section (and the allowlist below) to say exactly what is now kept.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("providers", "llmkit_nb")

# (file, call) pairs the HIPAA section names. Anything else that writes or logs fails this test.
ALLOWED = {
    ("providers/docs.py", "write_text"),  # the docs generator, run by hand
    ("providers/docs.py", "mkdir"),
    ("providers/audio/types.py", "write_bytes"),  # Speech.save(path): only when the user asks
    ("providers/video/service.py", "write_bytes"),  # Video/Image .save(path): only when the user asks
    ("providers/sandbox/__main__.py", "getLogger"),  # the sandbox server quiets one uvicorn message
    ("providers/cache.py", "mkdir"),  # the response cache: only with cache=True or cache="path"
}
# (file, module) pairs the HIPAA section names
ALLOWED_MODULES = {
    ("providers/sandbox/__main__.py", "logging"),
    ("providers/cache.py", "sqlite3"),  # the response cache's store, only when asked for
}
WRITERS = {"write_text", "write_bytes", "mkdir", "makedirs", "dump", "to_csv", "savefig", "getLogger"}
MODULES = {"logging", "tempfile", "shelve", "sqlite3", "pickle"}


def _calls(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in WRITERS:
                found.add(name)
            if name == "open" and isinstance(func, ast.Name):  # builtin open(): check its mode
                mode = node.args[1] if len(node.args) > 1 else None
                for kw in node.keywords:
                    if kw.arg == "mode":
                        mode = kw.value
                text = mode.value if isinstance(mode, ast.Constant) else "r"
                if any(c in str(text) for c in "wax+"):
                    found.add("open-for-writing")
    return found


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_toolkit_writes_no_files_and_logs_nothing_beyond_what_the_docs_say() -> None:
    unexpected = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for call in _calls(tree):
                if (rel, call) not in ALLOWED:
                    unexpected.append(f"{rel}: {call}()")
            for module in _imports(tree) & MODULES:
                if (rel, module) not in ALLOWED_MODULES:
                    unexpected.append(f"{rel}: import {module}")
    assert not unexpected, (
        "docs/domain_models.md (HIPAA section) says the toolkit writes no files and logs nothing; "
        f"these now do: {unexpected}"
    )


def test_the_allowlist_matches_the_code() -> None:
    """Each allowed writer still exists, so the HIPAA section does not describe code that is gone."""
    checked = 0
    for rel, call in ALLOWED:
        if not (ROOT / rel).exists():  # an entry may land before its module is committed
            continue
        assert call in _calls(ast.parse((ROOT / rel).read_text(encoding="utf-8"))), (rel, call)
        checked += 1
    assert checked >= 3


def test_the_hipaa_section_names_each_allowed_writer() -> None:
    section = (ROOT / "docs" / "domain_models.md").read_text(encoding="utf-8").split("### HIPAA", 1)[1]
    section = section.split("\n## ", 1)[0]
    needles = ["providers/docs.py", "Speech.save", "python -m providers.sandbox", "sandbox_app.requests"]
    if (ROOT / "providers/video/service.py").exists():
        needles.append("Video.save(path)")
    for needle in needles:
        assert needle in section, needle
