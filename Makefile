# The two commands: `make run` (set up and serve the demo) and `make test` (the whole suite).
SHELL := /bin/bash
# uv from PATH, else bootstrapped with pip into a private virtualenv under .tools/.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_PYTHON := 3.13.0
PY := $(UV) run --frozen python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-e2e lint typecheck check docs demo clean

.tools/bin/uv:
	python3 -m venv .tools && .tools/bin/pip install --quiet uv

install: $(filter .tools/bin/uv,$(UV))
	$(UV) sync --frozen

var:
	mkdir -p var/mail

demo: install var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py load_demo

run: demo
	KOUIKI_STAFF_OTP_REQUIRED=$${KOUIKI_STAFF_OTP_REQUIRED:-0} KOUIKI_CAPACITY_ALWAYS_OPEN=$${KOUIKI_CAPACITY_ALWAYS_OPEN:-1} $(PY) manage.py serve --host $(HOST) --port $(PORT)

test: install
	$(UV) run --frozen pytest $(PYTEST_ARGS)

test-e2e: install
	$(UV) run --frozen pytest tests/e2e -m e2e $(PYTEST_ARGS)

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen lint-imports

typecheck: install
	$(UV) run --frozen mypy

docs: install
	$(PY) manage.py functions --markdown > docs/functions.md

clean:
	rm -rf var .pytest_cache .mypy_cache
