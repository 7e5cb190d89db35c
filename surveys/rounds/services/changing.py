"""An admin's changes to a round's dates: extend, re-open (DESIGN §4)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.assessments.models import (
    AnswerRevision,
    Assessment,
    AssessmentStatus,
    RevisionSource,
)
from surveys.core.actors import Actor
from surveys.core.errors import ApplicationError
from surveys.rounds.bounds import check_dates
from surveys.rounds.models import Round, RoundEventKind, RoundReminder, RoundStatus
from surveys.rounds.selectors import (
    today_of,
)
from surveys.rounds.services.common import overlap_check, round_lock, source_of
from surveys.rounds.services.freezing import (
    event_record,
)


def _rearm_reminders(round: Round, closes_on: dt.date, today: dt.date) -> None:
    """Reminders whose day comes again before a new close date are sent again then."""
    RoundReminder.objects.filter(
        round=round,
        days_before__in=[
            int(d) for d in round.reminder_days if closes_on - dt.timedelta(days=int(d)) > today
        ],
    ).delete()


@transaction.atomic(durable=True)
def round_extend(
    *, round: Round, closes_on: dt.date, by: Actor, now: dt.datetime | None = None
) -> Round:
    """Move the close date of a scheduled or open round later."""
    now = now or timezone.now()
    locked = round_lock(round)
    if locked.status == RoundStatus.CLOSED:
        raise ApplicationError(_("This round is closed: re-open it to give more time."))
    if closes_on <= locked.closes_on:
        raise ApplicationError(
            _("The new close date must be after the current one (%(date)s).")
            % {"date": f"{locked.closes_on:%Y-%m-%d}"}
        )
    check_dates(locked.opens_on, closes_on)
    overlap_check(
        questionnaire_id=locked.questionnaire_id,
        opens_on=locked.opens_on,
        closes_on=closes_on,
        exclude_id=locked.pk,
    )
    previous = locked.closes_on
    Round.objects.filter(pk=locked.pk).update(closes_on=closes_on)
    _rearm_reminders(locked, closes_on, today_of(now))
    event_record(
        round=locked,
        kind=RoundEventKind.EXTENDED,
        by=by,
        source=source_of(by),
        now=now,
        mail={"webhook_text": f"Round {locked.label} now closes on {closes_on:%Y-%m-%d}."},
        **{"from": str(previous), "to": str(closes_on)},
    )
    round.refresh_from_db()
    return round


@transaction.atomic(durable=True)
def round_reopen(
    *, round: Round, closes_on: dt.date, by: Actor, reason: str = "", now: dt.datetime | None = None
) -> Round:
    """Re-open a closed round until ``closes_on``: a recorded admin action. Non-responses
    become editable again; the scores and report are stored again when it closes."""
    now = now or timezone.now()
    locked = round_lock(round)
    if locked.status != RoundStatus.CLOSED:
        raise ApplicationError(_("Only a closed round can be re-opened."))
    if closes_on <= today_of(now):
        raise ApplicationError(_("The new close date must be in the future."))
    check_dates(locked.opens_on, closes_on)
    overlap_check(
        questionnaire_id=locked.questionnaire_id,
        opens_on=locked.opens_on,
        closes_on=closes_on,
        exclude_id=locked.pk,
    )
    Round.objects.filter(pk=locked.pk).update(
        status=RoundStatus.OPEN, closed_at=None, closes_on=closes_on
    )
    started = AnswerRevision.objects.filter(answer__assessment=OuterRef("pk")).exclude(
        source=RevisionSource.CARRY
    )
    not_submitted = Assessment.objects.filter(round=locked, status=AssessmentStatus.NOT_SUBMITTED)
    drafts = not_submitted.filter(Exists(started)).update(status=AssessmentStatus.DRAFT)
    not_started = not_submitted.update(status=AssessmentStatus.NOT_STARTED)
    _rearm_reminders(locked, closes_on, today_of(now))
    event_record(
        round=locked,
        kind=RoundEventKind.REOPENED,
        by=by,
        source=source_of(by),
        now=now,
        mail={"webhook_text": f"Round {locked.label} is open again until {closes_on:%Y-%m-%d}."},
        reason=reason,
        closes_on=str(closes_on),
        drafts=drafts,
        not_started=not_started,
    )
    round.refresh_from_db()
    return round
