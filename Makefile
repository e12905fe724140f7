# The two commands of the README: `make dev` runs the service, `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: dev test lint audit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

dev: $(STAMP)
	$(BIN)/hotline dev

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Not part of `make test`: minutes of load on the real stack (needs wrk: apt-get install -y wrk).
# `make bench BENCH_ARGS=--quick` for a short run; writes bench/results.json and bench/results.md.
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check hotline flows workers tests config

# bandit (new findings fail; known ones are justified in docs/security-findings.md), then pip-audit.
audit: $(STAMP)
	$(BIN)/python .ci/audit.py

clean:
	rm -rf $(VENV) instance .pytest_cache
