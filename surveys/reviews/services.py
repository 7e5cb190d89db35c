"""The review loop: query answers, reply, resolve or query again, accept. Each step is a
message kept with its query and an audit event; the team is emailed after the commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from mlopsscore.errors import ApplicationError
from surveys.audit.services import audit_record
from surveys.models import (
    Assessment,
    AssessmentStatus,
    AuditCategory,
    Item,
    MessageKind,
    QueryState,
    Review,
    ReviewMessage,
    ReviewQuery,
    ReviewState,
)
from surveys.reviews.tasks import review_notify_enqueue


def _review(assessment: Assessment) -> Review:
    review, _ = Review.objects.select_for_update().get_or_create(assessment=assessment)
    return review


def _record(by: Any, action: str, assessment: Assessment, **data: Any) -> None:
    audit_record(
        by=by,
        category=AuditCategory.REVIEWS,
        action=action,
        subject=assessment,
        target=f"{assessment.product.name} · {assessment.round.label}",
        **data,
    )


def _say(query: ReviewQuery, kind: str, text: str, by: Any, state: str) -> None:
    now = timezone.now()
    ReviewMessage.objects.create(query=query, kind=kind, by=by, text=text, at=now)
    query.state, query.updated_at = state, now
    query.save(update_fields=["state", "updated_at"])


@transaction.atomic
def review_query(
    *, assessment: Assessment, items: Sequence[Item], comment: str, by: Any
) -> list[ReviewQuery]:
    """Query one or more answers of a submitted assessment with a comment."""
    comment = comment.strip()
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ApplicationError("Only a submitted assessment is reviewed.")
    if not items:
        raise ApplicationError("Choose the answers you query.")
    if not comment:
        raise ApplicationError("Write what you ask the team about these answers.")
    review = _review(assessment)
    queries = []
    for item in items:
        query = (
            ReviewQuery.objects.filter(assessment=assessment, item=item)
            .exclude(state=QueryState.RESOLVED)
            .first()
        )
        if query is None:
            query = ReviewQuery.objects.create(assessment=assessment, item=item)
            _say(query, MessageKind.QUERY, comment, by, QueryState.OPEN)
        else:
            _say(query, MessageKind.REQUERY, comment, by, QueryState.OPEN)
        queries.append(query)
    review.state, review.reviewer, review.updated_at = ReviewState.QUERIED, by, timezone.now()
    review.save()
    _record(by, "review.queried", assessment, items=[i.code for i in items], comment=comment)
    transaction.on_commit(lambda: review_notify_enqueue(assessment.pk))
    return queries


@transaction.atomic
def query_reply(*, query: ReviewQuery, text: str, by: Any) -> ReviewQuery:
    text = text.strip()
    if not text:
        raise ApplicationError("Write your reply.")
    query = ReviewQuery.objects.select_for_update().get(pk=query.pk)
    if query.state == QueryState.RESOLVED:
        raise ApplicationError("This query is resolved already.")
    _say(query, MessageKind.REPLY, text, by, QueryState.ANSWERED)
    _record(by, "review.replied", query.assessment, item=query.item.code, reply=text)
    return query


@transaction.atomic
def query_resolve(*, query: ReviewQuery, by: Any, text: str = "") -> ReviewQuery:
    query = ReviewQuery.objects.select_for_update().get(pk=query.pk)
    if query.state == QueryState.RESOLVED:
        return query
    _say(query, MessageKind.RESOLVE, text.strip(), by, QueryState.RESOLVED)
    _record(by, "review.resolved", query.assessment, item=query.item.code)
    return query


@transaction.atomic
def review_accept(*, assessment: Assessment, by: Any) -> Review:
    """Accept a submitted assessment; every query must be resolved first."""
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ApplicationError("Only a submitted assessment is accepted.")
    review = _review(assessment)
    open_codes = list(
        ReviewQuery.objects.filter(assessment=assessment)
        .exclude(state=QueryState.RESOLVED)
        .values_list("item__code", flat=True)
    )
    if open_codes:
        raise ApplicationError(f"Resolve the open queries first: {', '.join(open_codes)}.")
    review.state, review.reviewer, review.updated_at = ReviewState.ACCEPTED, by, timezone.now()
    review.save()
    _record(by, "review.accepted", assessment)
    return review
