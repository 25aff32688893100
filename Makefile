# lakesight — two commands on a fresh machine: `make build` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
LAKE ?= $(or $(LAKESIGHT_LAKE),data/lake)
# ENGINE=spark: the same project on Apache Spark (dbt-spark in-process, docs/scale-out.md)
ENGINE ?= duckdb
SPARK_DIR ?= $(or $(LAKESIGHT_SPARK_DIR),$(CURDIR)/target/spark)
# what is portable to Spark so far (docs/scale-out.md, "What runs on Spark"); the raw layer is
# the Spark raw step, not dbt; tests that also read a model outside it are left out (cautious)
SPARK_SELECT ?= path:seeds path:models/staging path:models/intermediate path:models/marts \
  path:models/policy path:models/secure
# the Python models (dbt-spark runs none with method: session: the Spark raw step runs them), the
# mart over a snapshot (dbt-spark snapshots need Delta, Iceberg or Hudi), and the secure layer's
# generic tests (they switch principal within a session; on Spark current_user() is the session's)
# (policy_scope_mismatches+: a Python model that only reports, docs/scale-out.md)
SPARK_EXCLUDE ?= stg_lake__manifest policy_mask_salt dim_customers_history \
  policy_scope_mismatches+ \
  test_name:sec_no_row_outside_rules test_name:sec_masked_unless_granted
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: help setup assets lake build spark-build duckdb-build docs test test-fast lint lint-db bench clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-7s %s\n", $$1, $$2}'

# The venv is (re)built only when the pins or the package metadata change.
$(STAMP): constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "lakesight needs Python >= 3.11 (set PYTHON=python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,spark]'
	@touch $@

setup: $(STAMP) ## create .venv and install the pinned dependencies

# The GX Data Docs' front-end assets (package.json, pinned by package-lock.json) are installed into
# node_modules/ only when the lock changes; lakesight copies what the pages load into site/gx.
$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "The GX Data Docs need npm to install their pinned \
	assets: install Node.js 18 or newer with npm (Debian: sudo apt-get install nodejs npm; \
	elsewhere https://nodejs.org) and run make again."; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

assets: $(NPM_STAMP) ## install the Data Docs' pinned front-end assets (npm ci) into node_modules/

lake: $(STAMP) ## generate the data lake at the default scale if it is missing
	@if [ -f "$(LAKE)/_lake.json" ]; then echo "data lake present: $(LAKE)"; \
	 else $(BIN)/lakesight lake generate --lake "$(LAKE)"; fi

build: lake $(if $(filter spark,$(ENGINE)),spark-build,duckdb-build) ## set up, generate the lake if missing, then `lakesight build`: dbt build, summary, GX checkpoint, dashboards, notebooks, docs site (ENGINE=spark: on Spark)

# ENGINE=spark: Java 17 checked, the raw step and the lake's external tables (lakesight spark load),
# then dbt build --target spark of the portable models, the summary and the GX mart suites on
# GX's Spark engine. One JVM at a time (embedded Derby).
spark-build: lake
	@$(BIN)/lakesight spark check
	LAKESIGHT_SPARK_DIR="$(SPARK_DIR)" $(BIN)/lakesight spark load --lake "$(LAKE)"
	@status=0; LAKESIGHT_SPARK_DIR="$(SPARK_DIR)" LAKESIGHT_LAKE="$(abspath $(LAKE))" \
	  $(BIN)/dbt build --target spark --select $(SPARK_SELECT) --exclude $(SPARK_EXCLUDE) \
	  --indirect-selection cautious || status=$$?; \
	 LAKESIGHT_SPARK_DIR="$(SPARK_DIR)" $(BIN)/lakesight summary --spark || true; \
	 [ $$status -ne 0 ] || LAKESIGHT_SPARK_DIR="$(SPARK_DIR)" $(BIN)/lakesight spark validate \
	   || status=1; \
	 exit $$status

# the steps, their order and what a failure skips: lakesight/pipeline.py (`lakesight build --help`)
duckdb-build: lake $(NPM_STAMP)
	@$(BIN)/lakesight build

