"""Reads about rounds shared by several callers: what the periodic job must do now,
which products a round may target, the newest published version. Nothing here writes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from surveys.organisation.models import Product
from surveys.questionnaires.models import Questionnaire, QuestionnaireVersion, VersionStatus
from surveys.rounds.models import Round, RoundMail, RoundReminder, RoundStatus

logger = logging.getLogger(__name__)

# A wave not sent this long after its event is caught up by the periodic job: its own
# task has given up retrying (or was never queued because the broker was down).
MAIL_CATCH_UP_AFTER = dt.timedelta(minutes=15)


def today_of(now: dt.datetime) -> dt.date:
    """The server's day (TIME_ZONE): rounds open and close on the same day whoever acts,
    whatever zone the page in front of them shows times in."""
    return timezone.localdate(now, timezone.get_default_timezone())


def products_targetable(
    *, department_ids: Iterable[int] | None = None, phases: Iterable[str] | None = None
) -> QuerySet[Product]:
    """Every active product, narrowed by department (with sub-departments) or phase."""
    from surveys.organisation.selectors import department_descendant_ids

    products = Product.objects.filter(is_active=True, archived_at__isnull=True)
    department_ids = set(department_ids or ())
    if department_ids:
        products = products.filter(department_id__in=department_descendant_ids(department_ids))
    phases = list(phases or ())
    if phases:
        products = products.filter(phase__in=phases)
    return products


def rounds_overlapping(
    *, questionnaire_id: int, opens_on: dt.date, closes_on: dt.date, exclude_id: int | None = None
) -> QuerySet[Round]:
    """Rounds of the questionnaire whose dates meet ``opens_on``..``closes_on`` (DESIGN §4)."""
    rounds = Round.objects.filter(
        questionnaire_id=questionnaire_id, opens_on__lte=closes_on, closes_on__gte=opens_on
    )
    return rounds.exclude(pk=exclude_id) if exclude_id is not None else rounds


def reminder_due(round: Round, today: dt.date) -> int | None:
    """The reminder offset due today: the nearest one whose day has come.

    A round opened late does not send its missed earlier reminders in a burst: only the
    most imminent one is due.
    """
    if round.status != RoundStatus.OPEN or today > round.closes_on:
        return None
    reached = [
        int(d) for d in round.reminder_days if today >= round.closes_on - dt.timedelta(days=int(d))
    ]
    return min(reached) if reached else None


def newest_published(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    return (
        QuestionnaireVersion.objects.filter(
            questionnaire=questionnaire, status=VersionStatus.PUBLISHED, archived_at__isnull=True
        )
        .order_by("-published_at", "-created_at", "-pk")
        .first()
    )


def cadence_next(after: dt.date, months: Sequence[int]) -> dt.date | None:
    """The first cadence date (the 1st of a cadence month) strictly after ``after``."""
    months = sorted(set(months))
    for year in (after.year, after.year + 1):
        for month in months:
            candidate = dt.date(year, month, 1)
            if candidate > after:
                return candidate
    return None


@dataclass
class DueWork:
    open: list[int] = field(default_factory=list)
    remind: list[tuple[int, int]] = field(default_factory=list)
    close: list[int] = field(default_factory=list)
    mail: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def rounds_due(*, now: dt.datetime | None = None) -> DueWork:
    """What the periodic job should do now (reading only; the tasks claim the work).

    Each round is judged on its own: a round whose data cannot be read is logged and
    left for the next tick, and the others are still handled.
    """
    now = now or timezone.now()
    today = today_of(now)
    due = DueWork()
    sent = set(
        RoundReminder.objects.filter(round__status=RoundStatus.OPEN).values_list(
            "round_id", "days_before"
        )
    )
    for r in Round.objects.filter(status__in=[RoundStatus.SCHEDULED, RoundStatus.OPEN]).order_by(
        "pk"
    ):
        try:
            if r.status == RoundStatus.SCHEDULED:
                if r.opens_on <= today:
                    due.open.append(r.pk)
                continue
            if r.closes_on < today:
                due.close.append(r.pk)
                continue
            days = reminder_due(r, today)
            if days is not None and (r.pk, days) not in sent:
                due.remind.append((r.pk, days))
        except Exception:
            logger.exception("Round %s (%s) could not be checked; retried next tick", r.pk, r)
            due.failed.append(r.pk)
    due.mail = list(
        RoundMail.objects.pending()
        .filter(event__at__lt=now - MAIL_CATCH_UP_AFTER)
        .values_list("pk", flat=True)
    )
    return due


@dataclass
class Unfinished:
    assessment: Any
    members: list[Any]


def unfinished_with_members(round: Round) -> list[Unfinished]:
    """The round's assessments not submitted yet, with the members a reminder reaches
    (active, with an email address): three queries whatever the number of products."""
    from surveys.assessments.models import Assessment, AssessmentStatus
    from surveys.rounds.notifications import members_by_product

    assessments = list(
        Assessment.objects.filter(
            round=round, status__in=[AssessmentStatus.NOT_STARTED, AssessmentStatus.DRAFT]
        )
        .select_related("product__department")
        .order_by("product__department__name", "product__name")
    )
    members = members_by_product(a.product_id for a in assessments)
    return [Unfinished(a, members.get(a.product_id, [])) for a in assessments]
