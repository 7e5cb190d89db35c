"""Carrying answers forward when a round opens (DESIGN §4), set-based.

A new assessment starts from its product's last submitted assessment of the same
questionnaire, by item key; items that are new, or whose criteria changed since that
answer, start empty and are marked. Every answer is written through ``assessments.writing``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from scoring.rules import NA
from surveys.assessments.models import (
    Answer,
    AnswerRevision,
    Assessment,
    AssessmentStatus,
    CarryStatus,
    NaDecision,
    NaStatus,
    RevisionSource,
)
from surveys.assessments.writing import AnswerChange, answers_change
from surveys.questionnaires.lineage import CHANGED, NEW, SAME
from surveys.questionnaires.models import Item
from surveys.rounds.models import Round

BATCH = 2000


def carry_decision(item: Item, carried: Mapping[str, Any]) -> tuple[Any | None, str]:
    """Which earlier answer (by item key) a new assessment starts from, and its mark.

    ``replaces KEY`` carries KEY's answer, marked; otherwise the same key's answer is
    carried when its criteria still match (or the admin said ``same``), and a reworded
    item (or one the admin said ``changed`` / ``new``) starts empty, marked.
    """
    if item.replaces and (source := carried.get(item.replaces)) is not None:
        return source, CarryStatus.REPLACED.value
    source = carried.get(item.key)
    if source is None or item.lineage_override == NEW:
        return None, CarryStatus.NEW.value
    if item.lineage_override == CHANGED:
        return None, CarryStatus.CHANGED.value
    if item.lineage_override == SAME or source.digest == item.criteria_digest:
        return source, CarryStatus.CARRIED.value
    return None, CarryStatus.CHANGED.value


def chunks(values: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def last_submitted(product_ids: Sequence[int], round: Round) -> dict[int, int]:
    """Per product, its last submitted assessment of this questionnaire before ``round``."""
    found: dict[int, int] = {}
    for chunk in chunks(list(product_ids)):
        rows = (
            Assessment.objects.filter(
                product_id__in=chunk,
                round__questionnaire_id=round.questionnaire_id,
                round__opens_on__lt=round.opens_on,
                status=AssessmentStatus.SUBMITTED,
            )
            .exclude(round_id=round.pk)
            .order_by("product_id", "-round__opens_on", "-submitted_at")
            .values_list("product_id", "id")
        )
        for product_id, assessment_id in rows:
            found.setdefault(product_id, assessment_id)
    return found


@dataclass
class _Carried:
    value: str | None
    na_reason: str
    note: str
    evidence_url: str
    digest: str


def carried_answers(source_ids: Sequence[int]) -> dict[int, dict[str, _Carried]]:
    """Per source assessment, its answers by item key."""
    found: dict[int, dict[str, _Carried]] = defaultdict(dict)
    for chunk in chunks(list(source_ids)):
        rows = Answer.objects.filter(assessment_id__in=chunk).values_list(
            "assessment_id",
            "item__key",
            "value",
            "na_reason",
            "note",
            "evidence_url",
            "item__criteria_digest",
        )
        for assessment_id, key, value, na_reason, note, url, digest in rows:
            found[assessment_id][key] = _Carried(value, na_reason, note, url, digest)
    return found


def answer_rows(
    items: Sequence[Item], carried: dict[str, _Carried] | None, assessment_id: int, now: dt.datetime
) -> list[dict[str, Any]]:
    """The answers of a new assessment, carried by lineage (``carry_decision``), as rows for
    ``assessments.writing.answers_insert``."""
    rows = []
    for item in items:
        source, carry = (None, CarryStatus.NONE.value)
        if carried is not None:
            source, carry = carry_decision(item, carried)
        row: dict[str, Any] = {"assessment_id": assessment_id, "item_id": item.pk}
        if source is not None:
            row.update(
                value=source.value,
                na_reason=source.na_reason,
                note=source.note,
                evidence_url=source.evidence_url,
            )
        rows.append({**row, "carry": carry, "revision": 0, "updated_at": now})
    return rows


def carry_revisions(round: Round, now: dt.datetime) -> int:
    """One revision (source ``carry``) per carried answer, in a single statement."""
    revision = AnswerRevision._meta.db_table
    answer = Answer._meta.db_table
    assessment = Assessment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {revision} "
            "(answer_id, by_id, at, old_value, new_value, old_note, new_note, na_reason, source) "
            f"SELECT a.id, NULL, %s, NULL, a.value, '', a.note, a.na_reason, %s FROM {answer} a "
            f"WHERE a.carry IN (%s, %s) AND a.assessment_id IN "
            f"(SELECT id FROM {assessment} WHERE round_id = %s)",
            [
                connection.ops.adapt_datetimefield_value(now),
                RevisionSource.CARRY.value,
                CarryStatus.CARRIED.value,
                CarryStatus.REPLACED.value,
                round.pk,
            ],
        )
        return int(cursor.rowcount)


def na_carry_apply(*, round: Round, now: dt.datetime) -> int:
    """Called by the carry-forward when ``round`` opens, after its answers are inserted.

    A carried N/A keeps its approval, one round shorter; an expired approval makes the
    item start empty (marked ``na_expired``). Returns how many N/A expired.
    """
    carried = list(
        Answer.objects.filter(
            assessment__round=round, value=NA, carry=CarryStatus.CARRIED
        ).values_list("id", "item__key", "na_reason", "assessment__carried_from_id")
    )
    if not carried:
        return 0
    latest: dict[tuple[int, str], NaDecision] = {}
    for decision in (
        NaDecision.objects.filter(answer__assessment_id__in={row[3] for row in carried})
        .select_related("answer__item")
        .order_by("at", "id")
    ):
        latest[(decision.answer.assessment_id, decision.answer.item.key)] = decision
    expired, kept = [], []
    for answer_id, key, reason, source in carried:
        found = latest.get((source or 0, key))
        if found is None or found.status != NaStatus.APPROVED or found.na_reason != reason:
            continue  # never approved: pending again in the new round
        decision = found
        if decision.expired_in(round):
            expired.append(answer_id)
            continue
        kept.append(
            NaDecision(
                answer_id=answer_id,
                status=NaStatus.APPROVED,
                na_reason=reason,
                comment=decision.comment,
                by=decision.by,
                at=now,
                expires_on=decision.expires_on,
                rounds_left=None if decision.rounds_left is None else decision.rounds_left - 1,
                carried_from=decision,
            )
        )
    NaDecision.objects.bulk_create(kept, batch_size=5000)
    # The item starts empty, and the change is recorded like every other (DESIGN §4).
    answers_change(
        [
            AnswerChange(answer, None, "", carry=CarryStatus.NA_EXPIRED)
            for answer in Answer.objects.filter(pk__in=expired)
        ],
        by=None,
        at=now,
        source=RevisionSource.CARRY,
    )
    return len(expired)
