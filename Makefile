# `make lab` opens JupyterLab on the quickstart; `make test` runs everything CI runs.
# Each target sets up .venv itself (Python >= 3.11).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888

.PHONY: lab test lint unit notebooks bench sandbox clean browser-deps screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.lab: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[lab]'
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

lab: $(VENV)/.lab
	$(BIN)/jupyter lab --port=$(PORT) notebooks/01_quickstart.ipynb

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

# notebooks run against the offline sandbox (LLMKIT_SANDBOX=1), whatever keys the machine has
notebooks: $(VENV)/.test
	LLMKIT_SANDBOX=1 $(BIN)/python -m pytest -q -p no:randomly --nbval-lax --nbval-current-env notebooks/

test: lint unit notebooks

# refresh docs/img/ from the browser tests
screenshots: $(VENV)/.test browser-deps
	LLMKIT_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/browser

bench: $(VENV)/.test
	$(BIN)/python benchmarks/import_time.py

sandbox: $(VENV)/.lab
	$(BIN)/python -m providers.sandbox --port 8765 --delay 0.03

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

# the codec-boundary fuzzers (tests/unit/test_fuzz_*.py) with the long profile: thousands of malformed
# replies per codec, a few minutes; `make test` runs the same tests with a quick, derandomized profile
.PHONY: fuzz
fuzz: $(VENV)/.test
	LLMKIT_FUZZ=long $(BIN)/python -m pytest -q -p no:randomly tests/unit/test_fuzz_*.py
