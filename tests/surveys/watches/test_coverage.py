"""Reports: the share of items at 1 with a live check, per round and department."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from surveys.models import AssessmentStatus, Flip, Watch
from surveys.watches.coverage import coverage
from surveys.watches.services import watches_due_check
from tests import factories

from .conftest import post

pytestmark = pytest.mark.django_db
PEOPLE = ("member", "other_member", "manager", "admin", "anonymous", "foreign_token")


@pytest.fixture
def open_round(cast: Any, version: Any) -> Any:
    rnd = factories.make_round(version, label="2026-10")
    for product in (cast.product, cast.other_product):
        factories.make_assessment(
            rnd,
            product,
            status=AssessmentStatus.DRAFT,
            values={"data.i1": "1", "data.i2": "1", "data.i3": "0.5"},
        )
    return rnd


def test_share_of_answers_at_1_whose_watch_reports(cast: Any, open_round: Any) -> None:
    now = timezone.now()
    post(cast.product, item="data.i1", at=now - timedelta(hours=1))  # up: live
    post(cast.product, item="data.i2", at=now - timedelta(days=20))  # down: not live
    post(cast.product, item="data.i3", at=now - timedelta(hours=1))  # live, but at 0.5
    watches_due_check()
    (row,) = coverage(rounds=[open_round])
    assert row.provisional
    assert (row.total.at_one, row.total.live) == (4, 1)
    mine = row.departments[cast.product.department_id]
    assert (mine.at_one, mine.live, mine.share) == (2, 1, 0.5)
    theirs = row.departments[cast.other_product.department_id]
    assert (theirs.at_one, theirs.live) == (2, 0)


def test_a_closed_round_reads_the_state_at_its_close(cast: Any, open_round: Any) -> None:
    post(cast.product, item="data.i1", at=timezone.now() - timedelta(hours=1))
    watch = Watch.objects.get()
    # The watch went up after the round closed: it was not live then.
    open_round.status = "closed"
    open_round.closes_on = (timezone.now() - timedelta(days=3)).date()
    Flip.objects.filter(watch=watch).update(at=timezone.now() - timedelta(hours=1))
    Watch.objects.update(created_at=timezone.now() - timedelta(days=30))
    (row,) = coverage(rounds=[open_round])
    assert (row.total.at_one, row.total.live) == (4, 0)


@pytest.mark.parametrize("who", PEOPLE)
def test_managers_and_admins_read_the_report(
    cast: Any, open_round: Any, client_for: Any, who: str
) -> None:
    post(cast.product, item="data.i1", at=timezone.now() - timedelta(hours=1))
    response = client_for(who).get("/watches/coverage/")
    expected = {"manager": 200, "admin": 200, "anonymous": 302, "foreign_token": 302}
    assert response.status_code == expected.get(who, 403)
    if response.status_code == 200:
        page = response.content.decode()
        assert "2026-10" in page and "provisional" in page
        assert "25% <span" in page  # 1 of the 4 answers at 1
