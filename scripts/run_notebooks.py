"""Regenerate the committed outputs of the notebooks from a sandbox run: `make notebooks`.

    python scripts/run_notebooks.py                  # every notebooks/*.ipynb
    python scripts/run_notebooks.py notebooks/03_regional.ipynb

Each notebook runs top to bottom in a fresh kernel (the Makefile gives it a clean environment with
LLMKIT_SANDBOX=1 and no keys, the same one `make test` compares in) and is written back with its
outputs and its widget state, so GitHub and static viewers show what a run shows. A cell that fails
stops the run and nothing is written. No timing metadata is kept, widget ids are renumbered in order,
and a cell whose new outputs differ from the committed ones only by what notebooks/sanitize.cfg allows
(timings, random ids) keeps the committed ones, so a re-run changes only what really changed.
`make test` then compares fresh runs against these outputs with nbval, modulo notebooks/sanitize.cfg.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def problems(nb: Any) -> list[str]:
    """What would make a committed notebook wrong: unrun cells, errors, html without text, lost widgets."""
    found = []
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.execution_count is None:
            found.append(f"cell {i}: not executed")
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                found.append(f"cell {i}: {out.ename}: {out.evalue}")
            data = out.get("data", {})
            if data and "text/plain" not in data:
                found.append(f"cell {i}: an output without text/plain ({', '.join(data)})")
            view = data.get(WIDGET_VIEW)
            if view and view["model_id"] not in state:
                found.append(f"cell {i}: widget {view['model_id']} has no saved state")
    return found


def run(path: Path, *, timeout: int) -> float:
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    before = [copy.deepcopy(cell.get("outputs")) for cell in nb.cells]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as sockets:
        # IPC sockets in a private folder: nothing listens on TCP, nothing is left behind
        km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "kernel"))
        client = NotebookClient(
            nb,
            km=km,
            timeout=timeout,
            resources={"metadata": {"path": str(path.parent)}},
            record_timing=False,  # no timestamps in the committed file
            store_widget_state=True,  # widgets render in static views (nbviewer, GitHub's renderer)
        )
        try:
            client.execute()
        finally:
            if km.has_kernel:  # a kernel manager we pass in is ours to shut down
                km.shutdown_kernel()
    elapsed = time.perf_counter() - started
    # the interpreter's patch version differs between machines; the kernel name is what matters
    nb.metadata.get("language_info", {}).pop("version", None)
    found = problems(nb)
    if found:
        raise SystemExit(f"{path}: not written:\n  " + "\n  ".join(found))
    nb = nbformat.from_dict(json.loads(canonical_widget_ids(json.dumps(nb), path.stem)))
    sanitize = sanitizer()
    for cell, old in zip(nb.cells, before, strict=True):
        # a cell whose outputs differ only in what the sanitizer allows keeps its committed outputs,
        # so a re-run changes only what really changed
        if old is not None and sanitize(old) == sanitize(cell.outputs):
            cell.outputs = old
    nbformat.write(nb, path)
    return elapsed


def sanitizer() -> Any:
    """The replacements of notebooks/sanitize.cfg (the ones nbval applies), over a whole output list."""
    text = (ROOT / "notebooks" / "sanitize.cfg").read_text(encoding="utf-8")
    patterns = [(re.compile(a), b) for a, b in re.findall(r"^regex: (.*)$\n^replace: (.*)$", text, re.M)]

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            for pattern, replace in patterns:
                value = pattern.sub(replace, value)
            return value
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    return lambda outputs: json.dumps(clean(outputs), sort_keys=True)


def canonical_widget_ids(text: str, stem: str) -> str:
    """Renames the random widget model ids to ones derived from their order, so a re-run writes the same
    ids: views in cell order, then the models each refers to, then any other saved model."""
    nb = json.loads(text)
    state = nb["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    order: list[str] = []

    def visit(model_id: str) -> None:
        if model_id in order or model_id not in state:
            return
        order.append(model_id)
        for ref in re.findall(r"IPY_MODEL_(\w+)", json.dumps(state[model_id], sort_keys=True)):
            visit(ref)

    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view:
                visit(view["model_id"])
    rest = sorted(
        set(state) - set(order),
        key=lambda m: re.sub(r"IPY_MODEL_\w+", "", json.dumps(state[m], sort_keys=True)),
    )
    for model_id in rest:
        visit(model_id)
    for n, model_id in enumerate(order):
        text = text.replace(model_id, hashlib.sha256(f"{stem}:{n}".encode()).hexdigest()[:32])
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    args = parser.parse_args(argv)
    if not os.environ.get("LLMKIT_SANDBOX"):
        parser.error(
            "run it with LLMKIT_SANDBOX=1 (`make notebooks` does): committed outputs are sandbox runs"
        )
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    total = 0.0
    for path in paths:
        elapsed = run(path, timeout=args.timeout)
        total += elapsed
        print(f"{path.name:36} {elapsed:6.1f} s", flush=True)
    print(f"{len(paths)} notebooks in {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
