"""Writes of the reports app: the snapshot of a round's report, stored when it closes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from surveys.models import Assessment, AssessmentStatus, Round, RoundReport


def round_summary(*, round: Round) -> dict[str, Any]:
    """The round's headline figures (the reports app builds the full trend from these)."""
    figures = Assessment.objects.filter(round=round).aggregate(
        targeted=Count("id"),
        submitted=Count("id", filter=Q(status=AssessmentStatus.SUBMITTED)),
        scored=Count("id", filter=Q(final_score__isnull=False)),
        mean=Avg("final_score"),
    )
    return {
        "label": round.label,
        "date": round.opens_on.isoformat(),
        "status": round.status,
        "version": round.version.label,
        **figures,
    }


@transaction.atomic
def round_report_store(*, round: Round) -> RoundReport:
    report, _ = RoundReport.objects.update_or_create(
        round=round, defaults={"data": round_summary(round=round), "built_at": timezone.now()}
    )
    return report
