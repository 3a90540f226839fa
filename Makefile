# `make`       set up everything and build dist/ from source/
# `make test`  set up everything (with test tools) and run the whole test suite
#              on both cores (pytest-xdist)
# `make test-fast`  the edit-test loop: everything but the `browser` and `slow`
#              tests, in one process (see tests/conftest.py for the markers)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

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

test: setup-test
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

test-fast: setup-test
	$(BIN)/python -m pytest -m "not browser and not slow"

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf dist $(VENV) .pytest_cache
