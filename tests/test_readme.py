"""The README and docs/**/*.md are tests: every ```python block runs, in order, against the sandbox.

The convention (README.md, "Documentation that runs"): each file's ```python blocks run top to bottom
in one namespace, offline (the network guard of tests/conftest.py), with canary keys in the environment
and a temporary working directory; a block fenced ```python no-run is shown but not run, and says
why next to it. So a README block cannot use a name no earlier block defined, import a name from where it
is not, read a placeholder file, or call a real provider. Every kit a block makes talks to the sandbox
(a kit may be real only when made with env={} to show a refusal: it has no keys to call anything with),
and `kit` is a sandbox kit after every block. README blocks end in an expression that displays, as the
last line of a notebook cell does. New blocks are picked up as they are added.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").rglob("*.md"))  # docs/releases/, docs/blog/ too
FENCE = re.compile(r"^```python([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)


class Block:
    def __init__(self, path: Path, line: int, info: str, code: str) -> None:
        self.path, self.line, self.info, self.code = path, line, info.strip(), code

    @property
    def runs(self) -> bool:
        return not self.info.startswith("no-run")

    def __repr__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    return [
        Block(path, text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2)) for m in FENCE.finditer(text)
    ]


@pytest.fixture
def kits_made(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    """Every LLMKit made while the blocks run, with the arguments it was made with."""
    from llmkit_nb import kit as kit_module

    made: list[tuple[Any, dict[str, Any]]] = []
    init = kit_module.LLMKit.__init__

    def recording_init(self: Any, **kwargs: Any) -> None:
        init(self, **kwargs)
        made.append((self, kwargs))

    monkeypatch.setattr(kit_module.LLMKit, "__init__", recording_init)
    return made


def run_blocks(
    path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kits_made: list[tuple[Any, dict[str, Any]]],
    *,
    must_display: bool,
) -> dict[str, Any]:
    monkeypatch.chdir(tmp_path)  # files a block writes or reads live here, and nowhere else
    namespace: dict[str, Any] = {"__name__": f"{path.stem}_md"}
    for block in blocks(path):
        if not block.runs:
            continue
        tree = ast.parse(block.code, filename=repr(block))
        last = tree.body[-1] if tree.body else None
        if must_display:
            assert isinstance(last, ast.Expr), (
                f"{block}: end the block with an expression that shows something"
            )
        try:
            if isinstance(last, ast.Expr):
                exec(
                    compile(
                        ast.Module(tree.body[:-1], type_ignores=[]), repr(block), "exec", dont_inherit=True
                    ),
                    namespace,
                )
                value = eval(
                    compile(ast.Expression(last.value), repr(block), "eval", dont_inherit=True), namespace
                )
            else:
                # dont_inherit: the block gets no `from __future__` of this file, as in a notebook cell
                exec(compile(tree, repr(block), "exec", dont_inherit=True), namespace)
                value = None
        except Exception as exc:
            pytest.fail(f"{block} failed: {type(exc).__name__}: {exc}\n{block.code}")
        if must_display:
            assert value is not None, f"{block}: its last expression is None, so it shows nothing"
            bundle = getattr(value, "_repr_mimebundle_", None)
            if callable(bundle) and not type(value).__module__.startswith("ipywidgets"):
                assert bundle(), f"{block}: its last value renders nothing"
        for kit, kwargs in kits_made:
            assert kit.sandbox or kwargs.get("env") == {}, f"{block} made a real kit: {kwargs}"
        current = namespace.get("kit")
        if current is not None:
            assert getattr(current, "sandbox", False), f"{block} rebinds `kit` away from the sandbox"
    return namespace


def test_every_readme_block_runs_in_order_and_displays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kits_made: list[tuple[Any, dict[str, Any]]]
) -> None:
    assert sum(b.runs for b in blocks(README)) >= 8
    namespace = run_blocks(README, tmp_path, monkeypatch, kits_made, must_display=True)
    assert namespace["kit"].sandbox


@pytest.mark.parametrize(
    "path",
    [p for p in DOCS if any(b.runs for b in blocks(p))],
    ids=lambda p: str(p.relative_to(ROOT / "docs")),
)
def test_every_docs_block_runs(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kits_made: list[tuple[Any, dict[str, Any]]]
) -> None:
    run_blocks(path, tmp_path, monkeypatch, kits_made, must_display=False)


def test_a_block_not_run_says_so_and_why() -> None:
    for path in [README, *DOCS]:
        for block in blocks(path):
            if not block.runs:
                assert re.match(r"no-run\b.{8,}", block.info), f"{block}: say why after `no-run`"
