"""Rounds that cannot go wrong: no overlap, the next cadence date by
default, a page that says what a destructive or mass-mailing action will do before it is
done, the real dates, and "remind now" with who has not submitted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from mlopsscore import celery_app
from surveys.models import Assessment, AssessmentStatus, Round, RoundEventKind, RoundStatus
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 10, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture(autouse=True)
def eager() -> Iterator[None]:
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def open_round(version: Any, cast: Any) -> Round:
    rnd = factories.make_round(
        version,
        label="2026-10",
        opens_on=dt.date(2026, 10, 1),
        closes_on=dt.date(2026, 10, 31),
        products=(cast.product, cast.other_product),
    )
    factories.make_assessment(rnd, cast.product, status=AssessmentStatus.DRAFT)
    factories.make_assessment(rnd, cast.other_product, default="1", status="submitted")
    return rnd


def admin(cast: Any) -> Client:
    client = Client()
    client.force_login(cast.admin)
    return client


def test_the_new_round_form_defaults_to_the_next_cadence_date(open_round: Round, cast: Any) -> None:
    html = admin(cast).get(reverse("rounds:create")).content.decode()
    # The open round runs to 2026-10-31; the next cadence month (April, October) is April.
    assert 'value="2027-04-01"' in html and 'value="2027-05-01"' in html
    assert 'value="2027-04"' in html


def test_an_overlapping_round_is_refused_with_the_next_free_date(
    open_round: Round, cast: Any, version: Any
) -> None:
    response = admin(cast).post(
        reverse("rounds:create"),
        {
            "label": "2026-10x",
            "version": version.pk,
            "opens_on": "2026-10-20",
            "closes_on": "2026-11-20",
            "confirmed": "1",
        },
    )
    html = response.content.decode()
    assert "never overlap: 2026-10 runs from 2026-10-01 to 2026-10-31" in html
    assert "The next free cadence date is 2027-04-01." in html
    assert Round.objects.count() == 1


def test_a_round_opening_today_is_confirmed_on_a_page_first(
    cast: Any, version: Any, django_capture_on_commit_callbacks: Any
) -> None:
    data = {"label": "2026-10", "version": version.pk, "opens_on": "2026-10-10"}
    data["closes_on"] = "2026-11-10"
    client = admin(cast)
    html = client.post(reverse("rounds:create"), data).content.decode()
    assert "Open round 2026-10 now?" in html
    assert "2 assessments will be created at once" in html
    assert "2 people will be emailed that the round is open." in html
    assert not Round.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rounds:create"), {**data, "confirmed": "1"})
    assert response.status_code == 302
    assert Round.objects.get().status == RoundStatus.OPEN
    assert sorted(m.to[0] for m in mail.outbox) == [
        "member@example.com",
        "other-member@example.com",
    ]


def test_closing_early_says_what_will_happen_then_shows_the_real_date(
    open_round: Round, cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = admin(cast)
    url = reverse("rounds:close", args=[open_round.pk])
    html = client.get(url).content.decode()
    assert "1 assessment not submitted (1 drafts, 0 not started) will be recorded" in html
    assert "1 submitted assessment will be scored and frozen." in html
    assert "Closes today instead of 2026-10-31" in html
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.OPEN  # looking changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.CLOSED
    html = client.get(reverse("rounds:detail", args=[open_round.pk])).content.decode()
    assert "Closed on <strong data-closed-on>2026-10-10" in html
    assert "Closes on" not in html
    assert Assessment.objects.get(round=open_round, product=cast.product).status == (
        AssessmentStatus.NOT_SUBMITTED
    )


def test_rescoring_is_confirmed_first(open_round: Round, cast: Any) -> None:
    from surveys.rounds.services import round_close

    round_close(round=open_round, notify=False)
    client = admin(cast)
    url = reverse("rounds:rescore", args=[open_round.pk])
    html = client.get(url).content.decode()
    assert "The stored scores of 1 submitted assessment will be computed again" in html
    assert not open_round.events.filter(kind=RoundEventKind.RESCORED).exists()
    client.post(url)
    assert open_round.events.filter(kind=RoundEventKind.RESCORED).exists()


def test_remind_now_lists_who_has_not_submitted_then_emails_them(
    open_round: Round, cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = admin(cast)
    url = reverse("rounds:remind", args=[open_round.pk])
    html = client.get(url).content.decode()
    assert "1 person will be emailed" in html
    assert "member@example.com" in html and "other-member@example.com" not in html
    assert cast.product.name in html and cast.other_product.name not in html
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "Reminder sent to the members of 1 product." in response.content.decode()
    assert [m.to for m in mail.outbox] == [["member@example.com"]]
    assert "closes on 2026-10-31" in mail.outbox[0].subject
    assert "http://" in mail.outbox[0].body or "https://" in mail.outbox[0].body


@pytest.mark.parametrize("who", ["member", "manager"])
def test_only_admins_remind(open_round: Round, cast: Any, who: str) -> None:
    client = Client()
    client.force_login(getattr(cast, who))
    assert client.get(reverse("rounds:remind", args=[open_round.pk])).status_code == 403
    assert client.post(reverse("rounds:remind", args=[open_round.pk])).status_code == 403
