# Kith. `make demo` runs one owner's week end to end on an embedded local AWS;
# `make test` runs lint, types and every test suite. Both set themselves up.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# python3.13 where one is installed (a pyenv build counts), else any Python 3.11 or newer.
PYENV_ROOT ?= $(shell pyenv root 2>/dev/null)
ifeq ($(origin PYTHON), undefined)
PYTHON := $(shell for candidate in python3.13 $(wildcard $(PYENV_ROOT)/versions/3.13*/bin/python3.13) \
	python3.12 $(wildcard $(PYENV_ROOT)/versions/3.12*/bin/python3.12) python3.11 python3; do \
	"$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo "$$candidate"; break; }; done)
endif
PYTHON313 := $(shell for candidate in python3.13 $(wildcard $(PYENV_ROOT)/versions/3.13*/bin/python3.13); do \
	"$$candidate" -c 'import sys; print(sys.executable)' 2>/dev/null && break; done)

VENV := .venv
TOOLS := .venv-tools
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
TOOLS_STAMP := $(TOOLS)/.installed
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0

.PHONY: help venv tools lint format test test-unit demo serve bench build preview openapi clean

help:
	@echo "make demo    run one owner's week end to end on an embedded local AWS; emails land in outbox/"
	@echo "make test    ruff, mypy and every test suite (unit, integration, e2e, template)"
	@echo "make lint    ruff and mypy only"
	@echo "make bench   print request counts, import times, render rates and ranking agreement"
	@echo "make serve   the local API server and a ticking clock on an embedded AWS"
	@echo "make build   sam build for this machine's architecture (x86_64 here)"
	@echo "make preview render a sample digest and follow-up to preview/ (PNG too where Chromium is installed)"
	@echo "make openapi write openapi.json, the HTTP API's OpenAPI 3.1 document, from the code"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Kith needs Python 3.11 or newer" >&2; exit 1; }
	@echo "Setting up $(VENV) with $(PYTHON)"
	@rm -f $(VENV)/.installed-*
	@test -x $(BIN)/python || "$(PYTHON)" -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check -U pip
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

venv: $(STAMP)

# The SAM CLI pins boto3, click and others exactly, so it lives in an environment of its own.
$(TOOLS_STAMP):
	@echo "Installing the SAM CLI into $(TOOLS)"
	@test -x $(TOOLS)/bin/python || "$(or $(PYTHON313),$(PYTHON))" -m venv $(TOOLS)
	@$(TOOLS)/bin/python -m pip install -q --disable-pip-version-check aws-sam-cli
	@touch $@

tools: $(TOOLS_STAMP)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint tools
	KITH_SAM="$(abspath $(TOOLS))/bin/sam" KITH_PYTHON313="$(PYTHON313)" $(BIN)/pytest

test-unit: venv
	$(BIN)/pytest tests/unit

demo: venv
	$(BIN)/python -m kith_local demo

serve: venv
	$(BIN)/python -m kith_local serve

preview: venv
	$(BIN)/python -m kith_local preview

openapi: venv
	$(BIN)/python -m kith_local openapi

bench: venv
	$(BIN)/python bench/run.py

build: tools
	@test -n "$(PYTHON313)" || { echo "sam build for python3.13 needs a Python 3.13 interpreter" >&2; exit 1; }
	PATH="$(dir $(PYTHON313)):$$PATH" $(TOOLS)/bin/sam build --parameter-overrides Architecture=x86_64

clean:
	rm -rf .aws-sam outbox preview .pytest_cache .mypy_cache .ruff_cache
