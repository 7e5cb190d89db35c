"""Operating it: /health/, /metrics, request ids in JSON logs, the Content-Security-Policy."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest
from django.test import Client

from mlopsscore.observability import JsonFormatter, RequestIdFilter
from surveys.models import RoundStatus
from surveys.rounds.tasks import rounds_tick
from tests import factories


def test_health_checks_database_cache_and_broker(db: Any, settings: Any) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/5"
    response = Client().get("/health/?format=json")
    body = response.json()
    assert response.status_code == 200, body
    assert set(body.values()) == {"OK"}
    assert {key.split("(")[0] for key in body} == {"Database", "Cache", "Broker"}


def test_health_fails_when_the_broker_is_down(db: Any, settings: Any) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = Client().get("/health/?format=json")
    assert response.status_code == 500
    assert "broker unreachable" in response.json()["Broker()"]
    assert response.json()["Database(alias='default')"] == "OK"


def test_metrics_count_requests_tasks_and_rounds(db: Any, version: Any) -> None:
    factories.make_round(version, label="2026-04", status=RoundStatus.CLOSED)
    factories.make_round(version, label="2026-10", opens_on=dt.date(2026, 10, 1))
    client = Client()
    client.get("/accounts/login/")
    rounds_tick.delay()  # eager here: the task signals fire all the same
    text = client.get("/metrics").content.decode()
    assert 'mlopsscore_rounds{status="closed"} 1.0' in text
    assert 'mlopsscore_rounds{status="open"} 1.0' in text
    assert 'mlopsscore_http_requests_total{method="GET",status="200",view="login"}' in text
    assert 'mlopsscore_http_request_duration_seconds_count{view="login"}' in text
    assert 'mlopsscore_celery_tasks_total{state="success",task="surveys.rounds_tick"}' in text


def test_every_response_carries_a_request_id_and_the_logs_too(
    db: Any, caplog: pytest.LogCaptureFixture
) -> None:
    given = Client().get("/accounts/login/", HTTP_X_REQUEST_ID="edge-42")
    assert given["X-Request-ID"] == "edge-42"
    made = Client().get("/accounts/login/", HTTP_X_REQUEST_ID="bad id with spaces\n")
    assert len(made["X-Request-ID"]) == 32 and " " not in made["X-Request-ID"]
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        Client().get("/no-such-page/", HTTP_X_REQUEST_ID="trace-7")
    record = next(r for r in caplog.records if r.name == "django.request")
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "trace-7"
    assert line["level"] == "WARNING" and "Not Found" in line["message"]


def test_pages_are_served_with_a_policy_that_names_no_other_site(db: Any) -> None:
    policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "http" not in policy and "*" not in policy
