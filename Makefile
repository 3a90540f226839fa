# `make`       set up everything and build dist/ from source/
# `make test`  set up everything (with test tools) and run the whole test suite
#              on both cores (pytest-xdist)
# `make test-fast`  the edit-test loop: everything but the `browser` and `slow`
#              tests (see tests/conftest.py for the markers), also on both cores
# PYTEST_PARALLEL= (empty) runs either in one process; PYTEST_ARGS=... adds
# pytest options, e.g. `make test-fast PYTEST_ARGS="-x tests/test_reader.py"`.
# `make bench`  cardpress against its peers, writes bench/RESULTS.md and bench/scaling.svg
#               (about 30 minutes; `make bench BENCH_FLAGS=--quick` for a 7-minute run)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
BENCH_FLAGS ?=

.PHONY: all build setup setup-test system system-test test test-fast bench clean

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

# Whole test files go to one worker (`loadfile`): the PDF, site and
# interrupt tests share module fixtures that are costly to build twice.
PYTEST_PARALLEL ?= -n 2 --dist loadfile
PYTEST_ARGS ?=

test: setup-test
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-fast: setup-test
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not browser and not slow" $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/peers.py $(BENCH_FLAGS)

clean:
	rm -rf dist $(VENV) .pytest_cache
