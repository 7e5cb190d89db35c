"""The round pages (/rounds/), with the whole permission cast."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.urls import reverse
from kombu.exceptions import OperationalError

from mlopsscore import celery_app
from surveys.models import (
    Assessment,
    AssessmentStatus,
    Phase,
    Round,
    RoundEventKind,
    RoundStatus,
)
from surveys.rounds import services, tasks
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 10, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def eager() -> Iterator[None]:
    """Tasks run in-process (CI sets a broker, which these page tests do not use)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def open_round(version: Any, cast: Any) -> Round:
    rnd = factories.make_round(
        version,
        opens_on=dt.date(2026, 10, 1),
        closes_on=dt.date(2026, 10, 31),
        products=(cast.product, cast.other_product),
    )
    factories.make_assessment(rnd, cast.product, default="1", status=AssessmentStatus.SUBMITTED)
    factories.make_assessment(rnd, cast.other_product, status=AssessmentStatus.NOT_STARTED)
    return rnd


def pages(rnd: Round) -> list[tuple[str, str]]:
    return [
        ("get", reverse("rounds:list")),
        ("get", reverse("rounds:create")),
        ("get", reverse("rounds:detail", args=[rnd.pk])),
        ("post", reverse("rounds:extend", args=[rnd.pk])),
        ("post", reverse("rounds:close", args=[rnd.pk])),
        ("post", reverse("rounds:reopen", args=[rnd.pk])),
        ("post", reverse("rounds:rescore", args=[rnd.pk])),
    ]


@pytest.mark.parametrize("who", ["member", "other_member", "manager"])
def test_everyone_but_admins_is_refused(
    client: Any, cast: Any, open_round: Round, who: str
) -> None:
    client.force_login(getattr(cast, who))
    for method, url in pages(open_round):
        assert getattr(client, method)(url).status_code == 403, url
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.OPEN
    assert open_round.closes_on == dt.date(2026, 10, 31)


def test_anonymous_visitors_are_sent_to_log_in(client: Any, open_round: Round) -> None:
    for method, url in pages(open_round):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=")


