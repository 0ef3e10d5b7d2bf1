# Corredor: `make run` sets everything up and runs the default scenario;
# `make test` sets everything up and runs lint and tests; `make data` rebuilds the default
# network from the source tables in data-src/; `make dashboard` serves the web dashboard on
# http://127.0.0.1:8501.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint format bench data dashboard clean install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/corredor run baseline --out out

test: install
	$(BIN)/python -m ruff check src tests benchmarks tools
	$(BIN)/python -m ruff format --check src tests benchmarks tools
	$(BIN)/python -m pytest -q

format: install
	$(BIN)/python -m ruff format src tests benchmarks tools
	$(BIN)/python -m ruff check --fix src tests benchmarks tools

bench: install
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_ensemble.py

data: install
	$(BIN)/python tools/build_default_data.py

dashboard: install
	$(BIN)/corredor dashboard

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
