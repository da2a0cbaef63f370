# The two commands a newcomer needs (see README.md): `make run` and `make test`; `make lint` before a commit.
SHELL := /bin/bash
VENV := .venv
PORT ?= 5000
WORKERS ?= 2
SCALE ?= 0.01
SCALES ?= 0.01 0.1
RUN_PACKAGES := python3 python3-venv libsqlite3-mod-spatialite
TEST_PACKAGES := $(RUN_PACKAGES) postgresql-15-postgis-3 redis-server chromium fonts-noto-cjk
BENCH_PACKAGES := wrk
SCALE_OUT_PACKAGES := haproxy iproute2
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
export FLASK_APP := wsgi

.PHONY: run test lint fix lock messages fuzz bench bench-scale bench-city soak scale-out system-packages

## Serve the embedded default (SQLite + SpatiaLite, no Redis) on http://127.0.0.1:$(PORT); every
## printed scan URL and QR code points at that port (PUBLIC_BASE_URL follows PORT)
run: export APP_ENV := development
run: export PORT := $(PORT)
run: $(VENV)/.run-deps
	$(VENV)/bin/flask db upgrade
	$(VENV)/bin/flask credit backfill-demographics
	$(VENV)/bin/flask stations import stations/data/gz_streets.csv
	$(VENV)/bin/flask credit demo
	$(VENV)/bin/flask booking defaults
	$(VENV)/bin/flask training demo
	$(VENV)/bin/flask sanctions demo
	$(VENV)/bin/flask engagements demo
	$(VENV)/bin/flask console demo
	$(VENV)/bin/flask publication demo
	WEB_CONCURRENCY=$(WORKERS) $(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

## Run the whole suite against PostgreSQL + PostGIS, Redis and SpatiaLite
test: $(VENV)/.test-deps
	scripts/install-system-packages $(TEST_PACKAGES)
	scripts/start-test-services
	$(VENV)/bin/python -m pytest

## ruff (check and format), the import-linter contracts (pyproject.toml) and mypy's ratchet (.mypy-baseline)
lint: $(VENV)/.test-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	scripts/mypy-ratchet $(VENV)/bin/mypy

## What ruff can mend by itself (fixes, then formatting); review the diff
fix: $(VENV)/.test-deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Re-pin the whole tree after editing requirements.in or requirements-dev.in
lock: $(VENV)/.test-deps
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) requirements.in -o requirements.txt
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) requirements-dev.in -o requirements-dev.txt

## Extract every _() message into the zh_CN catalogue (new ones untranslated: translate them in
## app/translations/zh_Hans_CN/LC_MESSAGES/messages.po), then compile it; commit the .po and the .mo
messages: $(VENV)/.test-deps
	$(VENV)/bin/pybabel extract -F babel.cfg --ignore-dirs=".* ._ tests bench migrations scripts" \
		-k lazy_gettext --add-location=file --sort-output --omit-header -o $(VENV)/messages.pot .
	$(VENV)/bin/pybabel update -i $(VENV)/messages.pot -d app/translations --no-fuzzy-matching \
		--ignore-obsolete --width=0
	$(VENV)/bin/pybabel compile -d app/translations --statistics

## A deeper schemathesis run over every operation (make test runs a short one)
fuzz: $(VENV)/.test-deps
	scripts/install-system-packages $(TEST_PACKAGES)
	scripts/start-test-services
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} $(VENV)/bin/python -m pytest tests/fuzz

## Benchmarks under gunicorn on PostgreSQL + PostGIS (see docs/performance.md)
bench: $(VENV)/.test-deps
	scripts/install-system-packages $(TEST_PACKAGES) $(BENCH_PACKAGES)
	scripts/start-test-services
	$(VENV)/bin/python bench/run.py

## City-scale data for the benchmarks (bench/scale.py) in its own database: SCALE=1 is Guangzhou
## today (100,000 workers, 1,000,000 bookings, 10,000,000 scans), 0.01 and 0.1 quick runs
bench-scale: $(VENV)/.test-deps
	scripts/install-system-packages $(TEST_PACKAGES)
	scripts/start-test-services
	$(VENV)/bin/python bench/scale.py --scale $(SCALE)

## The hot paths with random inputs at each scale, as ratios of /healthz, and their growth (bench/city.py)
bench-city: $(VENV)/.test-deps
	scripts/install-system-packages $(TEST_PACKAGES) $(BENCH_PACKAGES)
	scripts/start-test-services
	$(VENV)/bin/python bench/city.py --scales $(SCALES)

## Each path's CPU per request by process (app, PostgreSQL, Redis, wrk) on SCALE's data, and the
## ceiling of its ratio to /healthz that CPU sets on a saturated machine (bench/cpu_budget.py)
bench-cpu: $(VENV)/.test-deps
	scripts/install-system-packages $(TEST_PACKAGES) $(BENCH_PACKAGES)
	scripts/start-test-services
	$(VENV)/bin/python bench/cpu_budget.py --scale $(SCALE)

## Ten minutes of mixed traffic; prints each worker's memory before, at peak and after
soak: $(VENV)/.test-deps
	scripts/install-system-packages $(TEST_PACKAGES) $(BENCH_PACKAGES)
	scripts/start-test-services
	$(VENV)/bin/python bench/soak.py

## Three app hosts in network namespaces behind haproxy, a PostgreSQL primary and its streaming
## replica, Redis, all started here (needs root): kills a host and stops the replica under mixed
## traffic, checks sessions and the scan limit across hosts, prints requests/s with 3 hosts and 1
scale-out: $(VENV)/.test-deps
	scripts/install-system-packages $(TEST_PACKAGES) $(BENCH_PACKAGES) $(SCALE_OUT_PACKAGES)
	$(VENV)/bin/python bench/scale_out.py

$(VENV)/bin/python:
	scripts/install-system-packages $(RUN_PACKAGES)
	"$$(scripts/python-with-spatialite)" -m venv $(VENV)

$(VENV)/.run-deps: requirements.txt | $(VENV)/bin/python
	scripts/install-system-packages $(RUN_PACKAGES)
	$(VENV)/bin/python -m pip install -q --require-hashes -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	scripts/install-system-packages $(RUN_PACKAGES)
	$(VENV)/bin/python -m pip install -q --require-hashes -r requirements-dev.txt
	touch $@
