"""What every round service shares: who acted, the round's lock, the no-overlap rule."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from surveys.assessments.models import (
    AssessmentStatus,
    RevisionSource,
)
from surveys.core.actors import Actor
from surveys.core.errors import ApplicationError
from surveys.rounds.models import Round
from surveys.rounds.selectors import (
    rounds_overlapping,
)
from surveys.rounds.services.freezing import (
    person,
)

UNFINISHED = (AssessmentStatus.NOT_STARTED, AssessmentStatus.DRAFT)


def source_of(by: Actor) -> str:
    """A person acting is an admin in the app's pages; nobody is the periodic job."""
    return RevisionSource.ADMIN if person(by) else RevisionSource.JOB


def round_lock(round: Round | int) -> Round:
    """The round row, locked until the transaction ends: every write of a round's answers,
    submissions and scores takes it first, so a close and a write never interleave."""
    pk = round if isinstance(round, int) else round.pk
    return Round.objects.select_for_update().select_related("version", "questionnaire").get(pk=pk)


def overlap_check(
    *, questionnaire_id: int, opens_on: dt.date, closes_on: dt.date, exclude_id: int | None
) -> None:
    other = rounds_overlapping(
        questionnaire_id=questionnaire_id,
        opens_on=opens_on,
        closes_on=closes_on,
        exclude_id=exclude_id,
    ).first()
    if other is not None:
        raise ApplicationError(
            _(
                "Rounds of one questionnaire never overlap: %(label)s runs from %(opens)s "
                "to %(closes)s."
            )
            % {"label": other.label, "opens": other.opens_on, "closes": other.closes_on}
        )
