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
SAM ?= $(TOOLS)/bin/sam
# What `sam deploy` ships: the template's default architecture. SAM's Python builder fetches manylinux
# wheels for the target architecture, so an arm64 build needs neither an arm64 machine nor Docker.
ARCH ?= arm64
BUILD_DIR ?= .aws-sam/build
# `kith-local invoke` runs the build on this machine, so it needs extensions for this machine's processor.
LOCAL_ARCH := $(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x86_64)
LOCAL_BUILD_DIR ?= .aws-sam/build-local
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0

.PHONY: help venv tools lint format test test-unit demo serve bench build build-local preview openapi clean

help:
	@echo "make demo    run one owner's week end to end on an embedded local AWS; emails land in outbox/"
	@echo "make test    ruff, mypy and every test suite (unit, integration, e2e, template, browser)"
	@echo "make lint    ruff (mccabe at 10), mypy, the import layers (import-linter) and the house rules only"
	@echo "make bench   print request counts, import times, render rates and ranking agreement"
	@echo "             PARTS=name,... runs only those parts (python bench/run.py --help names them)"
	@echo "make serve   the console and API at http://127.0.0.1:<port>/, a ticking clock, on an embedded AWS;"
	@echo "             DEMO=1 seeds the demo owner and her network first (make serve DEMO=1)"
	@echo "make build   sam build for deploying, to $(BUILD_DIR): arm64 (the template's default) from any machine;"
	@echo "             ARCH=x86_64 for an x86_64 stack (deploy it with --parameter-overrides Architecture=x86_64)"
	@echo "make build-local  sam build for this machine ($(LOCAL_ARCH)), to $(LOCAL_BUILD_DIR), for kith-local invoke"
	@echo "make preview render a sample digest and follow-up to preview/, and every console page at 390 and 1280 px"
	@echo "             to preview/console/ (PNGs where Chromium is installed)"
	@echo "make openapi write openapi.json, the HTTP API's OpenAPI 3.1 document, from the code"

# pip's output goes to a log beside the environment, shown in full only when pip fails: on a working
# install it is notices about the machine's own pip settings. Setuptools' warning about editable
# installs is advice for packages laid out at the root, which Kith's (under shared/, infra/, cli/) are not.
define pip_install
	started=$$SECONDS; log="$(1)/pip-install.log"; \
	if ! PYTHONWARNINGS="ignore:Editable installation" $(1)/bin/python -m pip install --disable-pip-version-check \
		$(2) >"$$log" 2>&1; then cat "$$log" >&2; echo "pip failed; its output above is also in $$log" >&2; exit 1; fi; \
	echo "  done in $$((SECONDS - started)) s"
endef

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Kith needs Python 3.11 or newer" >&2; exit 1; }
	@rm -f $(VENV)/.installed-*
	@test -x $(BIN)/python || { \
		echo "Creating $(VENV) with $(PYTHON) (Python $$("$(PYTHON)" -c 'import platform; print(platform.python_version())'))"; \
		"$(PYTHON)" -m venv $(VENV) && echo "  done"; }
	@echo "Installing Kith and its test tools into $(VENV), a minute or two (pip's log: $(VENV)/pip-install.log)"
	@$(call pip_install,$(VENV),-U pip -e '.[dev]')
	@touch $@

venv: $(STAMP)

# The SAM CLI pins boto3, click and others exactly, so it lives in an environment of its own.
$(TOOLS_STAMP):
	@test -x $(TOOLS)/bin/python || { echo "Creating $(TOOLS) with $(or $(PYTHON313),$(PYTHON))"; \
		"$(or $(PYTHON313),$(PYTHON))" -m venv $(TOOLS) && echo "  done"; }
	@echo "Installing the SAM CLI into $(TOOLS), a minute or two (pip's log: $(TOOLS)/pip-install.log)"
	@$(call pip_install,$(TOOLS),aws-sam-cli)
	@touch $@

tools: $(TOOLS_STAMP)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m kith_local.house_rules

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
	$(BIN)/python -m kith_local serve $(if $(filter 1 yes true,$(DEMO)),--demo)

preview: venv
	$(BIN)/python -m kith_local preview

openapi: venv
	$(BIN)/python -m kith_local openapi

bench: venv
	$(BIN)/python bench/run.py $(if $(PARTS),--part $(PARTS))

build-local: ARCH := $(LOCAL_ARCH)
build-local: BUILD_DIR := $(LOCAL_BUILD_DIR)
# A SAM CLI given as SAM=... needs no .venv-tools.
build build-local: $(if $(filter $(TOOLS)/bin/sam,$(SAM)),tools)
	@test -n "$(filter arm64 x86_64,$(ARCH))" || { echo "ARCH must be arm64 or x86_64, not '$(ARCH)'" >&2; exit 1; }
	@test -n "$(PYTHON313)" || { echo "sam build for python3.13 needs a Python 3.13 interpreter" >&2; exit 1; }
	PATH="$(dir $(PYTHON313)):$$PATH" "$(SAM)" build --build-dir "$(BUILD_DIR)" --parameter-overrides Architecture=$(ARCH)

clean:
	rm -rf .aws-sam outbox preview .pytest_cache .mypy_cache .ruff_cache
