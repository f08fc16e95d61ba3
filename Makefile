# `make run` and `make test` are the two commands (see README). Every step is
# guarded by a stamp or a check, so a second run only starts what is stopped.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
export FLASK_APP := wsgi:app
GRID_HOST ?= 127.0.0.1
GRID_PORT ?= 5000
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
# The database: GRID_DATABASE_URL if set, otherwise the private cluster under var/pg.
DB = GRID_DATABASE_URL="$$(scripts/db.sh ensure)"
# `make run` is the demo: its accounts may log in unless GRID_DEMO=0 is given.
DEMO = GRID_DEMO=$${GRID_DEMO:-1}
VENDOR := static/vendor
# Paths only: query strings can carry search terms (names, phone numbers).
ACCESS_LOG := '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
MO := grid/translations/zh_Hans_CN/LC_MESSAGES/messages.mo

.PHONY: bench run test stop setup test-setup sysdeps test-sysdeps db migrate seed lint translations clean-db

run: setup seed
	@$(DB) $(DEMO) $(VENV)/bin/flask grid demo-accounts
	@echo "Serving on http://$(GRID_HOST):$(GRID_PORT)/   (stop with Ctrl-C; make stop stops the database)"
	@$(DB) $(DEMO) exec $(VENV)/bin/gunicorn --no-control-socket -w $(WORKERS) \
	  -b $(GRID_HOST):$(GRID_PORT) --access-logfile - --access-logformat $(ACCESS_LOG) wsgi:app

test: test-setup
	@$(DB) $(VENV)/bin/pytest $(PYTEST_ARGS)

stop:
	@scripts/db.sh stop

# Benchmarks (not part of the quick start): figures go to docs/performance.md.
# Every benchmark runs; the exit status is 1 if any target was missed.
bench: test-setup
	@status=0; \
	$(DB) $(PY) -m bench.ledger_import || status=1; \
	$(DB) $(PY) -m bench.maps || status=1; \
	$(DB) $(PY) -m bench.hot_paths || status=1; \
	$(DB) $(PY) -m bench.regrid || status=1; \
	exit $$status

setup: sysdeps $(VENV)/.installed $(VENDOR)/.installed $(MO) migrate

test-setup: test-sysdeps $(VENV)/.installed-dev $(VENDOR)/.installed $(MO) migrate

sysdeps:
	@scripts/sysdeps.sh app

test-sysdeps:
	@scripts/sysdeps.sh test

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	@$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VENDOR)/.installed: node_modules/.installed
	@mkdir -p $(VENDOR)/leaflet
	@cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	@cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	@touch $@

$(MO): grid/translations/zh_Hans_CN/LC_MESSAGES/messages.po $(VENV)/.installed
	@$(VENV)/bin/pybabel -q compile -d grid/translations

migrate: sysdeps $(VENV)/.installed
	@$(DB) $(VENV)/bin/flask db upgrade

seed: migrate
	@$(DB) $(DEMO) $(VENV)/bin/flask grid seed-demo

translations: $(VENV)/.installed
	@$(VENV)/bin/pybabel -q extract -F babel.cfg -k _l -o grid/translations/messages.pot .
	@$(VENV)/bin/pybabel -q update -i grid/translations/messages.pot -d grid/translations --no-fuzzy-matching
