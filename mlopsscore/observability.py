"""Request ids in every log line, JSON logs, and Prometheus metrics of requests, tasks and rounds.

- ``RequestIdMiddleware`` takes ``X-Request-ID`` from the proxy (or makes one), returns it
  on the response, and puts it on every log record written while the request runs.
- ``JsonFormatter`` writes one JSON object per line (``LOG_FORMAT=json``, the default when
  ``DEBUG`` is off), so a log pipeline can search by request id, logger or level.
- ``/metrics``: requests by view, method and status with their duration, Celery tasks
  by task and outcome, and the rounds and assessments by status (read at each scrape).
  With ``PROMETHEUS_MULTIPROC_DIR`` set (``deploy/prod.sh`` does) the figures of every
  gunicorn and worker process on the machine are added up.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import prometheus_client
from django.core.signals import request_finished, request_started
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


REQUESTS = prometheus_client.Counter(
    "mlopsscore_http_requests",
    "HTTP requests served, by view, method and status.",
    ["view", "method", "status"],
)
LATENCY = prometheus_client.Histogram(
    "mlopsscore_http_request_duration_seconds",
    "Time to answer a request, by view.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class RequestIdMiddleware:
    """Gives the request its id, and counts and times it for /metrics."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_id.get() or _request_id_from(request.META)
        request_id.set(rid)
        request.request_id = rid  # type: ignore[attr-defined]
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        # The URL pattern's name, never the path: the label set stays small.
        view = (match.view_name if match else "") or "unresolved"
        LATENCY.labels(view=view).observe(time.perf_counter() - started)
        REQUESTS.labels(
            view=view, method=request.method or "", status=str(response.status_code)
        ).inc()
        response["X-Request-ID"] = rid
        return response


def _request_id_from(environ: Any) -> str:
    given = str(environ.get("HTTP_X_REQUEST_ID", ""))
    return given if _VALID_ID.match(given) else uuid.uuid4().hex


@receiver(request_started)
def _request_id_start(sender: Any, environ: Any = None, **kwargs: Any) -> None:
    # Set here, not in the middleware alone: Django logs a 4xx/5xx after the middleware
    # has returned, and that line must carry the id too. Cleared when the response closes.
    request_id.set(_request_id_from(environ or {}))


@receiver(request_finished)
def _request_id_end(sender: Any, **kwargs: Any) -> None:
    request_id.set("")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", "")
        if rid:
            entry["request_id"] = rid
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TASKS = prometheus_client.Counter(
    "mlopsscore_celery_tasks", "Celery tasks finished, by task and outcome.", ["task", "state"]
)


def count_task(state: str) -> Callable[..., None]:
    def handler(sender: Any = None, **kwargs: Any) -> None:
        TASKS.labels(task=getattr(sender, "name", str(sender)), state=state).inc()

    return handler


class RoundsCollector(Collector):
    """Rounds and assessments by status, read at each scrape (a few grouped counts)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django.db.models import Count

        from surveys.assessments.models import Assessment
        from surveys.rounds.models import Round

        rounds = GaugeMetricFamily("mlopsscore_rounds", "Rounds by status.", labels=["status"])
        for row in Round.objects.values("status").annotate(n=Count("id")).order_by():
            rounds.add_metric([row["status"]], row["n"])
        yield rounds
        open_assessments = GaugeMetricFamily(
            "mlopsscore_open_round_assessments",
            "Assessments of open rounds by status.",
            labels=["status"],
        )
        for row in (
            Assessment.objects.filter(round__status="open")
            .values("status")
            .annotate(n=Count("id"))
            .order_by()
        ):
            open_assessments.add_metric([row["status"]], row["n"])
        yield open_assessments


def metrics_view(request: HttpRequest) -> HttpResponse:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = prometheus_client.REGISTRY
    rounds = prometheus_client.CollectorRegistry()
    rounds.register(RoundsCollector())
    body = prometheus_client.generate_latest(processes) + prometheus_client.generate_latest(rounds)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
