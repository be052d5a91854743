# Track My Crime. `make run` serves the service with demo data; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
FLASK := APP_ENV=development $(BIN)/flask --app wsgi
POSTGRES_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/trackmycrime_test
SOURCES := shared portal backoffice api

.PHONY: install run serve test test-sqlite test-postgres test-instants test-instants-sqlite test-instants-postgres lint bench image test-image translations-extract translations-update translations-compile clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json scripts/copy-assets.js
	npm ci --no-audit --no-fund
	touch $@

translations/cy/LC_MESSAGES/messages.mo: translations/cy/LC_MESSAGES/messages.po $(BIN)/.installed
	$(BIN)/pybabel compile -d translations --statistics

## install: Python packages in .venv, GOV.UK and MoJ Frontend assets, compiled translations
install: $(BIN)/.installed node_modules/.installed translations/cy/LC_MESSAGES/messages.mo

## run: migrate the SQLite database, load demo data on first start, serve on
## http://127.0.0.1:5000 with the message worker beside it (messages go to the log)
run: install
	$(FLASK) db upgrade
	$(FLASK) demo-data
	$(FLASK) send-notifications & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	$(FLASK) run --host 127.0.0.1 --port 5000

## test: lint, then the whole suite on SQLite and on PostgreSQL, both at once (each
## one's output is printed when it ends). NOW=2027-03-28T00:30:00Z runs it as if it were
## that instant; PYTEST_ARGS passes more options, e.g. PYTEST_ARGS="-m time_sensitive"
NOW ?=
PYTEST_ARGS ?=
PYTEST := $(BIN)/pytest $(if $(NOW),--now=$(NOW)) $(PYTEST_ARGS)
test: lint
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite: install
	$(PYTEST)

test-postgres: install
	TEST_DATABASE_URL=$(POSTGRES_TEST_URL) $(PYTEST)

## test-instants: the time-sensitive tests at each instant where dates go wrong (listed in
## tests/clock.py), on SQLite and on PostgreSQL, both at once
test-instants:
	$(MAKE) --no-print-directory -j2 --output-sync=target test-instants-sqlite test-instants-postgres

test-instants-sqlite: install
	scripts/at-each-instant $(BIN)/pytest -q -m time_sensitive $(PYTEST_ARGS)

test-instants-postgres: install
	TEST_DATABASE_URL=$(POSTGRES_TEST_URL) scripts/at-each-instant $(BIN)/pytest -q -m time_sensitive $(PYTEST_ARGS)

## bench: generate a force-year (BENCH_CRIMES crimes, 1,000,000 by default) in the
## PostgreSQL database BENCH_DATABASE_URL, load the app under gunicorn with wrk and print
## one table of figures; BENCH_ARGS passes more options (`--reuse` keeps the data)
BENCH_CRIMES ?= 1000000
BENCH_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/trackmycrime_bench
BENCH_ARGS ?=
bench: install
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench.run --database-url $(BENCH_DATABASE_URL) --crimes $(BENCH_CRIMES) $(BENCH_ARGS)

## image: the production image (IMAGE, trackmycrime:latest by default) with podman. The
## wheels are built here first; where no image registry is reachable the Debian base is
## made from Debian's packages (container/make-base-image)
IMAGE ?= trackmycrime:latest
PODMAN ?= podman
image test-image: export CONTAINERS_CONF = $(CURDIR)/container/containers.conf
image: install
	@command -v podman >/dev/null && command -v runc >/dev/null && command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap >/dev/null; }
	$(BIN)/python scripts/build-wheelhouse requirements/runtime.txt build/wheels
	PODMAN=$(PODMAN) container/make-base-image
	$(PODMAN) build --quiet --format docker --tag $(IMAGE) --file Containerfile .

## test-image: build the image, then run it as production does (tests/image): migrate, web
## and worker against this machine's PostgreSQL and Redis
test-image: image
	SMOKE_IMAGE=$(IMAGE) $(BIN)/pytest -q tests/image

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

translations-extract: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_ngettext:1,2 -o translations/messages.pot --no-location --sort-output $(SOURCES)

translations-update: translations-extract
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

translations-compile: translations/cy/LC_MESSAGES/messages.mo

clean:
	rm -rf $(VENV) node_modules instance shared/static/vendor shared/static/fonts shared/static/images
