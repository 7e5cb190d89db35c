"""Closing a round (on its date or early) and re-scoring a closed one (DESIGN §3, §4)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.assessments.models import (
    Assessment,
    AssessmentStatus,
    RevisionSource,
)
from surveys.core.actors import Actor
from surveys.core.errors import ApplicationError
from surveys.rounds.models import Round, RoundEventKind, RoundStatus
from surveys.rounds.selectors import (
    today_of,
)
from surveys.rounds.services.common import round_lock, source_of
from surveys.rounds.services.freezing import (
    FreezeResult,
    assessments_freeze,
    event_record,
)

CloseResult = FreezeResult


@transaction.atomic(durable=True)
def round_close(
    *, round: Round, now: dt.datetime | None = None, by: Actor = None, notify: bool = True
) -> CloseResult | None:
    """Freeze an open round: non-response recorded, scores stored, regressions flagged,
    all in one transaction; the report and the emails follow its commit. None when it
    was not open (closed already by someone else)."""
    locked = round_lock(round)
    # Read the time once the lock is held: every write that went before has committed.
    now = now or timezone.now()
    if locked.status != RoundStatus.OPEN:
        return None
    Round.objects.filter(pk=locked.pk).update(status=RoundStatus.CLOSED, closed_at=now)
    round.refresh_from_db()
    return assessments_freeze(
        round=round,
        kind=RoundEventKind.CLOSED,
        by=by,
        source=source_of(by),
        now=now,
        notify=notify,
    )


@transaction.atomic(durable=True)
def round_rescore(
    *, round: Round, by: Actor, now: dt.datetime | None = None, source: str = RevisionSource.ADMIN
) -> int:
    """Re-compute the stored scores of a closed round: an explicit, recorded admin action."""
    now = now or timezone.now()
    locked = round_lock(round)
    if locked.status != RoundStatus.CLOSED:
        raise ApplicationError(
            _("Only a closed round can be re-scored; an open round scores as it goes.")
        )
    before = dict(
        Assessment.objects.filter(round=locked, status=AssessmentStatus.SUBMITTED).values_list(
            "pk", "final_score"
        )
    )
    result = assessments_freeze(
        round=locked, kind=RoundEventKind.RESCORED, by=by, source=source, now=now, notify=False
    )
    after = dict(Assessment.objects.filter(pk__in=list(before)).values_list("pk", "final_score"))
    assert result.event is not None
    result.event.details["changed"] = sum(
        1 for pk, final in after.items() if before.get(pk) != final
    )
    result.event.save(update_fields=["details"])
    return result.scored


@transaction.atomic(durable=True)
def round_close_early(*, round: Round, by: Actor, now: dt.datetime | None = None) -> None:
    """Ask for an open round to close now. The close date moves to yesterday, so that if
    the close task cannot be queued the next periodic tick closes it anyway."""
    now = now or timezone.now()
    locked = round_lock(round)
    if locked.status != RoundStatus.OPEN:
        raise ApplicationError(_("Only an open round can be closed."))
    yesterday = today_of(now) - dt.timedelta(days=1)
    # The close date stays after the open date (a database rule): a round opened today
    # keeps its date and is closed by the task the page queues.
    closes_on = max(min(locked.closes_on, yesterday), locked.opens_on + dt.timedelta(days=1))
    Round.objects.filter(pk=locked.pk).update(closes_on=closes_on)
    event_record(
        round=locked,
        kind=RoundEventKind.CLOSE_REQUESTED,
        by=by,
        source=source_of(by),
        now=now,
        mail=None,
        **{"from": str(locked.closes_on), "to": str(closes_on)},
    )
    round.refresh_from_db()
