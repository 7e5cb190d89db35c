"""``seed_demo``: the demo organisation `make run` shows."""

from __future__ import annotations

import datetime as dt
import itertools
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Avg, Count, F, Q

from surveys.demo.cast import DEMO_USERS
from surveys.models import (
    Answer,
    AreaScore,
    Assessment,
    AssessmentStatus,
    Department,
    Evidence,
    Guideline,
    Phase,
    Product,
    QuestionnaireVersion,
    Round,
    RoundEvent,
    RoundEventKind,
    RoundReport,
    RoundStatus,
)
from surveys.organisation.roles import is_admin, is_manager

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def seed(*args: str) -> str:
    out = StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(django_capture_on_commit_callbacks: Any) -> str:
    # Each round commits on its own; its report is built once it has (on commit).
    with django_capture_on_commit_callbacks(execute=True):
        return seed()


def test_the_demo_organisation(seeded: str) -> None:
    version = QuestionnaireVersion.objects.get()
    assert version.label == "mlts@2017.1" and version.is_published
    assert version.items.count() == 28
    assert Guideline.objects.filter(slug="production-monitoring").exists()
    departments = Department.objects.all()
    assert departments.count() >= 4
    assert departments.filter(parent__parent__isnull=False).exists()  # a small tree
    assert Product.objects.count() >= 12
    assert set(Product.objects.values_list("phase", flat=True)) == set(Phase.values)


def test_nine_closed_half_yearly_rounds_and_one_open(seeded: str) -> None:
    rounds = list(Round.objects.order_by("opens_on"))
    assert [r.label for r in rounds] == [
        "2022-04",
        "2022-10",
        "2023-04",
        "2023-10",
        "2024-04",
        "2024-10",
        "2025-04",
        "2025-10",
        "2026-04",
        "2026-10",
    ]
    assert {r.status for r in rounds[:-1]} == {RoundStatus.CLOSED}
    assert rounds[-1].status == RoundStatus.OPEN
    assert rounds[-1].closes_on > TODAY.date()  # still open for the demo
    # Closed as a close would: scores, reports, the close recorded.
    for rnd in rounds[:-1]:
        assert RoundReport.objects.filter(round=rnd).exists()
        assert RoundEvent.objects.filter(round=rnd, kind=RoundEventKind.CLOSED).exists()
        scored = Assessment.objects.filter(round=rnd, status=AssessmentStatus.SUBMITTED)
        assert scored.exists() and not scored.filter(final_score__isnull=True).exists()
        assert AreaScore.objects.filter(assessment__round=rnd).count() == 4 * scored.count()


def test_scores_rise_and_monitoring_starts_lowest_and_catches_up(seeded: str) -> None:
    closed = Round.objects.filter(status=RoundStatus.CLOSED).order_by("opens_on")
    means = [
        Assessment.objects.filter(round=r).aggregate(m=Avg("final_score"))["m"] for r in closed
    ]
    assert means[-1] > means[0] + 1.0
    assert sum(b >= a for a, b in itertools.pairwise(means)) >= len(means) - 2

    def areas(rnd: Round) -> dict[str, float]:
        rows = (
            AreaScore.objects.filter(assessment__round=rnd)
            .values("area_key")
            .annotate(mean=Avg("score"))
        )
        return {row["area_key"]: row["mean"] for row in rows}

    first, last = areas(closed.first()), areas(closed.last())
    assert min(first, key=first.__getitem__) == "monitoring"
    gap_first = min(v for k, v in first.items() if k != "monitoring") - first["monitoring"]
    gap_last = min(v for k, v in last.items() if k != "monitoring") - last["monitoring"]
    assert gap_first > 1.0 and gap_last < gap_first / 2


def test_the_history_has_na_late_joiners_non_response_regressions_and_evidence(
    seeded: str,
) -> None:
    assert Answer.objects.filter(value="NA").exclude(na_reason="").exists()
    assert not Answer.objects.filter(value="NA", na_reason="").exists()
    first = Round.objects.order_by("opens_on").first()
    assert first is not None
    assert first.products.count() < Product.objects.count()  # some products join later
    assert Assessment.objects.filter(status=AssessmentStatus.NOT_SUBMITTED).exists()
    assert Assessment.objects.filter(is_regression=True).exists()
    assert Evidence.objects.filter(outcome="pass").exists()
    assert Assessment.objects.filter(verified_score__lt=F("final_score")).exists()


def test_the_open_round_was_opened_with_a_mix_of_progress(seeded: str) -> None:
    rnd = Round.objects.get(status=RoundStatus.OPEN)
    assert rnd.events.filter(kind=RoundEventKind.OPENED).exists()
    counts = dict(
        Assessment.objects.filter(round=rnd)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    assert set(counts) == {"not_started", "draft", "submitted"}
    assert Answer.objects.filter(assessment__round=rnd, carry="carried").exists()
    submitted = Assessment.objects.filter(round=rnd, status="submitted")
    assert not submitted.filter(final_score__isnull=True).exists()


def test_demo_users_for_each_role_and_their_logins_are_printed(seeded: str) -> None:
    for spec in DEMO_USERS:
        assert f"{spec.username}" in seeded and spec.password in seeded
        assert authenticate(username=spec.username, password=spec.password) is not None
    admin = authenticate(username="admin", password="demo-admin-2026")
    manager = authenticate(username="manager", password="demo-manager-2026")
    assert is_admin(admin) and is_manager(manager) and not is_admin(manager)
    alice = authenticate(username="alice", password="demo-alice-2026")
    assert alice is not None and alice.products.count() == 2 and not is_manager(alice)
    assert Product.objects.filter(members__username="bob").count() >= 1
    haruto = authenticate(username="haruto", password="demo-haruto-2026")
    assert haruto is not None and haruto.profile.language == "ja"


def test_seeding_again_does_nothing_unless_reset(seeded: str) -> None:
    counts = (Round.objects.count(), Answer.objects.count(), Product.objects.count())
    again = seed()
    assert "already present" in again and "demo-alice-2026" in again
    assert (Round.objects.count(), Answer.objects.count(), Product.objects.count()) == counts

    reset = seed("--reset")
    assert "Seeded" in reset
    assert (Round.objects.count(), Answer.objects.count(), Product.objects.count()) == counts


def test_size_is_configurable(db: Any) -> None:
    out = seed("--products", "30", "--rounds", "4")
    assert "30 products" in out
    assert Product.objects.count() == 30
    assert list(Round.objects.order_by("opens_on").values_list("label", flat=True)) == [
        "2025-04",
        "2025-10",
        "2026-04",
        "2026-10",
    ]
    assert Assessment.objects.filter(
        ~Q(status=AssessmentStatus.NOT_STARTED), round__label="2025-04"
    ).exists()
