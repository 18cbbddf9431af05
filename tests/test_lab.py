"""`make lab` on a fresh machine: as root or not, with or without a desktop, it serves JupyterLab.

Runs the real target on a free port, reads the URL with its token from what it prints, fetches the
quickstart through it and stops the server. Without a desktop it opens no browser and says which URL
to open; with one (DISPLAY set; BROWSER=true stands in for the browser) it opens the quickstart itself.
As root (a container) it passes --allow-root, which Jupyter otherwise demands. It installs nothing
after `make test` (the test extra includes JupyterLab).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None or not (ROOT / ".venv" / "bin" / "jupyter-lab").exists(),
    reason="needs make and the project's .venv with JupyterLab (make test sets it up)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("desktop", [False, True], ids=["headless", "desktop"])
def test_make_lab_serves_the_quickstart(desktop: bool, tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER")}
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")  # this server's files, not the user's
    if desktop:
        env.update(DISPLAY=":99", BROWSER="true")  # `true` opens the URL and does nothing with it
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped below, with everything it started
        )
    try:
        url = None
        deadline = time.monotonic() + 90
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
            found = re.search(rf"http://127\.0\.0\.1:{port}/\S*\?token=[0-9a-f]+", log.read_text())
            url = found.group(0) if found else None
        text = log.read_text()
        assert url is not None, text
        assert "pip install" not in text and "Installing" not in text  # nothing reinstalled
        assert ("--allow-root" in text) == (os.geteuid() == 0)
        assert ("--no-browser" in text) == (not desktop)
        assert ("No desktop here" in text) == (not desktop)
        assert "/lab/tree/01_quickstart.ipynb?token=" in url  # the printed URL opens the quickstart
        with urllib.request.urlopen(url, timeout=30) as page:
            assert page.status == 200 and b"JupyterLab" in page.read()
        token = url.rsplit("token=", 1)[1]
        api = f"http://127.0.0.1:{port}/api/contents/01_quickstart.ipynb?token={token}"
        with urllib.request.urlopen(api, timeout=30) as nb:
            assert b'"name": "01_quickstart.ipynb"' in nb.read()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
