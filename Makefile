# The two commands of the README: `make dev` runs the service, `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

LINTED := hotline flows workers tests config bench
PIP_COMPILE := $(BIN)/pip-compile --quiet --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: dev test lint audit bench lock clean

# Exact versions from requirements/dev.txt (the lock), then this project itself, editable.
$(STAMP): pyproject.toml requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# `make dev HOST=0.0.0.0` serves a training room's phones and laptops too (it prints a warning).
# Only a HOST given on make's command line counts: some shells export HOST as the machine's name.
DEV_HOST := $(if $(filter command line,$(origin HOST)),$(HOST),127.0.0.1)

dev: $(STAMP)
	$(BIN)/hotline dev --host $(DEV_HOST)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Not part of `make test`: minutes of load on the real stack (needs wrk: apt-get install -y wrk).
# `make bench BENCH_ARGS=--quick` for a short run; writes bench/results.json and bench/results.md.
# Then the fault bench (a minute): hop latency while Redis is frozen for 20 s, added to results.md.
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)
	$(BIN)/python -m bench.faults

# ruff (lint and format), mypy (strict on flows and hotline.platform), import-linter (the layers).
lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy
	$(BIN)/lint-imports

# Refresh the lock files from pyproject.toml's ranges (see CONTRIBUTING.md), then commit them.
lock: $(STAMP)
	$(PIP_COMPILE) --extra dev --extra postgres -o requirements/dev.txt pyproject.toml
	$(PIP_COMPILE) --extra postgres -o requirements/prod.txt pyproject.toml

# bandit (new findings fail; known ones are justified in docs/security-findings.md), then pip-audit.
audit: $(STAMP)
	$(BIN)/python .ci/audit.py

clean:
	rm -rf $(VENV) instance .pytest_cache
