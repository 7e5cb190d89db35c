"""A round run from launch to close by the periodic job alone, with controlled time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail
from django_celery_beat.models import PeriodicTask

from mlopsscore import celery_app
from surveys.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Profile,
    Round,
    RoundEventKind,
    RoundReminder,
    RoundReport,
    RoundStatus,
)
from surveys.rounds import tasks
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager() -> Iterator[None]:
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def tick(django_capture_on_commit_callbacks: Any) -> Any:
    """Run the periodic job at a moment, as beat would, with its tasks run on commit."""

    def run(at: dt.datetime) -> dict[str, Any]:
        with (
            time_machine.travel(at, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return tasks.rounds_tick.delay().get()

    return run


def at(day: str, hour: int = 6) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)


def test_the_beat_schedule_is_created_by_the_project() -> None:
    task = PeriodicTask.objects.get(task="surveys.rounds_tick")
    assert task.enabled and task.interval is not None
    assert task.interval.every == 15 and task.interval.period == "minutes"


def test_a_round_runs_from_launch_to_close_by_the_periodic_job_alone(
    version: Any, cast: Any, tick: Any
) -> None:
    Profile.objects.create(user=cast.other_member, language="ja")
    previous = factories.make_round(
        version, label="2026-04", opens_on=dt.date(2026, 4, 1), closes_on=dt.date(2026, 5, 1)
    )
    factories.make_assessment(previous, cast.product, default="1", status="submitted")
    factories.make_assessment(previous, cast.other_product, default="0.5", status="submitted")

    # 2026-05-02: the April round has passed its close date; the job closes it and
    # schedules October with the newest published version.
    result = tick(at("2026-05-02"))
    assert result["close"] == [previous.pk] and result["scheduled"] == ["2026-10"]
    previous.refresh_from_db()
    assert previous.status == RoundStatus.CLOSED
    october = Round.objects.get(label="2026-10")
    assert (october.status, october.opens_on, october.closes_on) == (
        RoundStatus.SCHEDULED,
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
    )

    # Nothing is due in the summer; running the job again changes nothing.
    assert tick(at("2026-07-01")) == {
        "open": [],
        "remind": [],
        "close": [],
        "mail": [],
        "failed": [],
        "scheduled": [],
    }

    # 1 October: the round opens, carried forward from April; members are told.
    mail.outbox.clear()
    tick(at("2026-10-01"))
    october.refresh_from_db()
    assert october.status == RoundStatus.OPEN
    assessments = {a.product.slug: a for a in Assessment.objects.filter(round=october)}
    assert set(assessments) == {"ads-ctr", "search-rank"}
    assert {a.status for a in assessments.values()} == {AssessmentStatus.NOT_STARTED}
    assert set(
        Answer.objects.filter(assessment=assessments["ads-ctr"]).values_list("value", flat=True)
    ) == {"1"}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "member@example.com",
        "other-member@example.com",
    ]
    # Once it is open, the next round of the cadence is scheduled; opened only once.
    assert tick(at("2026-10-01", 7)) == {
        "open": [],
        "remind": [],
        "close": [],
        "mail": [],
        "failed": [],
        "scheduled": ["2027-04"],
    }

    # ads-ctr submits; search-rank does nothing.
    Assessment.objects.filter(pk=assessments["ads-ctr"].pk).update(status="submitted")

    # Reminders 14, 7 and 1 days before 31 October go to search-rank only, once each.
    mail.outbox.clear()
    for day in ("2026-10-16", "2026-10-17", "2026-10-17", "2026-10-24", "2026-10-30", "2026-10-31"):
        tick(at(day))
    assert sorted(
        RoundReminder.objects.filter(round=october).values_list("days_before", flat=True)
    ) == [
        1,
        7,
        14,
    ]
    assert [m.to for m in mail.outbox] == [["other-member@example.com"]] * 3
    assert all("リマインダー" in m.subject for m in mail.outbox)  # in her language
    assert all(f"/assessments/{assessments['search-rank'].pk}/" in m.body for m in mail.outbox)

    # The round is open through its close date and closed the day after.
    october.refresh_from_db()
    assert october.status == RoundStatus.OPEN
    result = tick(at("2026-11-01"))
    assert result["close"] == [october.pk]
    october.refresh_from_db()
    assert october.status == RoundStatus.CLOSED
    statuses = dict(Assessment.objects.filter(round=october).values_list("product__slug", "status"))
    assert statuses == {"ads-ctr": "submitted", "search-rank": "not_submitted"}
    scored = Assessment.objects.get(round=october, product=cast.product)
    assert scored.final_score == 7.0 and not scored.is_regression
    assert RoundReport.objects.get(round=october).data["scored"] == 1

    # A second run the same day does nothing twice.
    tick(at("2026-11-01", 12))
    assert october.events.filter(kind=RoundEventKind.CLOSED).count() == 1
    assert october.events.filter(kind=RoundEventKind.OPENED).count() == 1
    assert october.events.filter(kind=RoundEventKind.REMINDED).count() == 3
    assert Round.objects.filter(status=RoundStatus.SCHEDULED).count() == 1


def test_an_extended_round_stays_open_and_reminds_again_before_its_new_close(
    version: Any, cast: Any, tick: Any
) -> None:
    from surveys.rounds.services import round_extend

    rnd = factories.make_round(
        version, opens_on=dt.date(2026, 10, 1), closes_on=dt.date(2026, 10, 31)
    )
    factories.make_assessment(rnd, cast.product, status="draft")
    tick(at("2026-10-30"))  # the 1-day reminder
    round_extend(round=rnd, closes_on=dt.date(2026, 11, 14), by=cast.admin, now=at("2026-10-30"))
    for day in ("2026-11-01", "2026-11-07", "2026-11-13", "2026-11-14"):
        tick(at(day))
        rnd.refresh_from_db()
        assert rnd.status == RoundStatus.OPEN
    tick(at("2026-11-15"))
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.CLOSED
    reminders = RoundReminder.objects.filter(round=rnd)
    assert sorted(reminders.values_list("days_before", flat=True)) == [1, 7, 14]
    assert rnd.events.filter(kind=RoundEventKind.REMINDED).count() == 4
