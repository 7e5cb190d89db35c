"""Reads of the review loop."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from surveys.models import Assessment, AssessmentStatus, QueryState, ReviewQuery


def queries_by_item(assessment: Assessment) -> dict[int, list[ReviewQuery]]:
    """The assessment's queries by item id, each with its messages (two queries)."""
    cached = getattr(assessment, "_queries_by_item", None)
    if cached is None:
        cached = {}
        for query in ReviewQuery.objects.filter(assessment=assessment).prefetch_related(
            "messages__by"
        ):
            cached.setdefault(query.item_id, []).append(query)
        assessment._queries_by_item = cached  # type: ignore[attr-defined]
    return cached


def submitted_for_review(round_id: int) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(round_id=round_id, status=AssessmentStatus.SUBMITTED)
        .select_related("product__department", "review")
        .annotate(
            open_queries=Count("queries", filter=~Q(queries__state=QueryState.RESOLVED)),
            answered_queries=Count("queries", filter=Q(queries__state=QueryState.ANSWERED)),
        )
        .order_by("product__name")
    )


def review_state(assessment: Any) -> str:
    review = getattr(assessment, "review", None) if assessment.pk else None
    return review.state if review is not None else "unreviewed"