docs: $(STAMP) ## the site/ folder: dbt docs (static), profiles and an index page, from the last build
	$(BIN)/dbt docs generate --static --quiet
	$(BIN)/lakesight profiles --out site/profiles
	$(BIN)/lakesight site

# the test modules run side by side, one module per worker (pytest-xdist: its fixtures are built
# once); one worker more than cores: on 2 cores with 2 workers the suite kept the CPUs 61 % busy
# (user + sys 67.5 min in 55 min), its processes waiting on starts, files, JVMs and the browser.
# TEST_WORKERS=0 runs the modules one after another in this process
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 1); echo $$((n + 1)))
test: lint $(NPM_STAMP) ## set up, lint, then run every test (one worker more than cores: TEST_WORKERS=)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# tests/unit only: no lake, no dbt build, no browser (tests/conftest.py refuses a unit test that
# asks for a lake or a warehouse)
test-fast: $(STAMP) ## the unit tests only (tests/unit: no lake, no dbt build), under a minute
	$(BIN)/pytest -n $(TEST_WORKERS) tests/unit

# sqlfluff lints on every core (--processes 0): 60 s instead of 121 s on 2 cores (the dbt
# templater compiles the project once, the files are then linted in parallel)
lint: $(STAMP) ## ruff, yamllint, sqlfluff (dbt templater, DuckDB), dbt-bouncer conventions, macro docs
	$(BIN)/ruff check lakesight tests benchmarks tools models notebooks
	$(BIN)/ruff format --check lakesight tests benchmarks tools models notebooks
	$(BIN)/yamllint --strict .
	$(MAKE) --no-print-directory lint-db
	$(BIN)/dbt parse --quiet --target lint && $(BIN)/dbt-bouncer --config-file dbt-bouncer.yml
	$(BIN)/sqlfluff lint models data_tests analyses snapshots --processes 0
	$(BIN)/python -m tools.conventions target/manifest.json

# sqlfluff compiles against target/lint.duckdb, not the warehouse: the policy seeds, the resolved
# policy and every contracted mart as an empty table (the secure models read them while compiling)
# (ref_countries: policy_scope_mismatches maps regions to countries)
lint-db: $(STAMP)
	@mkdir -p target && rm -f target/lint.duckdb
	@$(BIN)/dbt seed --quiet --target lint --select path:seeds/security ref_countries
	@$(BIN)/dbt run --quiet --target lint --select path:models/policy
	@$(BIN)/dbt run-operation create_lint_stubs --target lint --quiet

# ydata-profiling, the bench's comparison, pins numpy/pandas/scipy that conflict with constraints.txt:
# it gets a venv of its own under target/, from its own pinned requirements
YDATA_STAMP := target/ydata-venv/.installed
$(YDATA_STAMP): benchmarks/ydata-requirements.txt
	$(PYTHON) -m venv target/ydata-venv
	target/ydata-venv/bin/python -m pip install --quiet --disable-pip-version-check \
	  -r benchmarks/ydata-requirements.txt
	@touch $@

bench: $(STAMP) $(NPM_STAMP) $(if $(filter spark,$(ENGINE)),,$(YDATA_STAMP)) ## time, peak memory and ratios at scale 1 (SCALE=0.1): full/no-op/+1 % builds, SQL floor, direct readers, pandas (EXTRAS=yes|no: GX, dashboards, profiles; default at scale <= 1); target/bench.json. ENGINE=spark: Spark local vs DuckDB, target/bench-spark.json
ifeq ($(ENGINE),spark)
	@$(BIN)/lakesight spark check
	$(BIN)/python -m benchmarks.bench_spark --scale $(or $(SCALE),1) \
	  --select "$(SPARK_SELECT)" --exclude "$(SPARK_EXCLUDE)"
else
	$(BIN)/python -m benchmarks.bench --scale $(or $(SCALE),1) --extras $(or $(EXTRAS),auto)
endif

clean: ## remove generated output (keeps .venv)
	rm -rf target logs site portals .portals.* exports .exports.* exports-native .exports-native.* lakesight.duckdb lakesight.duckdb.wal
