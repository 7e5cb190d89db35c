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

from surveys.assessments.models import Answer, AnswerRevision
from surveys.core.actors import Actor

BATCH = 5000


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
    """What one stored answer becomes; ``note`` and ``carry`` None keep what is stored."""

    answer: Answer
    value: str | None
    na_reason: str = ""
    note: str | None = None
    carry: str | None = None


def answers_change(changes: Sequence[AnswerChange], *, by: Actor, at: datetime, source: str) -> int:
    """Apply many changes of stored answers in two statements: the answers (value, reason,
    note, mark, revision count) and one revision each (old → new). A change to what is
    already stored is no change. Returns how many answers changed."""
    changed: list[Answer] = []
    revisions: list[AnswerRevision] = []
    for change in changes:
        answer = change.answer
        note = answer.note if change.note is None else change.note
        carry = answer.carry if change.carry is None else change.carry
        if (answer.value, answer.na_reason, answer.note, answer.carry) == (
            change.value,
            change.na_reason,
            note,
            carry,
        ):
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
        answer.value, answer.na_reason, answer.note, answer.carry = (
            change.value,
            change.na_reason,
            note,
            carry,
        )
        answer.revision += 1
        answer.updated_at = at
        answer.updated_by = by
        changed.append(answer)
    Answer.objects.bulk_update(
        changed,
        ["value", "na_reason", "note", "carry", "revision", "updated_at", "updated_by"],
        batch_size=2000,
    )
    AnswerRevision.objects.bulk_create(revisions, batch_size=BATCH)
    return len(changed)


def answers_create(answers: Sequence[Answer], *, by: Actor, at: datetime, source: str) -> None:
    """Answers missing from an assessment, created with their value and a revision each
    for those that have one (None → value)."""
    Answer.objects.bulk_create(answers, batch_size=BATCH)
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
