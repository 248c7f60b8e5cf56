# Nokor: thin wrappers around the commands in README.md. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := nokor.settings

.PHONY: help run dev install test test-unit test-browser lint messages lock bench faults load audit-deps attacks topology clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Nokor needs Python 3.11"' || exit 1
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment: run sudo scripts/install-system-packages.sh"; exit 1; }
	$(PY) -m pip install -q --upgrade pip setuptools==84.2.1  # not in the lock (pip-compile leaves it out); Python's own 65.5 has advisories
	$(PY) -m pip install -q -r requirements.lock
	@touch $@

install: $(VENV)/.installed ## create the virtual environment and install the locked dependencies

messages: install ## compile the translation catalogues (needs gettext)
	@if command -v msgfmt >/dev/null; then NOKOR_DEBUG=1 $(PY) manage.py compilemessages -v0 --ignore=.venv; else echo "gettext missing: pages in English only (scripts/install-system-packages.sh)"; fi

run: install messages ## start the platform with demo data on SQLite at http://127.0.0.1:8000 (web + worker)
	@scripts/check-system.sh
	@mkdir -p data
	NOKOR_DEMO=1 $(PY) manage.py migrate -v0
	NOKOR_DEMO=1 $(PY) manage.py load_gazetteer -v1
	NOKOR_DEMO=1 $(PY) manage.py seed_demo
	NOKOR_DEMO=1 $(PY) manage.py collectstatic --noinput -v0
	@echo "Nokor is at http://$(HOST):$(PORT)/  (Ctrl+C stops the web server and the worker)"
	@trap 'kill 0' EXIT INT TERM; \
	NOKOR_DEMO=1 $(PY) manage.py run_worker & \
	NOKOR_DEMO=1 $(VENV)/bin/granian --interface wsgi --host $(HOST) --port $(PORT) --workers 1 \
	  --blocking-threads 4 --log-level warning nokor.wsgi:application

dev: install messages ## development server with auto-reload and DEBUG on (no worker)
	NOKOR_DEBUG=1 $(PY) manage.py migrate -v0
	NOKOR_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install messages ## run the whole test suite: unit and integration, then the browser tests
	@$(MAKE) --no-print-directory test-unit
	@$(MAKE) --no-print-directory test-browser

test-unit: install
	$(PY) -m pytest -m "not browser" -q

test-browser: install
	@if command -v chromium >/dev/null; then \
	  DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m browser -q -p no:xdist; \
	  rc=$$?; if [ $$rc -eq 5 ]; then echo "no browser test collected"; exit 0; fi; exit $$rc; \
	else \
	  echo "!!! BROWSER TESTS SKIPPED: chromium is not installed. Run: sudo scripts/install-system-packages.sh !!!"; \
	  if [ -n "$$NOKOR_REQUIRE_BROWSER" ]; then exit 1; fi; \
	fi

lint: install ## ruff check and format check, migrations check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	NOKOR_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run -v0

lock: install ## regenerate requirements.lock from the ranges in pyproject.toml
	$(VENV)/bin/pip-compile -q --extra dev --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

bench: install ## run the benchmark harness (PostgreSQL + granian + wrk) and write docs/performance.md
	$(PY) bench/run.py

faults: install ## fault drills on a throw-away PostgreSQL: a worker killed mid-batch, the database restarted under load
	$(PY) bench/faults.py

load: install ## load test with Locust (ramp, 5x spike, 20-min soak; about 50 min) into docs/reliability.md
	$(PY) bench/load.py

audit-deps: install ## pip-audit of requirements.lock: no known vulnerability unaddressed (docs/security.md)
	$(PY) scripts/audit_deps.py $(AUDIT_FLAGS)

attacks: install ## attack tests on loopback: account enumeration by answer and timing, sqlmap (docs/security.md)
	$(PY) bench/attacks.py all

topology: install ## primary + streaming replica, Redis, 2 web + 2 workers, then every browser journey on them
	$(PY) bench/topology.py

clean: ## remove the virtual environment and local data
	rm -rf $(VENV) data
