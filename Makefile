# Track My Crime. `make run` serves the service with demo data; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
FLASK := APP_ENV=development $(BIN)/flask --app wsgi
POSTGRES_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/trackmycrime_test
SOURCES := shared portal backoffice api

.PHONY: install lock lock-check audit run serve test test-sqlite test-postgres test-instants test-instants-sqlite test-instants-postgres lint bench image test-image translations-extract translations-update translations-compile clean

# The Python packages come from the lock (requirements/dev.txt: the runtime lock and the `dev`
# extra, every pin with its hashes), then the project itself without its dependencies.
# PIP_CONSTRAINT=/dev/null: a machine's pip configuration may name a constraint file (this
# machine kind's caps torch); the lock alone decides what is installed, and a constraint that
# excluded a locked pin would stop the install (an empty PIP_CONSTRAINT does not lift it).
LOCK := requirements/runtime.txt requirements/dev.txt
$(BIN)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	PIP_CONSTRAINT=/dev/null $(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json scripts/copy-assets.js
	npm ci --no-audit --no-fund
	touch $@

translations/cy/LC_MESSAGES/messages.mo: translations/cy/LC_MESSAGES/messages.po $(BIN)/.installed
	$(BIN)/pybabel compile -d translations --statistics

## install: Python packages in .venv, GOV.UK and MoJ Frontend assets, compiled translations
install: $(BIN)/.installed node_modules/.installed translations/cy/LC_MESSAGES/messages.mo

## lock: pin every Python dependency from pyproject.toml, with its hashes, into requirements/
## (for Python 3.11 on Linux x86_64, from PyPI whatever the machine's pip or uv configuration
## says); a pin already locked stays unless LOCK_ARGS=--upgrade (or --upgrade-package NAME)
UV ?= $(BIN)/uv
LOCK_ARGS ?=
LOCK_HEADER := \# For Python 3.11 on Linux x86_64 (3.11.2 or later: Debian 12 and the image have 3.11.2). Regenerate with `make lock`.
UV_COMPILE := env -u UV_INDEX -u UV_INDEX_URL -u UV_DEFAULT_INDEX -u UV_EXTRA_INDEX_URL -u UV_FIND_LINKS \
	-u UV_CONSTRAINT -u UV_OVERRIDE -u UV_PYTHON $(UV) pip compile --no-config --quiet --generate-hashes \
	--python-version 3.11.2 --python-platform x86_64-unknown-linux-gnu --custom-compile-command 'make lock' \
	$(LOCK_ARGS)
lock: $(if $(filter $(BIN)/uv,$(UV)),$(BIN)/.installed)
	mkdir -p requirements
	$(UV_COMPILE) pyproject.toml -o requirements/runtime.txt
	sed -i '1i $(LOCK_HEADER)' requirements/runtime.txt
	$(UV_COMPILE) pyproject.toml --extra dev --constraint requirements/runtime.txt -o requirements/dev.txt
	sed -i '1i $(LOCK_HEADER)' requirements/dev.txt
	$(PYTHON) scripts/check_lock.py

## lock-check: fail when pyproject.toml and the lock disagree (offline; `make lint` runs it)
lock-check:
	$(PYTHON) scripts/check_lock.py

## audit: look every locked Python package up in a vulnerability database; fails on any
## known vulnerability, and when the database cannot be reached unless AUDIT_ARGS=--if-reachable
AUDIT_ARGS ?=
audit: $(BIN)/.installed
	$(BIN)/python scripts/audit_dependencies.py $(AUDIT_ARGS) requirements/runtime.txt requirements/dev.txt

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

lint: install lock-check
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
