"""`make dist`: build the sdist and the wheel, check them, and smoke-test the wheel in a fresh venv.

    python scripts/dist.py            # dist/llmkit_nb-<version>.tar.gz and -py3-none-any.whl

1. `python -m build` builds the sdist, then the wheel from the sdist (so the sdist is proven complete).
   Its log is kept in dist/build.log; any warning in it (a setuptools deprecation, a missing file) fails.
2. `twine check --strict` checks both (metadata, README rendering).
3. The wheel must carry the package data: py.typed, the catalog JSON, the sandbox's assets and request
   schemas, the domain presets.
4. A fresh venv in a temporary directory outside the checkout gets the wheel and its base dependencies
   (pip's cache makes this quick), and scripts/smoke.py runs there with that venv's python, from that
   directory, so it imports the installed wheel and never the source tree.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
# what the wheel must hold besides code: (a pattern over its file names, the least number of matches)
PACKAGE_DATA = {
    "py.typed": (r"(providers|llmkit_nb)/py\.typed", 2),
    "catalog providers": (r"providers/catalog/providers/[^/]+\.json", 60),
    "catalog models": (r"providers/catalog/models/[^/]+\.json", 10),
    "catalog media/voices/batch": (r"providers/catalog/(media|voices|batch)/[^/]+\.json", 3),
    "sandbox assets": (r"providers/sandbox/assets/[^/]+", 1),
    "sandbox schemas": (r"providers/sandbox/schemas/[^/]+\.json", 5),
    "domain presets": (r"providers/domains/[^/]+\.json", 1),
}
WARNING = re.compile(r"warn", re.I)


def step(name: str) -> float:
    print(f"== {name}", flush=True)
    return time.perf_counter()


def done(start: float, what: str) -> None:
    print(f"   {what} ({time.perf_counter() - start:.1f} s)", flush=True)


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(cmd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if out.returncode != 0:
        sys.exit(f"dist: {' '.join(map(str, cmd))} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return out  # type: ignore[no-any-return]


def main() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    shutil.rmtree(DIST, ignore_errors=True)
    DIST.mkdir()

    start = step(f"build llmkit-nb {version}: sdist, then the wheel from the sdist")
    # PYTHONDONTWRITEBYTECODE makes setuptools say "byte-compiling is disabled" (about this shell, not the
    # package: a wheel holds no bytecode either way), so the build runs without it
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(DIST), str(ROOT)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    log = out.stdout + out.stderr
    (DIST / "build.log").write_text(log, encoding="utf-8")
    if out.returncode != 0:
        sys.exit(f"dist: the build failed; see dist/build.log\n{log[-3000:]}")
    warned = [line for line in log.splitlines() if WARNING.search(line)]
    if warned:
        sys.exit("dist: the build warned (dist/build.log):\n" + "\n".join(warned))
    sdist = DIST / f"llmkit_nb-{version}.tar.gz"
    wheel = DIST / f"llmkit_nb-{version}-py3-none-any.whl"
    assert sdist.exists() and wheel.exists(), sorted(p.name for p in DIST.iterdir())
    done(
        start,
        f"{sdist.name} ({sdist.stat().st_size:,} B), {wheel.name} ({wheel.stat().st_size:,} B), no warnings",
    )

    start = step("twine check --strict")
    run([sys.executable, "-m", "twine", "check", "--strict", str(sdist), str(wheel)])
    done(start, "both PASSED")

    start = step("package data in the wheel")
    names = zipfile.ZipFile(wheel).namelist()
    counts = []
    for label, (pattern, least) in PACKAGE_DATA.items():
        found = [n for n in names if re.fullmatch(pattern, n)]
        if len(found) < least:
            sys.exit(f"dist: the wheel has {len(found)} files matching {pattern}, expected at least {least}")
        counts.append(f"{label} {len(found)}")
    stray = [n for n in names if n.split("/")[0] not in ("providers", "llmkit_nb") and ".dist-info/" not in n]
    if stray:
        sys.exit(f"dist: the wheel holds files outside the two packages: {stray[:10]}")
    done(start, f"{len(names)} files; " + ", ".join(counts))

    with tempfile.TemporaryDirectory(prefix="llmkit-dist-") as tmp:
        where = Path(tmp)
        start = step(f"fresh venv in {where} (outside the checkout) with the wheel and its base dependencies")
        run([sys.executable, "-m", "venv", str(where / "venv")])
        python = where / "venv" / "bin" / "python"
        run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)], cwd=where)
        done(start, "installed")

        start = step("smoke test with the fresh venv's python, from the temp dir")
        smoke = where / "smoke.py"
        shutil.copy(
            ROOT / "scripts" / "smoke.py", smoke
        )  # run from outside: nothing of the checkout on sys.path
        out = run([str(python), str(smoke), "--version", version, "--checkout", str(ROOT)], cwd=where)
        print(out.stdout, end="")
        done(start, "passed")
    print(f"dist: {sdist.name} and {wheel.name} are ready in dist/")


if __name__ == "__main__":
    main()
