"""Reminders before the close, scheduled and by hand, to products that have not submitted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.assessments.models import (
    Assessment,
)
from surveys.core.actors import Actor
from surveys.core.errors import ApplicationError
from surveys.rounds.models import MailAudience, Round, RoundEventKind, RoundReminder, RoundStatus
from surveys.rounds.selectors import (
    today_of,
)
from surveys.rounds.services.common import UNFINISHED, round_lock, source_of
from surveys.rounds.services.freezing import (
    event_record,
)


@transaction.atomic(durable=True)
def round_remind(*, round: Round, days_before: int, now: dt.datetime | None = None) -> int | None:
    """Remind the members of products that have not submitted. Each wave is claimed once
    (a unique row); returns how many products are reminded, or None if already claimed."""
    now = now or timezone.now()
    locked = round_lock(round)
    if locked.status != RoundStatus.OPEN:
        return None
    try:
        with transaction.atomic():
            RoundReminder.objects.create(round=locked, days_before=days_before, sent_at=now)
    except IntegrityError:
        return None
    pending = Assessment.objects.filter(round=locked, status__in=UNFINISHED).count()
    _reminded(
        locked,
        pending,
        by=None,
        now=now,
        template="round_reminder",
        context={"days_before": days_before},
        closes=f"it closes in {days_before} day(s), on {locked.closes_on:%Y-%m-%d}",
        days_before=days_before,
    )
    return pending


def _reminded(
    locked: Round,
    pending: int,
    *,
    by: Actor,
    now: dt.datetime,
    template: str,
    context: dict[str, Any],
    closes: str,
    **payload: Any,
) -> None:
    """Record a reminder wave: its event, and the emails to the unfinished products'
    members and the webhook post that follow the commit."""
    event_record(
        round=locked,
        kind=RoundEventKind.REMINDED,
        by=by,
        source=source_of(by),
        now=now,
        mail={
            "template": template,
            "audience": MailAudience.UNFINISHED,
            "context": context,
            "webhook_text": f"Round {locked.label}: {pending} products have not submitted; "
            f"{closes}.",
        },
        pending=pending,
        **payload,
    )


@transaction.atomic(durable=True)
def round_remind_now(*, round: Round, by: Actor, now: dt.datetime | None = None) -> int:
    """An admin's reminder, now, to the members of products that have not submitted
    (beside the scheduled waves, which it does not use up); returns how many products."""
    now = now or timezone.now()
    locked = round_lock(round)
    if locked.status != RoundStatus.OPEN:
        raise ApplicationError(_("Only an open round sends reminders."))
    pending = Assessment.objects.filter(round=locked, status__in=UNFINISHED).count()
    if not pending:
        raise ApplicationError(_("Every targeted product has submitted: nobody to remind."))
    days_left = max((locked.closes_on - today_of(now)).days, 0)
    _reminded(
        locked,
        pending,
        by=by,
        now=now,
        template="round_reminder_now",
        context={"days_left": days_left},
        closes=f"it closes on {locked.closes_on:%Y-%m-%d}",
        manual=True,
    )
    return pending