def test_admins_see_the_rounds_with_their_completion(
    client: Any, cast: Any, open_round: Round
) -> None:
    client.force_login(cast.admin)
    response = client.get(reverse("rounds:list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "2026-10" in text and "mlts@2017.1" in text and "Open" in text


def test_the_detail_page_follows_completion_by_department_and_product(
    client: Any, cast: Any, open_round: Round
) -> None:
    client.force_login(cast.admin)
    response = client.get(reverse("rounds:detail", args=[open_round.pk]))
    assert response.status_code == 200
    rows = {row["product__department__name"]: row for row in response.context["by_department"]}
    assert len(rows) == 2
    assert sorted((r["submitted"], r["not_started"]) for r in rows.values()) == [(0, 1), (1, 0)]
    assert response.context["totals"] == {
        "total": 2,
        "not_started": 1,
        "draft": 0,
        "submitted": 1,
        "not_submitted": 0,
    }
    text = response.content.decode()
    assert "Ads Ctr" in text and "Search Rank" in text and "7.00" not in text
    filtered = client.get(reverse("rounds:detail", args=[open_round.pk]), {"status": "not_started"})
    assert [a.product.slug for a in filtered.context["page"]] == ["search-rank"]


def test_creating_a_round_targets_every_active_product_by_default(
    client: Any, cast: Any, version: Any
) -> None:
    factories.ProductFactory(slug="retired", is_active=False)
    client.force_login(cast.admin)
    response = client.post(
        reverse("rounds:create"),
        {
            "label": "2027-04",
            "version": version.pk,
            "opens_on": "2027-04-01",
            "closes_on": "2027-05-01",
            "reminder_days": "14, 7, 1",
        },
    )
    rnd = Round.objects.get(label="2027-04")
    assert response.status_code == 302 and response["Location"] == f"/rounds/{rnd.pk}/"
    assert set(rnd.products.values_list("slug", flat=True)) == {"ads-ctr", "search-rank"}
    assert rnd.status == RoundStatus.SCHEDULED and rnd.created_by == cast.admin
    assert rnd.reminder_days == [14, 7, 1]


def test_creating_a_round_narrowed_by_department_and_phase(
    client: Any, cast: Any, version: Any
) -> None:
    parent = factories.DepartmentFactory(slug="ads")
    child = factories.DepartmentFactory(slug="ads-bidding", parent=parent)
    factories.ProductFactory(slug="bidder", department=child, phase=Phase.POC)
    factories.ProductFactory(slug="bidder-prod", department=child, phase=Phase.PRODUCTION)
    client.force_login(cast.admin)
    client.post(
        reverse("rounds:create"),
        {
            "label": "poc-check",
            "version": version.pk,
            "opens_on": "2027-04-01",
            "closes_on": "2027-05-01",
            "departments": [parent.pk],
            "phases": ["poc"],
        },
    )
    rnd = Round.objects.get(label="poc-check")
    assert list(rnd.products.values_list("slug", flat=True)) == ["bidder"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"closes_on": "2027-03-01"}, "closes_on", "The close date must come after the open date."),
        ({"closes_on": "2026-10-01", "opens_on": "2026-09-01"}, "closes_on", "already past"),
        ({"label": "2026-10"}, "label", "already exists"),
        ({"reminder_days": "14, soon"}, "reminder_days", "“soon” is not a whole number"),
        ({"opens_on": "not a date"}, "opens_on", "Enter a valid date."),
        ({"phases": ["validation"]}, None, "No active product matches"),
    ],
)
def test_the_create_form_explains_what_is_wrong(
    client: Any,
    cast: Any,
    open_round: Round,
    changes: dict,
    field: str | None,
    message: str,
) -> None:
    client.force_login(cast.admin)
    data = {
        "label": "2027-04",
        "version": open_round.version_id,
        "opens_on": "2027-04-01",
        "closes_on": "2027-05-01",
        **changes,
    }
    response = client.post(reverse("rounds:create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors.get(field or "__all__")
    assert errors and message in " ".join(errors)
    assert message.split("“")[0] in response.content.decode().replace("&#x27;", "'") or field
    assert Round.objects.count() == 1


def test_a_round_opening_today_is_opened_at_once(
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
                "confirmed": "1",  # opening today mails everyone: confirmed on a page
            },
        )
    rnd = Round.objects.get(label="2026-10b")
    assert rnd.status == RoundStatus.OPEN
    assert Assessment.objects.filter(round=rnd).count() == 2


def test_with_the_broker_down_the_page_works_and_the_next_tick_opens_the_round(
    client: Any,
    cast: Any,
    version: Any,
    eager: None,
    django_capture_on_commit_callbacks: Any,
    caplog: Any,
) -> None:
    client.force_login(cast.admin)
    down = mock.Mock(side_effect=OperationalError("Error 111 connecting to 127.0.0.1:6379"))
    with (
        mock.patch.object(tasks.round_open_task, "delay", down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("rounds:create"),
            {
                "label": "2026-10b",
                "version": version.pk,
                "opens_on": "2026-10-10",
                "closes_on": "2026-11-10",
                "confirmed": "1",  # opening today mails everyone: confirmed on a page
            },
        )
    assert response.status_code == 302
    down.assert_called_once()
    assert "the next tick will catch up" in caplog.text
    rnd = Round.objects.get(label="2026-10b")
    assert rnd.status == RoundStatus.SCHEDULED

    with django_capture_on_commit_callbacks(execute=True):
        tasks.rounds_tick.delay()
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.OPEN


def test_extend_the_deadline(client: Any, cast: Any, open_round: Round) -> None:
    client.force_login(cast.admin)
    url = reverse("rounds:extend", args=[open_round.pk])
    response = client.post(url, {"closes_on": "2026-11-07"}, follow=True)
    assert "The round now closes on 2026-11-07." in response.content.decode()
    open_round.refresh_from_db()
    assert open_round.closes_on == dt.date(2026, 11, 7)
    response = client.post(url, {"closes_on": "2026-11-01"}, follow=True)
    assert "must be after the current one (2026-11-07)" in response.content.decode()
    assert open_round.events.filter(kind=RoundEventKind.EXTENDED).count() == 1


def test_close_early(
    client: Any, cast: Any, open_round: Round, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rounds:close", args=[open_round.pk]), follow=True)
    assert "is closing" in response.content.decode()
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.CLOSED
    event = open_round.events.get(kind=RoundEventKind.CLOSED)
    assert event.by == cast.admin
    statuses = dict(
        Assessment.objects.filter(round=open_round).values_list("product__slug", "status")
    )
    assert statuses == {"ads-ctr": "submitted", "search-rank": "not_submitted"}


def test_close_early_with_the_broker_down_is_caught_up_by_the_tick(
    client: Any, cast: Any, open_round: Round, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(cast.admin)
    down = mock.Mock(side_effect=OperationalError("connection refused"))
    with (
        mock.patch.object(tasks.round_close_task, "delay", down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(reverse("rounds:close", args=[open_round.pk]))
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        tasks.rounds_tick.delay()
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.CLOSED


def test_reopen_and_rescore_a_closed_round(client: Any, cast: Any, open_round: Round) -> None:
    services.round_close(round=open_round, notify=False)
    client.force_login(cast.admin)
    page = client.get(reverse("rounds:detail", args=[open_round.pk])).content.decode()
    assert "Re-open the round" in page and "Re-score the round" in page

    response = client.post(reverse("rounds:rescore", args=[open_round.pk]), follow=True)
    assert "1 assessments re-scored." in response.content.decode()

    url = reverse("rounds:reopen", args=[open_round.pk])
    response = client.post(url, {"closes_on": "2026-10-01", "reason": "x"}, follow=True)
    assert "must be in the future" in response.content.decode()
    response = client.post(url, {"closes_on": "2026-10-20", "reason": ""}, follow=True)
    assert "This field is required." in response.content.decode()
    response = client.post(
        url, {"closes_on": "2026-10-20", "reason": "a team was on leave"}, follow=True
    )
    assert "open again until 2026-10-20" in response.content.decode()
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.OPEN
    event = open_round.events.get(kind=RoundEventKind.REOPENED)
    assert (event.by, event.details["reason"]) == (cast.admin, "a team was on leave")
    assert open_round.events.filter(kind=RoundEventKind.RESCORED, by=cast.admin).count() == 1
