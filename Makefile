# `make`       set up everything and build dist/ from source/
# `make test`  set up everything (with test tools) and run the whole test suite
# `make bench`  cardpress against its peers, writes bench/RESULTS.md and bench/scaling.svg
#               (about 30 minutes; `make bench BENCH_FLAGS=--quick` for a 7-minute run)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
BENCH_FLAGS ?=

.PHONY: all build setup setup-test system system-test test bench clean

all: build

system:
	sh scripts/setup-system.sh

system-test:
	sh scripts/setup-system.sh --test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

setup: system $(VENV)/.installed

setup-test: system-test $(VENV)/.installed-test

build: setup
	$(BIN)/cardpress build source -o dist

test: setup-test
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/peers.py $(BENCH_FLAGS)

clean:
	rm -rf dist $(VENV) .pytest_cache
