"""``/health/``: the database, the broker and the cache answer (django-health-check).

200 with every check OK, 500 otherwise; ``?format=json`` or ``Accept: application/json``
for programs (load balancers, Kubernetes probes, the CI smoke test).
"""

from __future__ import annotations

import dataclasses

from django.conf import settings
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection. In the embedded default (no broker) tasks
    run in the web process, so there is nothing to reach."""

    def run(self) -> None:
        if not settings.CELERY_BROKER_URL:
            return
        from mlopsscore.celery import app

        try:
            with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
                conn.ensure_connection(max_retries=1, timeout=3)
        except Exception as exc:
            raise ServiceUnavailable(f"broker unreachable: {type(exc).__name__}") from exc


health_view = HealthCheckView.as_view(
    checks=(
        "health_check.checks.Database",
        "health_check.checks.Cache",
        Broker,
    )
)
