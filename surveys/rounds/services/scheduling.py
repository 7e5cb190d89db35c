"""Creating rounds (DESIGN §4): by hand, as a historical record, and on the cadence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.assessments.models import (
    RevisionSource,
)
from surveys.core.actors import Actor
from surveys.core.errors import ApplicationError
from surveys.organisation.models import Product
from surveys.questionnaires.models import Questionnaire, QuestionnaireVersion, VersionStatus
from surveys.rounds.bounds import check_dates, check_evidence_window, check_reminder_days
from surveys.rounds.models import Round, RoundEventKind, RoundStatus
from surveys.rounds.selectors import (
    cadence_next,
    newest_published,
    rounds_overlapping,
    today_of,
)
from surveys.rounds.services.common import overlap_check, source_of
from surveys.rounds.services.freezing import (
    event_record,
    person,
)


@transaction.atomic
def round_create(
    *,
    version: QuestionnaireVersion,
    label: str,
    opens_on: dt.date,
    closes_on: dt.date,
    products: Iterable[Product] | QuerySet[Product] | None = None,
    reminder_days: Sequence[int] | None = None,
    evidence_window_days: int | None = None,
    by: Actor = None,
) -> Round:
    """A scheduled round. ``products`` None targets every active product when it opens."""
    label = label.strip()
    if not label:
        raise ApplicationError(_("Give the round a label, for example 2026-10."))
    if version.status != VersionStatus.PUBLISHED:
        raise ApplicationError(
            _("%(version)s is a draft: publish it before using it in a round.")
            % {"version": version.label}
        )
    check_dates(opens_on, closes_on)
    days = check_reminder_days(
        settings.ROUND_REMINDER_DAYS if reminder_days is None else reminder_days
    )
    window = check_evidence_window(
        settings.EVIDENCE_WINDOW_DAYS if evidence_window_days is None else evidence_window_days
    )
    # Two admins creating rounds at once must not both pass the overlap check.
    Questionnaire.objects.select_for_update().filter(pk=version.questionnaire_id).first()
    if Round.objects.filter(questionnaire_id=version.questionnaire_id, label=label).exists():
        raise ApplicationError(
            _("A round labelled %(label)s already exists for %(questionnaire)s.")
            % {"label": label, "questionnaire": version.questionnaire.key}
        )
    overlap_check(
        questionnaire_id=version.questionnaire_id,
        opens_on=opens_on,
        closes_on=closes_on,
        exclude_id=None,
    )
    round = Round.objects.create(
        questionnaire_id=version.questionnaire_id,
        version=version,
        label=label,
        opens_on=opens_on,
        closes_on=closes_on,
        reminder_days=days,
        evidence_window_days=window,
        created_by=person(by),
    )
    product_ids: list[int] = []
    if products is not None:
        product_ids = [p.pk for p in products]
        if not product_ids:
            raise ApplicationError(_("The round targets no product: choose at least one."))
        round.products.add(*product_ids)
    event_record(
        round=round,
        kind=RoundEventKind.CREATED,
        by=by,
        source=source_of(by),
        products=len(product_ids) if products is not None else "all active",
    )
    return round


def round_record_historical(
    *,
    version: QuestionnaireVersion,
    label: str,
    opens_on: dt.date,
    closes_on: dt.date,
    by: Actor = None,
) -> Round:
    """A closed round of the past (an import, the demo's history): its assessments are
    written by the caller and frozen with ``closing.assessments_freeze``, which records
    the event. Call inside a transaction."""
    check_dates(opens_on, closes_on)
    tz = timezone.get_default_timezone()
    return Round.objects.create(
        questionnaire_id=version.questionnaire_id,
        version=version,
        label=label,
        opens_on=opens_on,
        closes_on=closes_on,
        status=RoundStatus.CLOSED,
        is_historical=True,
        opened_at=dt.datetime.combine(opens_on, dt.time.min, tzinfo=tz),
        closed_at=dt.datetime.combine(closes_on, dt.time.max, tzinfo=tz),
        created_by=person(by),
    )


@transaction.atomic
def round_schedule_next(
    *, questionnaire: Questionnaire, now: dt.datetime | None = None
) -> Round | None:
    """Schedule the next round of the cadence with the newest published version.

    Nothing happens while a round of this questionnaire is still scheduled, or when the
    next cadence date falls inside another round, so the job can run any number of times.
    """
    now = now or timezone.now()
    Questionnaire.objects.select_for_update().filter(pk=questionnaire.pk).first()
    rounds = Round.objects.filter(questionnaire=questionnaire)
    if rounds.filter(status=RoundStatus.SCHEDULED).exists():
        return None
    version = newest_published(questionnaire)
    if version is None:
        return None
    latest = rounds.order_by("-opens_on").values_list("opens_on", flat=True).first()
    yesterday = today_of(now) - dt.timedelta(days=1)
    opens_on = cadence_next(
        max(latest, yesterday) if latest else yesterday, settings.ROUND_CADENCE_MONTHS
    )
    if opens_on is None:
        return None
    closes_on = opens_on + dt.timedelta(days=settings.ROUND_OPEN_DAYS)
    label = f"{opens_on:%Y-%m}"
    if rounds.filter(Q(label=label) | Q(opens_on=opens_on)).exists():
        return None
    if rounds_overlapping(
        questionnaire_id=questionnaire.pk, opens_on=opens_on, closes_on=closes_on
    ).exists():
        return None
    round = Round.objects.create(
        questionnaire=questionnaire,
        version=version,
        label=label,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    event_record(
        round=round,
        kind=RoundEventKind.CREATED,
        by=None,
        source=RevisionSource.JOB,
        now=now,
        scheduled=True,
        version=version.label,
    )
    return round


def rounds_schedule_next(*, now: dt.datetime | None = None) -> list[Round]:
    """Schedule the next round of every questionnaire that has a published version."""
    scheduled = []
    for questionnaire in Questionnaire.objects.filter(
        versions__status=VersionStatus.PUBLISHED
    ).distinct():
        round = round_schedule_next(questionnaire=questionnaire, now=now)
        if round is not None:
            scheduled.append(round)
    return scheduled
