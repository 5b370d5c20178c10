# revcycle: `make demo` sets up and runs the main job; `make test` sets up and passes the tests.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-stamp
X12CORE := pipelines/x12/libx12core.so
PORT ?= 8501

.DEFAULT_GOAL := help
.PHONY: help setup demo test test-spark test-wheel browser lint format dbt dashboard run airflow bench clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

setup: $(STAMP) $(X12CORE)  ## create .venv, install the pinned stack, build the X12 core (idempotent)

# The compiled X12 core (Rust, std only: crates.io is not reachable here).  Without rustc revcycle still
# works on the Python reference engine, only slower.
# The code lists it validates against are dbt seeds it compiles in (pipelines/x12/codes.py).
$(X12CORE): native/x12core/src/lib.rs $(wildcard dbt_project/seeds/*.csv) $(STAMP)
	@if $(BIN)/python -c "import sys; from pipelines.x12.native import rustc; sys.exit(rustc() is None)"; then \
	  $(BIN)/python -c "from pipelines.x12.native import build; build()" && echo "built $(X12CORE)"; \
	else echo "rustc not found: the X12 core is not built, revcycle uses the Python reference engine"; fi

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]' -c constraints.txt
	@touch $(STAMP)

demo: setup  ## demo data -> Airflow DAG (embedded) -> summary -> dashboard on :$(PORT)
	$(BIN)/revcycle demo-data
	$(BIN)/revcycle dag-test
	$(BIN)/revcycle summary
	@echo "Serving the dashboard at http://localhost:$(PORT) (Ctrl-C to stop)"
	$(BIN)/revcycle dashboard --port $(PORT)

test: setup browser lint  ## lint + the whole pytest pyramid (unit, dbt, GX, DAG, AppTest, browser, e2e)
	$(BIN)/pytest

test-spark: setup  ## the dbt project on Apache Spark local mode == the DuckDB build (installs the [spark] extra; Java 17+)
	$(BIN)/python -m pip install -q -e '.[test,spark]' -c constraints.txt
	$(BIN)/pytest -m spark tests/spark

test-wheel: setup  ## pip install the wheel into a fresh virtualenv and run it from another directory
	$(BIN)/pytest -m wheel tests/packaging

browser:  ## Debian chromium for the real-browser test (playwright never downloads a browser here)
	@command -v chromium >/dev/null || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
	  || echo "could not install chromium (needs root and Debian's apt): the browser test will be skipped"; }

lint:  ## ruff (incl. Airflow AIR3 rules) and sqlfluff (dbt templater) on the dbt project
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pipelines.cli.sql_lint lint --processes 2

format:  ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

run: setup  ## ingest the landing folder and build (no Airflow)
	$(BIN)/revcycle run

dbt: setup  ## run dbt with the settings' environment, e.g. make dbt ARGS="test --select fct_claims"
	$(BIN)/revcycle dbt $(ARGS)

dashboard: setup  ## serve the dashboard only
	$(BIN)/revcycle dashboard --port $(PORT)

airflow: setup  ## Airflow 3 standalone (scheduler, DAG processor, triggerer, UI on :8080) with the project's DAGs
	$(BIN)/revcycle airflow --port 8080

bench: setup  ## run the benchmarks (installs the [bench] extra: oxedi)
	$(BIN)/python -m pip install -q -e '.[test,bench]' -c constraints.txt
	$(BIN)/python benchmarks/x12_parse.py
	$(BIN)/python benchmarks/generate.py --claims 1000000
	$(BIN)/python benchmarks/build.py --claims 100000
	$(BIN)/python benchmarks/integrity_eval.py

clean:  ## remove generated data (keeps .venv)
	rm -rf data dbt_project/target dbt_project/logs artifacts
