"""An error is still an error: in a real kernel a toolkit error draws its panel AND fails the cell.

A probe notebook whose cell raises ModelRetiredError goes through a kernel (Run All stops there),
`jupyter nbconvert --execute` (fails, naming the error's type and message) and nbval (fails);
the same error caught and shown on purpose with `show(err)` passes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

SETUP = "from llmkit_nb import LLMKit, errors, show\nkit = LLMKit(sandbox=True)"
RETIRED = 'kit.chat("anthropic/claude-3-7-sonnet", "hi")'
MESSAGE = "anthropic/claude-3-7-sonnet was retired on"
BIN = Path(sys.executable).parent


def probe(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in (SETUP, *cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def kernel_env() -> dict[str, str]:
    # the kernel must import this checkout, whatever directory the test runs from
    root = str(Path(__file__).resolve().parents[2])
    return {**os.environ, "PYTHONPATH": root, "LLMKIT_SANDBOX": "1"}


@pytest.fixture(scope="module")
def kernel() -> Any:
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", env=kernel_env())
    try:
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def run(kc: Any, code: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Execute `code`; return the execute reply's content and the cell's iopub outputs."""
    msg_id = kc.execute(code)
    reply = kc.get_shell_msg(timeout=60)
    assert reply["parent_header"]["msg_id"] == msg_id
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            break
        if kind in ("display_data", "execute_result", "error", "stream"):
            outputs.append({"type": kind, **msg["content"]})
    return reply["content"], outputs


def test_a_toolkit_error_draws_its_panel_and_the_cell_fails(kernel: Any) -> None:
    reply, _ = run(kernel, SETUP)
    assert reply["status"] == "ok"
    reply, outputs = run(kernel, RETIRED)
    assert reply["status"] == "error"
    assert reply["ename"] == "ModelRetiredError" and MESSAGE in reply["evalue"]
    assert [o["type"] for o in outputs] == ["display_data", "error"]
    panel, error = outputs
    assert 'class="llmkit-error"' in panel["data"]["text/html"]
    assert panel["data"]["text/plain"].startswith("ModelRetiredError (provider anthropic): ")
    assert error["ename"] == "ModelRetiredError"
    text = "\n".join(error["traceback"])
    assert "ModelRetiredError" in text and MESSAGE in text and "%tb" in text

    # %tb still prints the whole traceback, frames included
    _, outputs = run(kernel, "%tb")
    full = "\n".join(line for o in outputs for line in o.get("traceback", [])) + "".join(
        o.get("text", "") for o in outputs
    )
    assert "ModelRetiredError" in full and "kit.py" in full


def test_run_all_stops_at_the_failing_cell(kernel: Any) -> None:
    # "Run All" queues every cell; the kernel aborts what is queued after a cell that failed
    first = kernel.execute(RETIRED)
    second = kernel.execute("print('after the error')")
    replies = {}
    while len(replies) < 2:
        msg = kernel.get_shell_msg(timeout=60)
        replies[msg["parent_header"]["msg_id"]] = msg["content"]["status"]
    assert replies == {first: "error", second: "aborted"}


def test_an_error_shown_on_purpose_does_not_fail(kernel: Any) -> None:
    code = f"try:\n    {RETIRED}\nexcept errors.ModelRetiredError as err:\n    show(err)"
    reply, outputs = run(kernel, code)
    assert reply["status"] == "ok"
    assert [o["type"] for o in outputs] == ["display_data"]


def test_nbconvert_execute_fails_naming_the_error(tmp_path: Path) -> None:
    nb = probe(tmp_path / "probe.ipynb", RETIRED, "print('never reached')")
    proc = subprocess.run(
        [str(BIN / "jupyter-nbconvert"), "--to", "notebook", "--execute", "--stdout", str(nb)],
        capture_output=True,
        text=True,
        env=kernel_env(),
        timeout=180,
    )
    assert proc.returncode != 0
    assert "CellExecutionError" in proc.stderr
    assert "ModelRetiredError" in proc.stderr and MESSAGE in proc.stderr


NBVAL = [
    "-m",
    "pytest",
    "-q",
    "-p",
    "no:randomly",
    "-p",
    "no:cacheprovider",
    "--nbval-lax",
    "--nbval-current-env",
]


def nbval(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *NBVAL, "--rootdir", str(path.parent), str(path)],
        capture_output=True,
        text=True,
        env=kernel_env(),
        cwd=path.parent,
        timeout=180,
    )


def test_nbval_fails_a_notebook_whose_cell_raises_a_toolkit_error(tmp_path: Path) -> None:
    failing = nbval(probe(tmp_path / "failing.ipynb", RETIRED))
    assert failing.returncode == 1, failing.stdout
    assert "1 failed" in failing.stdout and "ModelRetiredError" in failing.stdout

    on_purpose = f"try:\n    {RETIRED}\nexcept errors.ModelRetiredError as err:\n    show(err)"
    passing = nbval(probe(tmp_path / "shown.ipynb", on_purpose))
    assert passing.returncode == 0, passing.stdout
