"""A real Celery worker process against a real broker closes a round (DESIGN §4, §8).

The worker is a subprocess (``celery -A mlopsscore worker --pool=solo``) pointed at this
test session's database (a file on SQLite, the test database on PostgreSQL), so the
test data is committed (``transactional_db``). Skipped only when no broker is reachable
and ``CI`` is not set; in CI it must run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import pytest
from django.conf import settings
from django.db import connection

from mlopsscore import celery_app
from surveys.models import (
    AreaScore,
    Assessment,
    AssessmentStatus,
    Round,
    RoundEventKind,
    RoundReport,
    RoundStatus,
)
from tests import factories

BROKER = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/5"
ROOT = Path(settings.BASE_DIR)
WAIT_SECONDS = 90


def broker_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 2):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not os.environ.get("CI") and not broker_reachable(BROKER),
        reason=f"no broker reachable at {BROKER} (this test always runs in CI)",
    ),
]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        assert "memory" not in name, "the worker needs a file database to share"
        return f"sqlite:///{Path(name).resolve()}"
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{user}{password}@{host}/{db['NAME']}"


class Worker:
    def __init__(self, log: Path) -> None:
        self.log = log
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": BROKER,
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "DJANGO_SETTINGS_MODULE": "mlopsscore.settings",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mlopsscore",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"rounds-test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, needle: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while needle not in self.text():
            if self.process.poll() is not None:
                pytest.fail(f"the worker stopped:\n{self.text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {needle!r} from the worker:\n{self.text()[-3000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def worker(transactional_db: Any, tmp_path: Path) -> Iterator[Worker]:
    running = Worker(tmp_path / "worker.log")
    try:
        running.wait_for(" ready.")
        yield running
    finally:
        running.stop()


def send(name: str, *args: Any) -> str:
    """Publish a task to the real broker (this process itself may run tasks eagerly)."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with celery_app.connection_for_write(BROKER) as conn:
            return str(celery_app.send_task(name, args=list(args), connection=conn).id)
    finally:
        celery_app.conf.task_always_eager = eager


def snapshot(rnd: Round) -> dict[str, Any]:
    return {
        "assessments": sorted(
            Assessment.objects.filter(round=rnd).values_list(
                "pk", "status", "final_score", "verified_score", "scored_at"
            )
        ),
        "area_scores": sorted(
            AreaScore.objects.filter(assessment__round=rnd).values_list("pk", "score")
        ),
        "report": RoundReport.objects.filter(round=rnd).values_list("built_at", flat=True).first(),
        "events": list(rnd.events.values_list("kind", flat=True)),
    }


def test_the_worker_closes_a_round_once(worker: Worker, version: Any, cast: Any) -> None:
    rnd = factories.make_round(
        version,
        label="2026-04",
        opens_on=settings_today_minus(days=60),
        closes_on=settings_today_minus(days=30),
    )
    factories.make_assessment(rnd, cast.product, default="1", status=AssessmentStatus.SUBMITTED)
    factories.make_assessment(rnd, cast.other_product, default="0.5")  # never submitted

    # The periodic job finds the round past its close date and enqueues its close.
    tick_id = send("surveys.rounds_tick")
    worker.wait_for(f"[{tick_id}] succeeded")
    worker.wait_for("surveys.round_close[")
    deadline = time.monotonic() + WAIT_SECONDS
    while Round.objects.get(pk=rnd.pk).status != RoundStatus.CLOSED:
        assert time.monotonic() < deadline, worker.text()[-3000:]
        time.sleep(0.2)
    worker.wait_for("succeeded")

    statuses = dict(Assessment.objects.filter(round=rnd).values_list("product__slug", "status"))
    assert statuses == {"ads-ctr": "submitted", "search-rank": "not_submitted"}
    scored = Assessment.objects.get(round=rnd, product=cast.product)
    assert scored.final_score == 7.0 and scored.band == ">5"
    assert AreaScore.objects.filter(assessment=scored).count() == 4
    # The report is built by its own task, queued when the close committed.
    worker.wait_for("reports.round_report_build[")
    while not RoundReport.objects.filter(round=rnd).exists():
        assert time.monotonic() < deadline, worker.text()[-3000:]
        time.sleep(0.2)
    before = snapshot(rnd)
    assert before["events"].count(RoundEventKind.CLOSED) == 1

    # A second run — the job and the close task itself — changes nothing.
    second_tick = send("surveys.rounds_tick")
    second_close = send("surveys.round_close", rnd.pk)
    worker.wait_for(f"[{second_tick}] succeeded")
    worker.wait_for(f"[{second_close}] succeeded")
    assert snapshot(rnd) == before


def settings_today_minus(*, days: int) -> Any:
    import datetime as dt

    from django.utils import timezone

    return timezone.localdate() - dt.timedelta(days=days)
