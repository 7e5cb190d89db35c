"""Answering and submitting an assessment (DESIGN §2, §3, §7).

Every change of an answer bumps its ``revision`` and is kept as an ``AnswerRevision``.
A change based on an older revision than the stored one is refused with
``AnswerConflict``, which carries the stored answer, so two editors never silently
overwrite each other.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scoring.areas import Unanswered, submission_problems
from scoring.values import NA, normalize_value
from surveys.assessments.models import (
    Answer,
    AnswerRevision,
    Assessment,
    AssessmentStatus,
    RevisionSource,
)
from surveys.assessments.scores import assessment_values, assessments_score_store, version_layout
from surveys.assessments.selectors import edit_refusal
from surveys.assessments.writing import submissions_record, submissions_restore
from surveys.core.actors import Actor
from surveys.core.errors import ApplicationError
from surveys.core.i18n import tr
from surveys.core.joined import Joined, column, table
from surveys.core.validators import web_url
from surveys.questionnaires.models import Item

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


class NotEditable(ApplicationError):
    """The assessment may not change now (the round is not open, or the person may not)."""


def round_locked_for_edit(assessment: Assessment, by: Actor) -> Any:
    """The assessment's round, locked until the transaction ends, if ``by`` may change its
    answers now (``edit_refusal``); raises ``NotEditable`` otherwise. ``assessment`` takes
    the status read with it.

    The lock serialises this write with a close of the round (``round_close`` takes the
    row ``FOR UPDATE``): a write that waited for a close finds the round closed and is
    refused. It is a *shared* lock (``FOR SHARE``), so writes to one round never wait for
    each other: on deadline day every autosave of the round takes it, and an exclusive
    lock queued them one commit after another.
    """
    locked = _round_share_locked(assessment.pk)
    refusal = edit_refusal(by, assessment, locked)
    if refusal:
        raise NotEditable(refusal)
    assessment.status = locked.assessment_status  # type: ignore[attr-defined]
    return locked


def _round_share_locked(assessment_pk: int) -> Any:
    """The assessment's round with the assessment's status (``assessment_status``), the
    round's row locked ``FOR SHARE`` on PostgreSQL, in one query. (Django's
    ``select_for_update`` only takes exclusive locks; SQLite has no row locks and
    serialises writers itself.)"""
    round_model: Any = Assessment._meta.get_field("round").related_model  # rounds stand above
    rounds, assessments = round_model._meta.db_table, Assessment._meta.db_table
    lock = f" FOR SHARE OF {rounds}" if connection.vendor == "postgresql" else ""
    found = list(
        round_model._default_manager.raw(
            f"SELECT {rounds}.*, {assessments}.status AS assessment_status "
            f"FROM {rounds} JOIN {assessments} ON {assessments}.round_id = {rounds}.id "
            f"WHERE {assessments}.id = %s{lock}",
            [assessment_pk],
        )
    )
    if not found:
        raise Assessment.DoesNotExist(f"No assessment {assessment_pk}.")
    return found[0]


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
    by: Actor,
    source: str = RevisionSource.WEB,
    keep: Collection[str] = (),
) -> Answer:
    """Set one item's answer. ``base_revision`` is the revision the editor saw.

    Saving what is already stored succeeds whatever the base revision, so a retried
    request whose first attempt got through is not mistaken for a conflict. The text
    fields named in ``keep`` (``na_reason``, ``note``, ``evidence_url``) keep their stored
    text: an autosave that leaves one out does not clear it.
    """
    round = round_locked_for_edit(assessment, by)
    if item.version_id != round.version_id:
        raise ApplicationError(_("This item is not part of this assessment's questionnaire."))
    given = {"na_reason": na_reason, "note": note, "evidence_url": evidence_url}
    if not keep:
        wanted = answer_clean(item=item, value=value, **given)
    answer = _answer_locked(assessment.pk, item.pk)
    if answer is None:  # every item has its row from the round's opening; this is rare
        Answer.objects.get_or_create(assessment=assessment, item=item)
        answer = Answer.objects.select_for_update().get(assessment=assessment, item=item)
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
    differed = answer.differs_from_submission
    answer.value = wanted.value
    answer.na_reason = wanted.na_reason
    answer.note = wanted.note
    answer.evidence_url = wanted.evidence_url
    answer.revision += 1
    answer.updated_at = now
    answer.updated_by = by
    answer.save()
    _after_change(assessment, answer, differed, now)
    return answer


def _answer_locked(assessment_pk: int, item_pk: int) -> Answer | None:
    """The item's answer, its row locked ``FOR UPDATE`` until the transaction ends (on
    PostgreSQL), or None. A statement written once per process: every autosave reads it,
    and the ORM compiled it anew each time."""
    sql, joined = _answer_read()
    found = joined.read(sql, [assessment_pk, item_pk])
    return None if found is None else found[0][0]


@lru_cache(maxsize=1)
def _answer_read() -> tuple[str, Joined]:
    joined = Joined([(Answer, "ans")])
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    sql = (
        f"SELECT {joined.columns} FROM {table(Answer)} ans "
        f"WHERE ans.{column(Answer, 'assessment')} = %s AND ans.{column(Answer, 'item')} = %s"
        f"{lock}"
    )
    return sql, joined


def _after_change(assessment: Assessment, answer: Answer, differed: bool, now: Any) -> None:
    """A submitted assessment stays submitted (DESIGN §2): it counts the answers that no
    longer are what was submitted (a change that ends where it started, the keyboard
    passing through, counts nothing). Anything else is a draft."""
    if assessment.status != AssessmentStatus.SUBMITTED:
        Assessment.objects.filter(pk=assessment.pk).update(
            status=AssessmentStatus.DRAFT, updated_at=now
        )
        assessment.status = AssessmentStatus.DRAFT
        assessment.updated_at = now
        return
    step = int(answer.differs_from_submission) - int(differed)
    assessment.unsubmitted_changes = _unsubmitted_count_add(assessment, step, now)
    assessment.updated_at = now


def _unsubmitted_count_add(assessment: Assessment, step: int, now: Any) -> int:
    """Add ``step`` to the count in the database itself (two people may be saving answers
    of one assessment at once) and read the result in the same statement.

    A count that would fall below zero was written around this service (a raw restore, a
    hand-made fix in the database): it is counted afresh from the answers instead, so the
    save goes through with the true figure rather than failing on the count's check."""
    table = Assessment._meta.db_table
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET unsubmitted_changes = unsubmitted_changes + %s, updated_at = %s "
            "WHERE id = %s AND unsubmitted_changes + %s >= 0 RETURNING unsubmitted_changes",
            [step, at, assessment.pk, step],
        )
        row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        count = sum(
            1
            for answer in Answer.objects.filter(assessment=assessment)
            if answer.differs_from_submission
        )
        cursor.execute(
            f"UPDATE {table} SET unsubmitted_changes = %s, updated_at = %s WHERE id = %s",
            [count, at, assessment.pk],
        )
        return count


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


