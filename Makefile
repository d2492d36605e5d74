# The two commands that matter: `make run` and `make test`. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test worker lint format bench up down migrate

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput

# Web server and background worker together; Ctrl+C stops both.
run: migrate
	@mkdir -p var
	@$(PY) manage.py seed_demo --if-empty --admin --rows 200 --email demo@example.com > var/seed.log
	@if grep -q "Demo user" var/seed.log; then grep "Demo user" var/seed.log > var/demo-login.txt; fi
	@echo; echo "  Marketplace Bulk Editor: http://$(HOST):$(PORT)/"
	@echo "  $$(cat var/demo-login.txt 2>/dev/null || echo 'Log in with your own account.')"; echo
	@trap 'kill 0' INT TERM EXIT; \
	  $(PY) manage.py db_worker & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

worker: $(VENV)/.runtime
	$(PY) manage.py db_worker

test: $(VENV)/.dev
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Every bench/[!_]*.py (or BENCH="engine export"), then one summary table; BENCH_SMOKE=1 for the quick CI run.
bench: $(VENV)/.dev
	$(PY) bench/_run.py $(BENCH)

up:
	docker compose up -d --build

down:
	docker compose down
