"""Whether a submitted assessment's answers still are what was submitted.

A person moving through the choices with the keyboard (ArrowDown, then ArrowUp back to
where it was) changes an answer and changes it back. That is no change: the assessment
stays submitted. Only a value that really differs from the submitted one makes it a
draft that must be submitted again.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Subquery

from surveys.assessments.models import Answer, AnswerRevision, Assessment, AssessmentStatus


def differs_from_submission(assessment: Assessment) -> bool:
    """True when an answer's value differs from its value at the last submission.

    Every change is a revision, so the value an answer had when it was submitted is the
    old value of its first revision after ``submitted_at``; its value now is the new
    value of its last one. One query, over the revisions since the submission only.
    """
    if assessment.submitted_at is None:
        return True
    submitted: dict[int, str | None] = {}
    now: dict[int, str | None] = {}
    for answer_id, old, new in (
        AnswerRevision.objects.filter(
            answer__assessment_id=assessment.pk, at__gt=assessment.submitted_at
        )
        .order_by("at", "id")
        .values_list("answer_id", "old_value", "new_value")
    ):
        submitted.setdefault(answer_id, old)
        now[answer_id] = new
    return any(submitted[pk] != now[pk] for pk in submitted)


def submitted_value_of(assessment: Assessment) -> dict[str, Any]:
    """Annotations that read, with an answer, whether it changed since the assessment was
    last submitted and the value it had then (the old value of its first revision since)."""
    if assessment.submitted_at is None:
        return {}
    since = AnswerRevision.objects.filter(
        answer=OuterRef("pk"), at__gt=assessment.submitted_at
    ).order_by("at", "id")
    return {
        "changed_since_submission": Exists(since),
        "submitted_value": Subquery(since.values("old_value")[:1]),
    }


def status_after_change(assessment: Assessment, *, answer: Answer, old_value: str | None) -> str:
    """The status an assessment takes once ``answer`` went from ``old_value`` to its value
    (the change's revision already written), ``answer`` read with ``submitted_value_of``.

    While it is submitted every answer still has its submitted value, so only this one
    change can make a difference. A draft that was submitted before becomes submitted
    again only when this answer is back at its submitted value and no other differs: only
    then are the revisions since the submission read.
    """
    if assessment.submitted_at is None:
        return AssessmentStatus.DRAFT
    if assessment.status == AssessmentStatus.SUBMITTED:
        return AssessmentStatus.SUBMITTED if old_value == answer.value else AssessmentStatus.DRAFT
    at_submission = (
        answer.submitted_value  # type: ignore[attr-defined]
        if getattr(answer, "changed_since_submission", False)
        else old_value
    )
    if answer.value != at_submission or differs_from_submission(assessment):
        return AssessmentStatus.DRAFT
    return AssessmentStatus.SUBMITTED
