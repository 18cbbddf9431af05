# `make lab` opens JupyterLab on the quickstart; `make test` runs everything CI runs.
# Each target sets up .venv itself (Python >= 3.11).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888

.PHONY: lab test lint unit notebooks bench sandbox clean

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

unit: $(VENV)/.test
	$(BIN)/python -m pytest -q

# notebooks run against the offline sandbox (LLMKIT_SANDBOX=1), whatever keys the machine has
notebooks: $(VENV)/.test
	LLMKIT_SANDBOX=1 $(BIN)/python -m pytest -q -p no:randomly --nbval-lax --nbval-current-env notebooks/

test: lint unit notebooks

bench: $(VENV)/.test
	$(BIN)/python benchmarks/import_time.py

sandbox: $(VENV)/.lab
	$(BIN)/python -m providers.sandbox --port 8765 --delay 0.03

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
