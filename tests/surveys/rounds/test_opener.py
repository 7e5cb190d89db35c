"""Who opened a round: a round an admin creates to open today is opened by a task on their
behalf, and the round's history and the audit name the admin, not the periodic job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from mlopsscore import celery_app
from surveys.models import Round, RoundEvent, RoundEventKind, RoundStatus
from surveys.rounds import tasks
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 10, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def eager() -> Iterator[None]:
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def test_the_admin_who_creates_and_opens_a_round_is_its_opener(
    client: Any, cast: Any, version: Any, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("rounds:create"),
            {
                "label": "2026-10b",
                "version": version.pk,
                "opens_on": "2026-10-10",
                "closes_on": "2026-11-10",
                "confirmed": "1",
            },
        )
    rnd = Round.objects.get(label="2026-10b")
    assert rnd.status == RoundStatus.OPEN
    opened = RoundEvent.objects.get(round=rnd, kind=RoundEventKind.OPENED)
    assert opened.by == cast.admin
    assert opened.source == "admin"
    page = client.get(reverse("audit:list")).content.decode()
    assert "Round: Opened" in page
    assert cast.admin.username in page


def test_a_round_the_schedule_opens_is_opened_by_the_job(cast: Any, version: Any) -> None:
    rnd = factories.make_round(
        version,
        opens_on=dt.date(2026, 10, 10),
        closes_on=dt.date(2026, 10, 31),
        products=(cast.product,),
        status=RoundStatus.SCHEDULED,
    )
    tasks.round_open_task(rnd.pk)
    opened = RoundEvent.objects.get(round=rnd, kind=RoundEventKind.OPENED)
    assert opened.by is None
    assert opened.source == "job"


def test_with_the_broker_down_the_tick_still_records_the_admin_who_asked(
    client: Any, cast: Any, version: Any, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    from unittest import mock

    from kombu.exceptions import OperationalError

    client.force_login(cast.admin)
    down = mock.Mock(side_effect=OperationalError("Error 111 connecting to 127.0.0.1:6379"))
    with (
        mock.patch.object(tasks.round_open_task, "delay", down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(
            reverse("rounds:create"),
            {
                "label": "2026-10b",
                "version": version.pk,
                "opens_on": "2026-10-10",
                "closes_on": "2026-11-10",
                "confirmed": "1",
            },
        )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.rounds_tick.delay()
    rnd = Round.objects.get(label="2026-10b")
    assert rnd.status == RoundStatus.OPEN
    assert RoundEvent.objects.get(round=rnd, kind=RoundEventKind.OPENED).by == cast.admin
