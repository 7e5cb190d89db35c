"""Answering and submitting an assessment (DESIGN §2, §3, §7).

Every change of an answer bumps its ``revision`` and is kept as an ``AnswerRevision``.
A change based on an older revision than the stored one is refused with
``AnswerConflict``, which carries the stored answer, so two editors never silently
overwrite each other.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mlopsscore.errors import ApplicationError
from mlopsscore.validators import web_url
from scoring.areas import Unanswered, submission_problems
from scoring.values import NA, normalize_value
from surveys.assessments.resubmission import status_after_change, submitted_value_of
from surveys.assessments.scores import assessment_values, assessments_score_store, version_layout
from surveys.i18n import tr
from surveys.models import (
    Answer,
    AnswerRevision,
    Assessment,
    AssessmentStatus,
    Item,
    RevisionSource,
    Round,
    RoundStatus,
)
from surveys.organisation.selectors import product_editable_by

_url_validator = web_url


class AnswerConflict(ApplicationError):
    """Someone changed the answer since the editor loaded it; ``answer`` is what is stored."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(
            _("Someone else changed this answer since you loaded it. Choose which to keep.")
        )
        self.answer = answer


@dataclass(frozen=True)
class AnswerInput:
    value: str | None
    na_reason: str
    note: str
    evidence_url: str


def _check_editable(assessment: Assessment, by: Any) -> Round:
    """The assessment's round, locked until the transaction ends, if its answers may change.

    The lock serialises this write with a close of the round (``round_close`` takes the
    same lock): a write that waited for a close finds the round closed and is refused.
    """
    round = Round.objects.select_for_update().get(pk=assessment.round_id)
    if round.status == RoundStatus.SCHEDULED:
        raise ApplicationError(_("This round has not opened yet."))
    if round.status != RoundStatus.OPEN:
        raise ApplicationError(_("This round is closed: its answers can no longer change."))
    if not product_editable_by(by, assessment.product_id):
        raise ApplicationError(_("You may not change this assessment."))
    return round


def answer_clean(
    *, item: Item, value: Any, na_reason: str = "", note: str = "", evidence_url: str = ""
) -> AnswerInput:
    """Validate one answer as a person typed it; raises ApplicationError with every problem."""
    problems: list[str] = []
    try:
        normalized = normalize_value(value)
    except ValueError:
        normalized = None
        problems.append(_("Choose 0, 0.5, 1 or N/A."))
    na_reason = (na_reason or "").strip()
    if normalized == NA:
        if not item.na_allowed:
            problems.append(_("N/A is not allowed for %(code)s.") % {"code": item.code})
        elif not na_reason:
            problems.append(_("Give a reason why %(code)s does not apply.") % {"code": item.code})
    else:
        na_reason = ""
    evidence_url = (evidence_url or "").strip()
    if evidence_url:
        try:
            _url_validator(evidence_url)
        except ValidationError:
            problems.append(_("The evidence link must be a web address (http or https)."))
    if problems:
        raise ApplicationError(" ".join(problems), details=problems)
    return AnswerInput(normalized, na_reason, (note or "").strip(), evidence_url)


@transaction.atomic
def answer_set(
    *,
    assessment: Assessment,
    item: Item,
    value: Any,
    na_reason: str = "",
    note: str = "",
    evidence_url: str = "",
    base_revision: int | None,
    by: Any,
    source: str = RevisionSource.WEB,
    keep: Collection[str] = (),
) -> Answer:
    """Set one item's answer. ``base_revision`` is the revision the editor saw.

    Saving what is already stored succeeds whatever the base revision, so a retried
    request whose first attempt got through is not mistaken for a conflict. The text
    fields named in ``keep`` (``na_reason``, ``note``, ``evidence_url``) keep their stored
    text: an autosave that leaves one out does not clear it.
    """
    round = _check_editable(assessment, by)
    if item.version_id != round.version_id:
        raise ApplicationError(_("This item is not part of this assessment's questionnaire."))
    given = {"na_reason": na_reason, "note": note, "evidence_url": evidence_url}
    if not keep:
        wanted = answer_clean(item=item, value=value, **given)
    answer = (
        Answer.objects.select_for_update()
        .filter(assessment=assessment, item=item)
        .annotate(**submitted_value_of(assessment))
        .first()
    )
    if answer is None:  # every item has its row from the round's opening; this is rare
        Answer.objects.get_or_create(assessment=assessment, item=item)
        answer = (
            Answer.objects.select_for_update()
            .annotate(**submitted_value_of(assessment))
            .get(assessment=assessment, item=item)
        )
    if keep:
        kept = {name: getattr(answer, name) for name in given if name in keep}
        wanted = answer_clean(item=item, value=value, **{**given, **kept})
    stored = AnswerInput(answer.value, answer.na_reason, answer.note, answer.evidence_url)
    if stored == wanted:
        return answer
    if base_revision is not None and base_revision != answer.revision:
        raise AnswerConflict(answer)
    now = timezone.now()
    AnswerRevision.objects.create(
        answer=answer,
        by=by,
        at=now,
        old_value=answer.value,
        new_value=wanted.value,
        old_note=answer.note,
        new_note=wanted.note,
        na_reason=wanted.na_reason,
        source=source,
    )
    old_value = answer.value
    answer.value = wanted.value
    answer.na_reason = wanted.na_reason
    answer.note = wanted.note
    answer.evidence_url = wanted.evidence_url
    answer.revision += 1
    answer.updated_at = now
    answer.updated_by = by
    answer.save()
    # A value that differs from the submitted one must be submitted again; a change
    # that ends where it started (the keyboard passing through) leaves it submitted.
    status = status_after_change(assessment, answer=answer, old_value=old_value)
    Assessment.objects.filter(pk=assessment.pk).update(status=status, updated_at=now)
    assessment.status = status
    assessment.updated_at = now
    return answer


def submission_messages(assessment: Assessment) -> list[str]:
    """Why this assessment cannot be submitted (``scoring.areas.submission_problems``),
    in the reader's language (empty: it can be)."""
    layout = version_layout(assessment.round.version)
    by_area = layout.values_by_area(assessment_values(assessment))
    titles = {area.key: tr(area.title) for area in assessment.round.version.areas.all()}
    messages: list[str] = []
    for problem in submission_problems(by_area, layout.policy):
        if isinstance(problem, Unanswered):
            messages.append(
                ngettext(
                    "%(count)d item is still unanswered; answer every item to submit.",
                    "%(count)d items are still unanswered; answer every item to submit.",
                    problem.count,
                )
                % {"count": problem.count}
            )
        else:
            messages.append(
                _("%(area)s: %(count)d items are N/A, at most %(max)d are allowed per area.")
                % {
                    "area": titles.get(problem.area_key, problem.area_key),
                    "count": problem.count,
                    "max": problem.allowed,
                }
            )
    return messages


@transaction.atomic
def assessment_submit(
    *, assessment: Assessment, by: Any, source: str = RevisionSource.WEB
) -> Assessment:
    """Submit a complete assessment and store its scores; re-submitting is allowed while open."""
    _check_editable(assessment, by)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    problems = submission_messages(assessment)
    if problems:
        raise ApplicationError(" ".join(problems), details=problems)
    now = timezone.now()
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = now
    assessment.submitted_by = by
    assessment.updated_at = now
    assessment.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    assessments_score_store(round=assessment.round, assessments=[assessment], source=source)
    return assessment
