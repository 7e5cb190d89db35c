#!/usr/bin/env bash
# The production set of processes on one machine: gunicorn (web), a Celery worker and
# Celery beat, against the PostgreSQL of DATABASE_URL and the broker of CELERY_BROKER_URL.
# `make prod` runs it; the CI smoke test (tests/production_smoke.py) runs it too. Stopping
# it (Ctrl-C, SIGTERM) stops all three; if one of them dies, the others are stopped too.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
BIN=$(dirname "$PYTHON")
: "${DATABASE_URL:?set DATABASE_URL (PostgreSQL)}"
: "${CELERY_BROKER_URL:?set CELERY_BROKER_URL (Redis or RabbitMQ)}"
export DEBUG=${DEBUG:-0}
BIND=${BIND:-127.0.0.1:8000}

# Every process of this machine writes its metrics here; /metrics adds them up.
export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-var/metrics}
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

"$PYTHON" manage.py migrate --noinput
if [ "${COLLECTSTATIC:-1}" != 0 ]; then
  "$PYTHON" manage.py collectstatic --noinput >/dev/null
fi

pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait
}
trap stop EXIT INT TERM

# gunicorn.conf.py: WEB_WORKERS processes (a core each, at least 2) × WEB_THREADS (8).
"$BIN/gunicorn" mlopsscore.wsgi --bind "$BIND" --access-logfile - &
pids+=($!)
# The worker runs below the web processes' priority on this shared machine: a round's
# close or report build may take a core for seconds, and people's requests go first
# (docs/benchmarks.md, deadline day). WORKER_NICE=0 gives it the same priority.
nice -n "${WORKER_NICE:-10}" "$PYTHON" -m celery -A mlopsscore worker --loglevel INFO \
  --concurrency "${WORKER_CONCURRENCY:-2}" --without-gossip --without-mingle &
pids+=($!)
# One beat per deployment: it only publishes the periodic tick.
"$PYTHON" -m celery -A mlopsscore beat --loglevel INFO --pidfile= &
pids+=($!)
wait -n