@transaction.atomic(durable=True)
def assessment_submit(
    *, assessment: Assessment, by: Actor, source: str = RevisionSource.WEB
) -> Assessment:
    """Submit a complete assessment and store its scores. Submitting again replaces the
    last submission (DESIGN §2): the answers as they are now are what counts."""
    round_locked_for_edit(assessment, by)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    problems = submission_messages(assessment)
    if problems:
        raise ApplicationError(" ".join(problems), details=problems)
    now = timezone.now()
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = now
    assessment.submitted_by = by
    assessment.updated_at = now
    assessment.unsubmitted_changes = 0
    assessment.save(
        update_fields=[
            "status",
            "submitted_at",
            "submitted_by",
            "updated_at",
            "unsubmitted_changes",
        ]
    )
    submissions_record(Assessment.objects.filter(pk=assessment.pk), at=now, by=by)
    assessments_score_store(round=assessment.round, assessments=[assessment], source=source)
    return assessment


@transaction.atomic(durable=True)
def assessment_discard(
    *, assessment: Assessment, by: Actor, source: str = RevisionSource.WEB
) -> int:
    """Undo the unsubmitted changes of a submitted assessment: every answer goes back to
    what was last submitted, each change recorded (DESIGN §2). Returns how many answers
    changed back."""
    round_locked_for_edit(assessment, by)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ApplicationError(_("There is no submission to go back to: submit first."))
    now = timezone.now()
    restored = submissions_restore(
        Answer.objects.select_for_update().filter(assessment=assessment),
        by=by,
        at=now,
        source=source,
    )
    assessment.unsubmitted_changes = 0
    assessment.updated_at = now
    assessment.save(update_fields=["unsubmitted_changes", "updated_at"])
    return restored
