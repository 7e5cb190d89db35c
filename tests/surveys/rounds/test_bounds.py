"""DESIGN §4: round settings are bounded in the services (with a message)
and in the database; rounds of one questionnaire never overlap; one bad round never
stops the periodic job from handling the others."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction

from mlopsscore import celery_app
from surveys.core.errors import ApplicationError
from surveys.models import Round, RoundStatus
from surveys.rounds import services, tasks
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def eager() -> Iterator[None]:
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def create(version: Any, **changes: Any) -> Round:
    values: dict[str, Any] = {
        "version": version,
        "label": "2026-10",
        "opens_on": dt.date(2026, 10, 1),
        "closes_on": dt.date(2026, 10, 31),
        "reminder_days": [14, 7, 1],
        **changes,
    }
    return services.round_create(**values)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reminder_days": [1_000_000]}, "1 to 90 days before the close; 1000000 is not"),
        ({"reminder_days": [0]}, "1 to 90 days"),
        ({"reminder_days": [91]}, "1 to 90 days"),
        ({"reminder_days": ["soon"]}, "soon is not"),
        ({"closes_on": dt.date(9999, 12, 31)}, "between 2000-01-01 and 2100-12-31"),
        ({"opens_on": dt.date(1999, 12, 1)}, "between 2000-01-01 and 2100-12-31"),
        ({"closes_on": dt.date(2026, 10, 1)}, "close date must come after the open date"),
        ({"evidence_window_days": 100_000}, "0 to 730 days"),
        ({"evidence_window_days": -1}, "0 to 730 days"),
    ],
)
def test_settings_out_of_bounds_are_refused_with_a_message(
    version: Any, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ApplicationError, match=message):
        create(version, **changes)
    assert not Round.objects.exists()


def test_the_bounds_themselves_are_accepted(version: Any) -> None:
    rnd = create(version, reminder_days=[90, 1], evidence_window_days=730)
    assert (rnd.reminder_days, rnd.evidence_window_days) == ([90, 1], 730)


@pytest.mark.parametrize(
    "changes",
    [
        {"closes_on": dt.date(9999, 12, 31)},
        {"opens_on": dt.date(1999, 1, 1)},
        {"closes_on": dt.date(2026, 9, 1)},
        {"evidence_window_days": 100_000},
    ],
)
def test_the_database_refuses_what_the_services_refuse(version: Any, changes: dict) -> None:
    rnd = create(version)
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.filter(pk=rnd.pk).update(**changes)


def test_extend_and_reopen_are_bounded_too(version: Any, cast: Any) -> None:
    rnd = create(version)
    with pytest.raises(ApplicationError, match="2100-12-31"):
        services.round_extend(round=rnd, closes_on=dt.date(9999, 12, 31), by=cast.admin, now=NOW)
    Round.objects.filter(pk=rnd.pk).update(status=RoundStatus.CLOSED)
    with pytest.raises(ApplicationError, match="2100-12-31"):
        services.round_reopen(round=rnd, closes_on=dt.date(2200, 1, 1), by=cast.admin, now=NOW)


def test_rounds_of_one_questionnaire_never_overlap(version: Any, cast: Any) -> None:
    october = create(version)
    with pytest.raises(ApplicationError, match="never overlap: 2026-10 runs from 2026-10-01"):
        create(
            version,
            label="2026-10b",
            opens_on=dt.date(2026, 10, 31),
            closes_on=dt.date(2026, 11, 9),
        )
    april = create(
        version, label="2027-04", opens_on=dt.date(2027, 4, 1), closes_on=dt.date(2027, 4, 30)
    )
    with pytest.raises(ApplicationError, match="never overlap: 2027-04"):
        services.round_extend(round=october, closes_on=dt.date(2027, 4, 1), by=cast.admin, now=NOW)
    Round.objects.filter(pk=october.pk).update(status=RoundStatus.CLOSED)
    with pytest.raises(ApplicationError, match="never overlap: 2027-04"):
        services.round_reopen(round=october, closes_on=dt.date(2027, 5, 1), by=cast.admin, now=NOW)
    # Back to back is fine: one closes the day before the next opens.
    services.round_extend(round=april, closes_on=dt.date(2027, 5, 31), by=cast.admin, now=NOW)


def test_one_bad_round_never_stops_the_periodic_job(
    version: Any, cast: Any, caplog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    other = factories.make_version(key="other")
    bad = factories.make_round(other, label="bad", opens_on=dt.date(2026, 9, 1))
    # Saved before the bounds existed: every reminder computation overflows.
    Round.objects.filter(pk=bad.pk).update(reminder_days=[1_000_000])
    due = factories.make_round(
        version, label="due", opens_on=dt.date(2026, 9, 1), status=RoundStatus.SCHEDULED
    )
    due.products.add(cast.product)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        result = tasks.rounds_tick()
    assert result["failed"] == [bad.pk]
    assert result["open"] == [due.pk]
    assert Round.objects.get(pk=due.pk).status == RoundStatus.OPEN
    assert "could not be checked" in caplog.text and "bad" in caplog.text
    # Still bad on the next tick: logged again, retried again, the others unharmed.
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tasks.rounds_tick()["failed"] == [bad.pk]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reminder_days": "1000000"}, "1 to 90 days before the close; 1000000 is not"),
        ({"closes_on": "9999-12-31"}, "between 2000-01-01 and 2100-12-31"),
    ],
)
def test_the_create_page_shows_the_service_message(
    client_for: Any, version: Any, changes: dict[str, str], message: str
) -> None:
    from django.urls import reverse

    data = {
        "label": "2027-04",
        "version": version.pk,
        "opens_on": "2027-04-01",
        "closes_on": "2027-05-01",
        **changes,
    }
    response = client_for("admin").post(reverse("rounds:create"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].non_field_errors())
    assert message in response.content.decode()
    assert not Round.objects.exists()


def test_the_messages_are_translated(version: Any) -> None:
    from django.utils import translation

    with translation.override("ja"), pytest.raises(ApplicationError) as raised:
        create(version, reminder_days=[365])
    assert raised.value.message == "リマインダーは締切の 1〜90 日前に送ります。365 は範囲外です。"
