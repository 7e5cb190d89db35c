#!/usr/bin/env bash
# The web container's start-up (compose.yaml, Dockerfile): bring the database up to date,
# load the ML Test Score questionnaire and the guideline pages on a first run (DESIGN §8),
# then serve on $BIND. CI runs this same script without Docker against a scratch
# PostgreSQL database and checks /health/ (.ci/run), so what CI tests is what ships.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
GUNICORN=${GUNICORN:-$(dirname "$(command -v "$PYTHON")")/gunicorn}
: "${DATABASE_URL:?set DATABASE_URL (PostgreSQL)}"

"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py first_run
# The image collects static files when it is built; a run from a checkout does it here.
if [ ! -f staticfiles/staticfiles.json ]; then
  "$PYTHON" manage.py collectstatic --noinput >/dev/null
fi
# An administrator from the environment on a first run (python manage.py createsuperuser
# reads DJANGO_SUPERUSER_PASSWORD and DJANGO_SUPERUSER_EMAIL); skipped when one exists.
if [ -n "${DJANGO_SUPERUSER_USERNAME:-}" ]; then
  "$PYTHON" manage.py createsuperuser --noinput 2>/dev/null \
    || echo "The administrator ${DJANGO_SUPERUSER_USERNAME} is already there."
fi

if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then mkdir -p "$PROMETHEUS_MULTIPROC_DIR"; fi
# gunicorn.conf.py: WEB_WORKERS processes (a core each, at least 2) × WEB_THREADS (8).
exec "$GUNICORN" mlopsscore.wsgi --bind "${BIND:-0.0.0.0:8000}" --access-logfile -
