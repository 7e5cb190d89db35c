# mlopsscore: one image for the web, worker and beat processes (see docs/operations.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DEBUG=0 \
    LOG_FORMAT=json \
    PROMETHEUS_MULTIPROC_DIR=/tmp/metrics

WORKDIR /app
RUN useradd --create-home --uid 10001 mlopsscore

COPY pyproject.toml README.md ./
COPY mlopsscore ./mlopsscore
COPY surveys ./surveys
COPY scoring ./scoring
COPY reports ./reports
RUN pip install --no-cache-dir .

COPY . .
# Static files are collected at build time and served by the app itself (WhiteNoise).
# (The compiled translations, locale/**/*.mo, are in the repository.)
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput
RUN mkdir -p /app/var /tmp/metrics && chown -R mlopsscore /app/var /tmp/metrics

USER mlopsscore
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/?format=json').status != 200)"
# Migrations, the questionnaire and guidelines on a first run, then gunicorn (gunicorn.conf.py).
CMD ["deploy/start.sh"]
