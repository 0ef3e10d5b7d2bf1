# Corredor: `make run` sets everything up and runs the default scenario;
# `make test` sets everything up and runs lint and tests; `make data` rebuilds the default
# network from the source tables in data-src/.
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
#   make docs-numbers            rewrite the marked numbers from those files
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint format bench bench-sweep profile data clean install docs-numbers \
	reproduce-calibration recalibrate abc fragmentation

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

RESULTS := benchmarks/results

bench: install
	$(BIN)/python benchmarks/bench_engine.py --save $(RESULTS)/engine.json
	$(BIN)/python benchmarks/bench_ensemble.py --save $(RESULTS)/ensemble.json
	$(BIN)/python tools/docs_numbers.py

bench-sweep: install
	$(BIN)/python benchmarks/bench_sweep.py --save $(RESULTS)/sweep.json
	$(BIN)/python tools/docs_numbers.py

profile: install
	$(BIN)/python benchmarks/profile_ensemble.py --save $(RESULTS)/profile.json
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

data: install
	$(BIN)/python tools/build_default_data.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
