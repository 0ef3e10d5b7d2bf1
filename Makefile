# Corredor: `make run` sets everything up and runs the default scenario (installing only
# what running needs); `make test` sets everything up with the developer tools (pytest,
# hypothesis, ruff, notebook runner, browser driver) and runs lint and tests; `make data`
# rebuilds the default network from the source tables in data-src/; `make dashboard`
# serves the web dashboard on http://127.0.0.1:8501.
#
# Measured numbers in README.md and docs/ are generated (tools/docs_numbers.py) from
# committed result files; each target below remakes one family of them:
#   make recalibrate             refit baseline (the command recorded in baseline.toml),
#                                ship values + docs/calibration, regression, docs numbers
#   make reproduce-calibration   re-run the recorded calibration, check values (exact)
#   make abc                     docs/calibration/abc (rejection ABC)
#   make fragmentation           docs/calibration/fragmentation.json
#   make bench                   benchmarks/results/engine.json, ensemble.json
#   make bench-sweep, make profile   benchmarks/results/sweep.json, profile.json
#   make bench-networks          benchmarks/results/networks.json (slow: 5,000 edges × 256)
#   make docs-numbers            rewrite the marked numbers from those files
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HASH := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
RUN_STAMP := $(VENV)/.installed-run-$(HASH)
DEV_STAMP := $(VENV)/.installed-dev-$(HASH)

.PHONY: run test lint format bench bench-sweep bench-networks profile data dashboard clean \
	install install-run docs-numbers reproduce-calibration recalibrate abc fragmentation

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

RESULTS := benchmarks/results

bench: install
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_engine.py --save $(RESULTS)/engine.json
	$(BIN)/python benchmarks/bench_ensemble.py --save $(RESULTS)/ensemble.json
	$(BIN)/python tools/docs_numbers.py

bench-sweep: install
	$(BIN)/python benchmarks/bench_sweep.py --save $(RESULTS)/sweep.json
	$(BIN)/python tools/docs_numbers.py

profile: install
	$(BIN)/python benchmarks/profile_ensemble.py --save $(RESULTS)/profile.json
	$(BIN)/python tools/docs_numbers.py

bench-networks: install
	$(BIN)/python benchmarks/bench_networks.py --default --large --save $(RESULTS)/networks.json
	$(BIN)/python tools/docs_numbers.py

docs-numbers: install
	$(BIN)/python tools/docs_numbers.py

# WORKERS=N runs the re-calibration on N worker processes (the values must not change)
reproduce-calibration: install
	$(BIN)/python tools/reproduce_calibration.py $(if $(WORKERS),--workers $(WORKERS))

recalibrate: install
	$(BIN)/python tools/reproduce_calibration.py --run-only --out out/calibration
	$(BIN)/python tools/ship_calibration.py out/calibration
	$(BIN)/python tools/update_regression.py
	$(BIN)/python tools/docs_numbers.py

abc: install
	rm -rf out/abc
	$(BIN)/corredor calibrate baseline --method abc --n 5000 --accept 0.02 --out out/abc
	mkdir -p docs/calibration/abc
	cp out/abc/calibration.md out/abc/calibration.html out/abc/fit.png out/abc/*.csv \
		out/abc/run.json out/abc/calibrated.toml docs/calibration/abc/
	$(BIN)/python tools/docs_numbers.py

fragmentation: install
	$(BIN)/python tools/fragmentation_sensitivity.py --save docs/calibration/fragmentation.json
	$(BIN)/python tools/docs_numbers.py

data: install-run
	$(BIN)/python tools/build_default_data.py

dashboard: install-run
	$(BIN)/corredor dashboard

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
