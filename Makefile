# `make lab` opens JupyterLab on the quickstart; `make test` runs everything CI runs.
# Each target sets up .venv itself (Python >= 3.11).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888

.PHONY: lab test lint unit notebooks test-notebooks bench bench-overhead sandbox clean browser-deps screenshots dist

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# the test extra includes JupyterLab, so after `make test` the lab needs no install of its own
$(VENV)/.lab: pyproject.toml | $(BIN)/python
	@if [ -f $(VENV)/.test ] && [ $(VENV)/.test -nt pyproject.toml ]; then \
	  echo "JupyterLab: already installed by make test"; \
	else $(BIN)/python -m pip install -q -e '.[lab]'; fi
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# JupyterLab on notebooks/, opening the quickstart. Root (a container) needs --allow-root. Without a desktop to open a
# browser on (Linux with neither DISPLAY nor WAYLAND_DISPLAY, e.g. over SSH or in a container) it opens
# none and the URL with its token, printed below, is what to open. LAB_ARGS adds flags (--ip=0.0.0.0 ...).
LAB_ARGS ?=
lab: $(VENV)/.lab
	@flags="--port=$(PORT)"; \
	if [ "$$(id -u)" = 0 ]; then flags="$$flags --allow-root"; fi; \
	if [ "$$(uname -s)" != Darwin ] && [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  flags="$$flags --no-browser"; \
	  echo "No desktop here: open the http://...?token=... URL JupyterLab prints below (Ctrl-C stops it)."; \
	fi; \
	flags="$$flags --ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/01_quickstart.ipynb"; \
	echo "$(BIN)/jupyter lab $$flags $(LAB_ARGS)"; \
	exec $(BIN)/jupyter lab $$flags $(LAB_ARGS)

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Debian's chromium for the browser tests (Playwright drives it by path; it never downloads a browser).
# If it cannot be installed, the browser tests skip and say why.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
	  || echo "note: could not install chromium; the browser tests will skip"; }

unit: $(VENV)/.test browser-deps
	$(BIN)/python -m pytest -q

# retirement dates in the notebooks and their tests are judged on the day the catalog describes, so a
# committed output does not change when the calendar passes a model's retires_on date
CATALOG_DAY = $(shell $(BIN)/python -c "from providers.registry import catalog_date; print(catalog_date())" 2>/dev/null)

# The notebooks run against the offline sandbox in a clean environment (no keys, no region variables,
# UTC), the same one for writing the committed outputs and for comparing against them.
NB_ENV = env -i PATH="$$PATH" HOME="$$HOME" TMPDIR="$${TMPDIR:-/tmp}" LANG=C.UTF-8 PYTHONUTF8=1 \
	TZ=UTC PYTHONHASHSEED=0 LLMKIT_SANDBOX=1 LLMKIT_TODAY=$(CATALOG_DAY)

# regenerate the committed outputs of every notebooks/*.ipynb from a sandbox run (commit the result)
notebooks: $(VENV)/.test
	$(NB_ENV) $(BIN)/python scripts/run_notebooks.py

# run every notebook and compare its outputs with the committed ones (nbval, strict), modulo
# notebooks/sanitize.cfg (timings, random ids); notebooks/conftest.py teaches nbval display updates
test-notebooks: $(VENV)/.test
	$(NB_ENV) $(BIN)/python -m pytest -q -p no:randomly --nbval --nbval-current-env \
	  --nbval-sanitize-with notebooks/sanitize.cfg notebooks/

test: lint unit test-notebooks

# the release artefacts in dist/: sdist, then the wheel built from it (any warning in the build log fails),
# twine check --strict, the package data checked in the wheel, and scripts/smoke.py run with a fresh venv
# outside the checkout that holds only the wheel and its base dependencies (scripts/dist.py)
dist: $(VENV)/.test
	$(BIN)/python scripts/dist.py

# refresh docs/img/ from the browser tests
screenshots: $(VENV)/.test browser-deps
	LLMKIT_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/browser

bench: $(VENV)/.test
	$(BIN)/python benchmarks/import_time.py

# client overhead against raw httpx2, the official SDKs and LiteLLM on one loopback sandbox (several
# minutes; the README's table). LiteLLM is the `bench` extra: without it its rows are left out.
bench-overhead: $(VENV)/.test
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/overhead.py

sandbox: $(VENV)/.lab
	$(BIN)/python -m providers.sandbox --port 8765 --delay 0.03

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache dist build

# the codec-boundary fuzzers (tests/unit/test_fuzz_*.py) with the long profile: thousands of malformed
# replies per codec, a few minutes; `make test` runs the same tests with a quick, derandomized profile
.PHONY: fuzz
fuzz: $(VENV)/.test
	LLMKIT_FUZZ=long $(BIN)/python -m pytest -q -p no:randomly tests/unit/test_fuzz_*.py
