# The two commands that matter: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
DEMO_DIR := $(CURDIR)/data/demo
# One setting places the warehouse for the CLI, Dagster, dbt and the dashboard.
export GOVPULSE_WAREHOUSE ?= $(CURDIR)/data/govpulse.duckdb
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
# dbt must be on PATH for dagster-dbt.
export PATH := $(BIN):$(PATH)
# The demo's 90 days end at the start of the current UTC hour, fixed once per make call.
AS_OF := $(shell date -u +%Y-%m-%dT%H:00:00Z)
PORT ?= 8501

.PHONY: install manifest demo demo-build demo-data test lint dagster docs bench bench-quick clean

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,spark,postgres]'
	@touch $@

install: $(VENV)/.installed

# Dagster reads its instance config only from $DAGSTER_HOME.
$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME) && cp dagster.yaml $@

# dagster-dbt loads the dbt manifest at import time: parse the project once.
manifest: install
	cd $(CURDIR) && $(BIN)/dagster-dbt project prepare-and-package --file orchestration/project.py >/dev/null

demo-data: install
	$(BIN)/govpulse demo-data --out $(DEMO_DIR) --as-of $(AS_OF)

demo-build: manifest demo-data $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/govpulse run --registry $(DEMO_DIR)/registry.csv --source files --input $(DEMO_DIR) \
		--warehouse $(GOVPULSE_WAREHOUSE) --as-of $(AS_OF)

demo: demo-build
	$(BIN)/govpulse dashboard --warehouse $(GOVPULSE_WAREHOUSE) --port $(PORT)

lint: install
	$(BIN)/ruff check .

test: manifest lint
	$(BIN)/python -m pytest

# The Dagster UI with this repository's instance config (dagster.yaml) under .dagster_home/.
# Its jobs read the demo corpus unless the environment or a .env file names other inputs.
dagster: export GOVPULSE_REGISTRY ?= $(DEMO_DIR)/registry.csv
dagster: export GOVPULSE_INPUT_DIR ?= $(DEMO_DIR)
# Started from $(DAGSTER_HOME): from here, Dagster would warn that this folder's dagster.yaml
# is not the one it reads (it is: the rule above copies it there).
dagster: manifest $(DAGSTER_HOME)/dagster.yaml
	cd $(DAGSTER_HOME) && $(BIN)/dagster dev -m orchestration.definitions \
		--working-directory $(CURDIR)

# Measured performance (see bench/run.py and the README's table); never part of `make test`.
bench: manifest
	$(BIN)/python bench/run.py --scales 4 36 357 --spark-scales 4 36

bench-quick: manifest
	$(BIN)/python bench/run.py --scales 4 --repeats 10 --pandas-seconds 120

docs: manifest
	cd dbt_project && $(BIN)/dbt docs generate --profiles-dir . --vars '{as_of: "$(AS_OF)"}'

clean:
	rm -rf data .dagster_home dbt_project/target dbt_project/logs
