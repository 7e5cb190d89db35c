"""Every write of many answers at once, set-based, and its revisions (DESIGN §4: every
change of an answer is recorded). A person's one answer goes through
``services.answer_set``; opening a round (the carry), an N/A approval that expired, an
answers file and the demo write many at a time, through here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, models
from django.db.models import F, QuerySet

from surveys.assessments.models import Answer, AnswerRevision, Assessment, Submission
from surveys.core.actors import Actor

BATCH = 5000
# An answer's state as last submitted, field by field (DESIGN §2).
SUBMITTED_FIELDS = [
    "submitted_value",
    "submitted_na_reason",
    "submitted_note",
    "submitted_evidence_url",
]


def answer_as_submitted(answer: Answer) -> None:
    """The answer as it is now becomes its submitted state (not saved)."""
    answer.submitted_value = answer.value
    answer.submitted_na_reason = answer.na_reason
    answer.submitted_note = answer.note
    answer.submitted_evidence_url = answer.evidence_url


def submissions_record(assessments: QuerySet[Assessment], *, at: datetime, by: Actor) -> None:
    """Every answer of these assessments, as it is now, is what they submitted, and each
    submission is kept (``Submission``, DESIGN §5: initiatives read their history): a few
    statements, set-based (a submission, the demo)."""
    assessments.update(unsubmitted_changes=0)
    Answer.objects.filter(assessment__in=assessments).update(
        submitted_value=F("value"),
        submitted_na_reason=F("na_reason"),
        submitted_note=F("note"),
        submitted_evidence_url=F("evidence_url"),
    )
    submissions_log(assessments.values_list("pk", flat=True), at=at, by=by)


def submissions_log(assessment_ids: Iterable[int], *, at: datetime, by: Actor) -> None:
    """One ``Submission`` per assessment, made at ``at`` (whoever writes the answers as
    submitted writes them; a historical round's file records them at its close)."""
    by_id = getattr(by, "pk", None)
    rows_insert(
        Submission,
        ({"assessment_id": pk, "at": at, "by_id": by_id} for pk in assessment_ids),
    )


def submissions_void(assessment_ids: Iterable[int], *, at: datetime) -> int:
    """These assessments' submissions no longer stand (an N/A rejected in one, an import
    that left one incomplete): they stop counting from ``at``. Returns how many."""
    return Submission.objects.filter(
        assessment_id__in=list(assessment_ids), voided_at__isnull=True
    ).update(voided_at=at)


def submissions_restore(answers: Iterable[Answer], *, by: Actor, at: datetime, source: str) -> int:
    """Undo the unsubmitted changes of these answers: each goes back to what was last
    submitted, the change recorded like any other. Returns how many changed."""
    return answers_change(
        [
            AnswerChange(
                answer,
                answer.submitted_value,
                answer.submitted_na_reason,
                note=answer.submitted_note,
                evidence_url=answer.submitted_evidence_url,
            )
            for answer in answers
            if answer.differs_from_submission
        ],
        by=by,
        at=at,
        source=source,
    )


def rows_insert(model: type[models.Model], rows: Iterable[dict[str, object]]) -> None:
    """Insert many rows, given as field attnames to values (the others get their default).

    PostgreSQL gets them through COPY: at a few hundred thousand answers that is several
    times faster than ``bulk_create``, which builds a model instance per row.
    """
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql":
        batch: list[models.Model] = []
        for row in rows:
            batch.append(model(**row))
            if len(batch) >= BATCH:
                model.objects.bulk_create(batch)  # type: ignore[attr-defined]
                batch = []
        model.objects.bulk_create(batch)  # type: ignore[attr-defined]
        return
    defaults = {f.attname: f.get_default() for f in fields}
    names = [f.attname for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[name] if name in row else defaults[name] for name in names])


def answers_insert(rows: Iterable[dict[str, object]]) -> None:
    """New answers (a round's opening, a historical round): the rows are their first
    state, so they have no earlier value to record; whoever inserts carried values
    records where they came from (``rounds.carry.carry_revisions``)."""
    rows_insert(Answer, rows)


