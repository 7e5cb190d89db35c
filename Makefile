# Two commands matter: `make run` and `make test`. Everything else they need is here.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-fast lint format bench migrate demo clean messages prod smoke topology

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

# The demo's chat webhook posts to a local catcher that prints each message (DESIGN §6.7).
run: demo
	@echo "Chat webhooks of the demo print here, from the catcher on http://127.0.0.1:8025/"
	$(BIN)/python manage.py chat_catcher --port 8025 & \
	WATCH_WEBHOOK_ALLOW_PRIVATE_IPS=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The production set on this machine: gunicorn, a Celery worker and Celery beat. Needs
# DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis), and SECRET_KEY; see docs/operations.md.
prod: install
	PYTHON=$(BIN)/python deploy/prod.sh

# Starts the production set on a fresh database (DATABASE_URL's database is dropped!) and
# drives it end to end: beat and the worker open and close a round, a person submits.
smoke: install
	$(BIN)/python -m tests.production_smoke

# Two web processes, two Celery workers and beat against a PostgreSQL cluster, a Redis, an
# SMTP and a webhook catcher it starts itself (temp folder, free loopback ports); it kills a
# worker inside a close, restarts a web process, stops Redis, restarts PostgreSQL and takes
# the mail server down, and checks nothing is lost or done twice. Never touches 5432/6379.
topology: install
	$(BIN)/python -m tests.production_topology


# The OpenID Connect provider that the company sign-in tests sign in through, installed
# from the project's own tools/oidc-provider/package-lock.json when Node is present, so
# `make test` skips nothing.
OIDC_PROVIDER := tools/oidc-provider/node_modules/.package-lock.json
$(OIDC_PROVIDER): tools/oidc-provider/package-lock.json
	cd tools/oidc-provider && npm ci --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: test-tools
test-tools:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(OIDC_PROVIDER); \
	else echo "No Node (npm): the company sign-in tests will be skipped."; fi

test: install test-tools
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -m "not e2e and not worker" $(PYTEST_ARGS)

lint: install
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	$(BIN)/python manage.py compilemessages --ignore=.venv

# The gunicorn rows post with wrk (Debian's package), so the client leaves the cores to
# the server; without it they fall back to Python threads and say so.
bench: install
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
	  || echo "wrk could not be installed: the gunicorn rows will post with Python threads"
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) var/*.sqlite3 staticfiles

# The demo at the scale of DESIGN §9 (10,000 products, 20 rounds); use PostgreSQL:
# DATABASE_URL=postgres://postgres@127.0.0.1:5432/mlopsscore_scale make demo-scale
.PHONY: demo-scale
demo-scale: migrate
	$(BIN)/python manage.py seed_demo --products 10000 --rounds 20 --reset
