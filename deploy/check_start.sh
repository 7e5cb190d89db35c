#!/usr/bin/env bash
# CI's check of the container start-up (.ci/run): runs deploy/start.sh, the web container's
# command, without Docker against a scratch PostgreSQL database (dropped and created here)
# with compose.yaml's plain-HTTP settings, and waits for /health/ to answer 200.
# Usage: deploy/check_start.sh postgres://USER@HOST:PORT/SCRATCH_DB
set -euo pipefail
cd "$(dirname "$0")/.."
url=${1:?give the scratch database URL}
psql "${url%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${url##*/}" -c "CREATE DATABASE ${url##*/}"
port=${CHECK_PORT:-8010}
DATABASE_URL=$url CELERY_BROKER_URL=${CELERY_BROKER_URL:-redis://127.0.0.1:6379/2} DEBUG=0 \
  SECRET_KEY=start-up-check-only-0123456789-abcdefghijklmnopqrstuvwxyz SECURE_SSL_REDIRECT=0 \
  SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0 \
  PYTHON=${PYTHON:-.venv/bin/python} BIND=127.0.0.1:$port WEB_WORKERS=1 deploy/start.sh &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 300); do
  if curl -fs --max-time 5 "http://127.0.0.1:$port/health/?format=json"; then
    echo && echo "deploy/start.sh: /health/ answers 200 over plain HTTP." && exit 0
  fi
  kill -0 $server 2>/dev/null || { echo "deploy/start.sh stopped before serving" >&2; exit 1; }
  sleep 1
done
echo "deploy/start.sh: /health/ did not answer 200 in 300 s" >&2
exit 1