@dataclass(frozen=True)
class AnswerChange:
    """What one stored answer becomes; ``note``, ``evidence_url`` and ``carry`` None keep
    what is stored. ``submitted``: the change is itself the record of a submission (an
    answers file of a closed round), so the answer's submitted state follows it."""

    answer: Answer
    value: str | None
    na_reason: str = ""
    note: str | None = None
    evidence_url: str | None = None
    carry: str | None = None
    submitted: bool = False


def answers_change(changes: Sequence[AnswerChange], *, by: Actor, at: datetime, source: str) -> int:
    """Apply many changes of stored answers in two statements: the answers (value, reason,
    note, mark, revision count) and one revision each (old → new). A change to what is
    already stored is no change. Returns how many answers changed."""
    changed: list[Answer] = []
    revisions: list[AnswerRevision] = []
    for change in changes:
        answer = change.answer
        note = answer.note if change.note is None else change.note
        url = answer.evidence_url if change.evidence_url is None else change.evidence_url
        carry = answer.carry if change.carry is None else change.carry
        before = (answer.value, answer.na_reason, answer.note, answer.evidence_url, answer.carry)
        if before == (change.value, change.na_reason, note, url, carry):
            continue
        revisions.append(
            AnswerRevision(
                answer_id=answer.pk,
                by=by,
                at=at,
                old_value=answer.value,
                new_value=change.value,
                old_note=answer.note,
                new_note=note,
                na_reason=change.na_reason,
                source=source,
            )
        )
        answer.value, answer.na_reason, answer.note = change.value, change.na_reason, note
        answer.evidence_url, answer.carry = url, carry
        if change.submitted:
            answer_as_submitted(answer)
        answer.revision += 1
        answer.updated_at = at
        answer.updated_by = by
        changed.append(answer)
    Answer.objects.bulk_update(changed, CHANGED_FIELDS, batch_size=2000)
    AnswerRevision.objects.bulk_create(revisions, batch_size=BATCH)
    activity_record({answer.assessment_id for answer in changed}, at=at)
    return len(changed)


def activity_record(assessment_ids: Iterable[int], *, at: datetime) -> None:
    """A change of their answers is these assessments' last activity (``updated_at``), as
    a person's save is: an open round's report counts answers as they are under a stamp
    made of it (``reports.figures.caching``), so no answer changes without it."""
    ids = sorted(set(assessment_ids))
    for start in range(0, len(ids), BATCH):
        Assessment.objects.filter(pk__in=ids[start : start + BATCH]).update(updated_at=at)


CHANGED_FIELDS = [
    "value",
    "na_reason",
    "note",
    "evidence_url",
    "carry",
    "revision",
    "updated_at",
    "updated_by",
    *SUBMITTED_FIELDS,
]


def answers_create(answers: Sequence[Answer], *, by: Actor, at: datetime, source: str) -> None:
    """Answers missing from an assessment, created with their value and a revision each
    for those that have one (None → value)."""
    Answer.objects.bulk_create(answers, batch_size=BATCH)
    activity_record({answer.assessment_id for answer in answers}, at=at)
    valued = [a for a in answers if a.value is not None]
    if not valued:
        return
    if any(a.pk is None for a in valued):
        # Not every database returns the ids of a bulk insert: read them back.
        keys = {(a.assessment_id, a.item_id) for a in valued}
        found = {
            (assessment_id, item_id): pk
            for pk, assessment_id, item_id in Answer.objects.filter(
                assessment_id__in={a for a, _ in keys}
            ).values_list("id", "assessment_id", "item_id")
            if (assessment_id, item_id) in keys
        }
        for answer in valued:
            if answer.pk is None:
                answer.pk = found[(answer.assessment_id, answer.item_id)]
    AnswerRevision.objects.bulk_create(
        [
            AnswerRevision(
                answer_id=answer.pk,
                by=by,
                at=at,
                old_value=None,
                new_value=answer.value,
                old_note="",
                new_note=answer.note,
                na_reason=answer.na_reason,
                source=source,
            )
            for answer in valued
        ],
        batch_size=BATCH,
    )
