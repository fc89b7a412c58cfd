# Deflect: `make run` serves the portal on http://127.0.0.1:8000, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev browser lint format migrate clean fuzz

# pip prints one line per package (no progress bars: they garble CI logs) so that a first
# install, a minute or two, visibly moves instead of looking stuck.
PIP_INSTALL := $(PIP) install --progress-bar off --disable-pip-version-check

$(VENV)/bin/activate:
	@echo "Creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/activate
	@echo "Installing Deflect's requirements (requirements.txt): about a minute the first time"
	$(PIP_INSTALL) -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	@echo "Installing the test tools (requirements-dev.txt)"
	$(PIP_INSTALL) -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	mkdir -p var/static
	@echo "Migrating the database"
	$(PY) manage.py migrate --noinput

# Web server and a django-q2 worker side by side; Ctrl-C stops both.
run: migrate
	@echo "Loading the demo help centre, accounts and four months of tickets"
	$(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Wagtail admin /admin/, Django admin /django-admin/)"
	$(PY) manage.py devserver $(HOST):$(PORT)

# The end-to-end tests drive Debian's Chromium; install it when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The run on the embedded defaults measures line coverage (.coveragerc) and prints it, file by
# file and per package; kb and tickets must keep COVERAGE_FLOOR percent. The run on PostgreSQL
# and Redis (DATABASE_URL set, the second half of .ci/run) runs the same tests without it.
COVERAGE_FLOOR ?= 95
COVERED := kb tickets portal
FLOORED := kb tickets

test: install-dev browser
	mkdir -p var/static
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
ifeq ($(DATABASE_URL),)
	rm -f var/.coverage var/.coverage.*
	$(PY) -m coverage run -m pytest
	$(PY) -m coverage combine --quiet
	$(PY) -m coverage report --skip-covered --sort=cover
	@for pkg in $(COVERED); do \
	  printf 'Line coverage of %-9s %s%%\n' "$$pkg/" \
	    "$$($(PY) -m coverage report --include="$$pkg/*" --format=total)"; \
	done
	@for pkg in $(FLOORED); do \
	  $(PY) -m coverage report --include="$$pkg/*" --fail-under=$(COVERAGE_FLOOR) \
	    --format=total >/dev/null || { echo "$$pkg/ is below $(COVERAGE_FLOOR)% line coverage"; exit 1; }; \
	done
else
	$(PY) -m pytest
endif

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static

# New, random API requests by the thousand and new imported article bodies (make test runs the
# same few each time). MARKUP_EXAMPLES: bodies per test, HTML and Markdown.
FUZZ_EXAMPLES ?= 200
MARKUP_EXAMPLES ?= 2000
fuzz: install-dev
	SCHEMATHESIS_EXPLORE=1 SCHEMATHESIS_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q tests/portal/test_schemathesis.py
	MARKUP_EXPLORE=1 MARKUP_EXAMPLES=$(MARKUP_EXAMPLES) $(PY) -m pytest -q tests/kb/test_article_markup_fuzz.py

# The production shape on this machine: gunicorn + WhiteNoise, PostgreSQL and Redis on
# 127.0.0.1, a q2 cluster; a process that dies is restarted; Ctrl-C stops all within seconds.
# See docs/reliability.md.
.PHONY: serve-prod load faults bench
serve-prod: install
	$(PY) scripts/prodshape.py --host $(HOST) --port $(PORT) $(SERVE_PROD_ARGS)

# Load against a running `make serve-prod SERVE_PROD_ARGS=--load-limits` (docs/reliability.md).
CUSTOMERS ?= 20
DURATION ?= 60
load: install-dev
	$(PY) scripts/loadtest.py http://$(HOST):$(PORT) --customers $(CUSTOMERS) --seconds $(DURATION)

# Each fault script starts its own Redis, PostgreSQL cluster (private ports, temporary directory)
# and production shape on port 8010, injects one fault under load and verifies nothing was
# lost. The machine's shared Redis (6379) and PostgreSQL (5432) are never touched.
faults: install-dev
	$(PY) scripts/faults/run_all.py

# Throughput of the busiest pages as a ratio to /healthz, and each web process's memory, on a
# production shape of its own (port 8020, database deflect_bench, Redis db 9). Needs Debian's wrk.
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing wrk for the benchmark"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(PY) scripts/bench.py $(BENCH_ARGS)
