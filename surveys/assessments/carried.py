"""Answers carried forward from the last submitted round (DESIGN §4).

An assessment opened with carried answers asks its team to review them: the items that
are new, or whose criteria changed, start empty and are listed first; the carried ones
that still hold are confirmed in one action.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from surveys.assessments.models import Answer, Assessment, AssessmentStatus, CarryStatus
from surveys.assessments.selectors import AreaBlock, ItemRow
from surveys.assessments.services import round_locked_for_edit
from surveys.core.actors import Actor

# Answers taken from the last submission: same item, or the item this one replaces.
_CARRIED = (CarryStatus.CARRIED, CarryStatus.REPLACED)


@dataclass
class CarriedSummary:
    round_label: str
    to_review: int
    fresh: list[ItemRow] = field(default_factory=list)


def _unconfirmed(rows: list[ItemRow]) -> list[ItemRow]:
    """Carried answers nobody has touched since the round opened."""
    return [r for r in rows if r.carry in _CARRIED and r.revision == 0]


def carried_summary(assessment: Assessment, areas: list[AreaBlock]) -> CarriedSummary | None:
    """What the team should review, or None when nothing was carried into this assessment."""
    if assessment.carried_from_id is None:
        return None
    if assessment.submitted_at is not None:
        # Submitting confirms every answer, carried ones included: nothing left to review.
        return None
    rows = [row for area in areas for row in area.rows]
    label = (
        Assessment.objects.filter(pk=assessment.carried_from_id)
        .values_list("round__label", flat=True)
        .first()
    )
    return CarriedSummary(
        round_label=label or "",
        to_review=len(_unconfirmed(rows)),
        fresh=[
            r for r in rows if r.carry in (CarryStatus.NEW, CarryStatus.CHANGED) and r.value is None
        ],
    )


@transaction.atomic(durable=True)
def carried_answers_confirm(*, assessment: Assessment, by: Actor) -> int:
    """Confirm every carried answer nobody changed; returns how many.

    Values do not change, so no revision is written: the answers simply stop asking
    for review, and the assessment becomes a draft the team can submit.
    """
    round_locked_for_edit(assessment, by)
    now = timezone.now()
    count = Answer.objects.filter(assessment=assessment, carry__in=_CARRIED, revision=0).update(
        carry=CarryStatus.NONE, updated_at=now, updated_by=by
    )
    Assessment.objects.filter(pk=assessment.pk, status=AssessmentStatus.NOT_STARTED).update(
        status=AssessmentStatus.DRAFT, updated_at=now
    )
    return count
