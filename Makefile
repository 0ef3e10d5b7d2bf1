# Corredor: `make run` sets everything up and runs the default scenario (installing only
# what running needs); `make test` sets everything up with the developer tools (pytest,
# hypothesis, ruff, notebook runner, browser driver) and runs lint and tests; `make data`
# rebuilds the default network from the source tables in data-src/; `make dashboard`
# serves the web dashboard on http://127.0.0.1:8501.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HASH := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
RUN_STAMP := $(VENV)/.installed-run-$(HASH)
DEV_STAMP := $(VENV)/.installed-dev-$(HASH)

.PHONY: run test lint format bench data dashboard clean install install-run

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# What running needs: the package and its dependencies, no developer tools.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@rm -f $(VENV)/.installed-run-*
	@touch $(RUN_STAMP)

# Everything, developer tools included (a dev install is also a run install).
$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(DEV_STAMP) $(RUN_STAMP)

install-run: $(RUN_STAMP)

install: $(DEV_STAMP)

run: install-run
	$(BIN)/corredor run baseline --out out --force

test: install
	$(BIN)/python -m ruff check src tests benchmarks tools
	$(BIN)/python -m ruff format --check src tests benchmarks tools
	$(BIN)/python -m pytest -q

format: install
	$(BIN)/python -m ruff format src tests benchmarks tools
	$(BIN)/python -m ruff check --fix src tests benchmarks tools

bench: install-run
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_ensemble.py

data: install-run
	$(BIN)/python tools/build_default_data.py

dashboard: install-run
	$(BIN)/corredor dashboard

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
