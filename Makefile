# lakesight — two commands on a fresh machine: `make build` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LAKE ?= $(or $(LAKESIGHT_LAKE),data/lake)
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: help setup lake build docs test lint bench clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-7s %s\n", $$1, $$2}'

# The venv is (re)built only when the pins or the package metadata change.
$(STAMP): constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "lakesight needs Python >= 3.11 (set PYTHON=python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

setup: $(STAMP) ## create .venv and install the pinned dependencies

lake: $(STAMP) ## generate the data lake at the default scale if it is missing
	@if [ -f "$(LAKE)/_lake.json" ]; then echo "data lake present: $(LAKE)"; \
	 else $(BIN)/lakesight lake generate --lake "$(LAKE)"; fi

build: lake ## set up, generate the lake if missing, dbt build, summary, GX checkpoint, docs site
	@status=0; $(BIN)/dbt build || status=$$?; \
	 cp target/run_results.json target/build_run_results.json; \
	 $(BIN)/lakesight summary || true; \
	 $(BIN)/lakesight validate --run-results target/build_run_results.json \
	   --report site/quality.html || [ $$status -ne 0 ] || status=1; exit $$status
	@$(MAKE) --no-print-directory docs

docs: $(STAMP) ## the site/ folder: dbt docs (static) and an index page, from the last build
	$(BIN)/dbt docs generate --static --quiet
	$(BIN)/lakesight site

test: lint ## set up, lint, then run every test
	$(BIN)/pytest

lint: $(STAMP) ## ruff, yamllint, sqlfluff (dbt templater, DuckDB), dbt-bouncer conventions
	$(BIN)/ruff check lakesight lakesight_tests
	$(BIN)/ruff format --check lakesight lakesight_tests
	$(BIN)/yamllint --strict .
	$(BIN)/sqlfluff lint models tests analyses snapshots
	$(BIN)/dbt parse --quiet --target lint && $(BIN)/dbt-bouncer --config-file dbt-bouncer.yml

bench: $(STAMP) ## time and peak memory of lake generation and dbt build at scale 1
	$(BIN)/python -m lakesight.bench --scale $(or $(SCALE),1)

clean: ## remove generated output (keeps .venv)
	rm -rf target logs site exports lakesight.duckdb lakesight.duckdb.wal
