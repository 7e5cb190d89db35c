"""Opening a round: a draft assessment per targeted product, carried forward (DESIGN §4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from surveys.assessments.models import (
    Assessment,
    AssessmentStatus,
    CarryStatus,
)
from surveys.assessments.writing import answers_insert
from surveys.core.actors import Actor
from surveys.questionnaires.models import Item
from surveys.rounds import carry
from surveys.rounds.models import MailAudience, Round, RoundEventKind, RoundStatus
from surveys.rounds.selectors import (
    products_targetable,
)
from surveys.rounds.services.common import round_lock, source_of
from surveys.rounds.services.freezing import (
    event_record,
)


@dataclass
class OpenResult:
    assessments: int = 0
    carried: int = 0
    new: int = 0
    changed: int = 0
    na_expired: int = 0


@transaction.atomic
def round_open(
    *, round: Round, now: dt.datetime | None = None, by: Actor = None, notify: bool = True
) -> OpenResult | None:
    """Open a scheduled round: one assessment per targeted product, carried forward.

    Returns None when the round was not scheduled (already opened by someone else).
    """
    now = now or timezone.now()
    locked = round_lock(round)
    if locked.status != RoundStatus.SCHEDULED:
        return None
    Round.objects.filter(pk=locked.pk).update(status=RoundStatus.OPEN, opened_at=now)
    round.refresh_from_db()
    if not round.products.exists():
        # A round scheduled by the cadence targets every active product at opening.
        round.products.add(*products_targetable().values_list("pk", flat=True))
    product_ids = list(
        round.products.exclude(assessments__round=round).values_list("pk", flat=True)
    )
    result = OpenResult()
    items = list(Item.objects.filter(version_id=round.version_id).order_by("position"))
    sources = carry.last_submitted(product_ids, round)
    for chunk in carry.chunks(product_ids):
        created = Assessment.objects.bulk_create(
            [
                Assessment(
                    round=round,
                    product_id=product_id,
                    status=AssessmentStatus.NOT_STARTED,
                    carried_from_id=sources.get(product_id),
                    created_at=now,
                    updated_at=now,
                )
                for product_id in chunk
            ]
        )
        carried = carry.carried_answers([a.carried_from_id for a in created if a.carried_from_id])
        rows: list[dict[str, Any]] = []
        for assessment in created:
            source = None
            if assessment.carried_from_id:
                source = carried.get(assessment.carried_from_id, {})
            rows.extend(carry.answer_rows(items, source, assessment.pk, now))
        answers_insert(rows)
        result.assessments += len(created)
        result.new += sum(1 for row in rows if row["carry"] == CarryStatus.NEW)
        result.changed += sum(1 for row in rows if row["carry"] == CarryStatus.CHANGED)
    result.na_expired = carry.na_carry_apply(round=round, now=now)
    result.carried = carry.carry_revisions(round, now)
    event_record(
        round=round,
        kind=RoundEventKind.OPENED,
        by=by,
        source=source_of(by),
        now=now,
        mail={
            "template": "round_opened",
            "audience": MailAudience.EVERYONE,
            "webhook_text": f"Round {round.label} is open: {result.assessments} products, "
            f"closes on {round.closes_on:%Y-%m-%d}.",
        }
        if notify
        else None,
        assessments=result.assessments,
        carried=result.carried,
        new=result.new,
        changed=result.changed,
    )
    return result
