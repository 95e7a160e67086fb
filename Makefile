# Two commands for a fresh machine: `make demo` and `make test`. Both bootstrap .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
ROOT ?= data
HOUSEHOLDS ?= 2000
SEED ?= 7
# Prefect keeps its state (a SQLite db) under PREFECT_HOME; keep it inside the checkout, not ~.
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export PREFECT_LOGGING_LEVEL ?= WARNING
export GX_ANALYTICS_ENABLED ?= False

.PHONY: demo test bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	rm -rf $(ROOT)/landing $(ROOT)/inbox $(ROOT)/outbox $(ROOT)/rejected $(ROOT)/warehouse.duckdb* $(ROOT)/snapshots
	$(BIN)/hhverify generate --root $(ROOT) --households $(HOUSEHOLDS) --seed $(SEED)
	$(BIN)/hhverify run --root $(ROOT)

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q -n auto --dist loadfile

bench: $(BIN)/.installed
	$(BIN)/python bench/matching.py

clean:
	rm -rf $(VENV) .prefect .pytest_cache .hypothesis
