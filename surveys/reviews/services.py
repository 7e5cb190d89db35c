"""Everything that writes in a review: queries, replies, acceptance, N/A decisions and
calibration samples. Each service checks who acts, changes state in one transaction,
records a ``ReviewStep`` with the acting user, and tells the team after the commit.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scoring.rules import NA
from surveys.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    NaDecision,
    NaStatus,
    RevisionSource,
)
from surveys.assessments.writing import submissions_void
from surveys.core.actors import Actor
from surveys.core.errors import ApplicationError
from surveys.core.tasks import enqueue
from surveys.organisation.roles import is_admin
from surveys.organisation.selectors import products_editable_by
from surveys.questionnaires.models import Item
from surveys.reviews import sampling
from surveys.reviews.models import (
    QueryStatus,
    Review,
    ReviewQuery,
    ReviewSample,
    ReviewState,
    ReviewStep,
    SamplePick,
    StepKind,
)
from surveys.rounds.models import Round

MAX_COMMENT = 4000
MAX_SAMPLE = 1000
MAX_EXPIRY_ROUNDS = 20


def _require_admin(by: Actor) -> None:
    if not is_admin(by):
        raise ApplicationError(_("Only MLOps admins review assessments."))


def _comment(text: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ApplicationError(_("Write a comment for the team."))
    if len(text) > MAX_COMMENT:
        raise ApplicationError(
            _("A comment holds at most %(max)d characters.") % {"max": MAX_COMMENT}
        )
    return text


def _review_locked(assessment: Assessment) -> Review:
    Review.objects.get_or_create(assessment=assessment)
    return Review.objects.select_for_update().get(assessment=assessment)


def _notify(assessment: Assessment, steps: Sequence[ReviewStep]) -> None:
    enqueue("surveys.review_notify", assessment.pk, [step.pk for step in steps])


def _step(assessment: Assessment, kind: str, by: Actor, **fields: Any) -> ReviewStep:
    return ReviewStep.objects.create(
        assessment=assessment, kind=kind, by=by, at=fields.pop("at", timezone.now()), **fields
    )


# --- queries and acceptance ------------------------------------------------------------


@transaction.atomic
def review_query(
    *, assessment: Assessment, items: Sequence[Item], comment: str, by: Actor
) -> list[ReviewQuery]:
    """Ask the team about one or more answers; the assessment stays submitted and scored."""
    _require_admin(by)
    comment = _comment(comment)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ApplicationError(_("Only a submitted assessment can be reviewed."))
    if not items:
        raise ApplicationError(_("Choose at least one answer to query."))
    version_id = Round.objects.values_list("version_id", flat=True).get(pk=assessment.round_id)
    if any(item.version_id != version_id for item in items):
        raise ApplicationError(_("This item is not part of this assessment's questionnaire."))
    review = _review_locked(assessment)
    now = timezone.now()
    values = dict(
        Answer.objects.filter(assessment=assessment, item__in=items).values_list("item_id", "value")
    )
    queries, steps = [], []
    for item in items:
        query = (
            ReviewQuery.objects.select_for_update()
            .filter(assessment=assessment, item=item)
            .exclude(status=QueryStatus.RESOLVED)
            .first()
        )
        kind = StepKind.REQUERIED if query else StepKind.QUERIED
        if query is None:
            query = ReviewQuery(assessment=assessment, item=item, created_by=by, created_at=now)
        query.status = QueryStatus.OPEN
        query.value_when_asked = values.get(item.pk)
        query.updated_at = now
        query.save()
        queries.append(query)
        steps.append(
            _step(
                assessment,
                kind,
                by,
                at=now,
                query=query,
                item=item,
                comment=comment,
                details={"value": values.get(item.pk)},
            )
        )
    review.state = ReviewState.QUERIED
    review.updated_at = now
    review.save(update_fields=["state", "updated_at"])
    _notify(assessment, steps)
    return queries


def _query_locked(query: ReviewQuery) -> ReviewQuery:
    return ReviewQuery.objects.select_for_update().select_related("assessment").get(pk=query.pk)


@transaction.atomic(durable=True)
def review_query_reply(*, query: ReviewQuery, comment: str, by: Actor) -> ReviewQuery:
    """The team answers a query (members of the product, or an admin for them)."""
    query = _query_locked(query)
    if not products_editable_by(by).filter(pk=query.assessment.product_id).exists():
        raise ApplicationError(_("Only the product's members can reply to this query."))
    comment = _comment(comment)
    if query.status == QueryStatus.RESOLVED:
        raise ApplicationError(_("This query is resolved already."))
    now = timezone.now()
    query.status = QueryStatus.REPLIED
    query.updated_at = now
    query.save(update_fields=["status", "updated_at"])
    value = Answer.objects.filter(assessment=query.assessment, item=query.item).values_list(
        "value", flat=True
    )
    _step(
        query.assessment,
        StepKind.REPLIED,
        by,
        at=now,
        query=query,
        item=query.item,
        comment=comment,
        details={"value": value.first()},
    )
    return query


@transaction.atomic
def review_query_requery(*, query: ReviewQuery, comment: str, by: Actor) -> ReviewQuery:
    """The reviewer is not satisfied: the query goes back to the team."""
    _require_admin(by)
    locked = _query_locked(query)
    if locked.status == QueryStatus.OPEN:
        raise ApplicationError(_("This query is still waiting for the team."))
    return review_query(assessment=locked.assessment, items=[locked.item], comment=comment, by=by)[
        0
    ]


@transaction.atomic
def review_query_resolve(*, query: ReviewQuery, by: Actor, comment: str = "") -> ReviewQuery:
    _require_admin(by)
    query = _query_locked(query)
    comment = _comment(comment, required=False)
    if query.status == QueryStatus.RESOLVED:
        raise ApplicationError(_("This query is resolved already."))
    now = timezone.now()
    query.status = QueryStatus.RESOLVED
    query.resolved_at = query.updated_at = now
    query.save(update_fields=["status", "resolved_at", "updated_at"])
    _step(
        query.assessment,
        StepKind.RESOLVED,
        by,
        at=now,
        query=query,
        item=query.item,
        comment=comment,
    )
    return query


@transaction.atomic(durable=True)
def review_accept(*, assessment: Assessment, by: Actor, comment: str = "") -> Review:
    """Accept a submitted assessment once every query is resolved."""
    _require_admin(by)
    comment = _comment(comment, required=False)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.SUBMITTED or assessment.unsubmitted_changes:
        raise ApplicationError(
            _("Only a submitted assessment can be accepted: the team changed answers since.")
        )
    open_queries = assessment.review_queries.exclude(status=QueryStatus.RESOLVED).count()
    if open_queries:
        raise ApplicationError(
            ngettext(
                "%(count)d query is not resolved yet: resolve it before accepting.",
                "%(count)d queries are not resolved yet: resolve them before accepting.",
                open_queries,
            )
            % {"count": open_queries}
        )
    review = _review_locked(assessment)
    now = timezone.now()
    review.state = ReviewState.ACCEPTED
    review.accepted_at = review.updated_at = now
    review.accepted_by = by
    review.save()
    _step(assessment, StepKind.ACCEPTED, by, at=now, comment=comment)
    return review


# --- N/A decisions ---------------------------------------------------------------------


def _na_answer_locked(answer: Answer, by: Actor) -> Answer:
    _require_admin(by)
    answer = (
        Answer.objects.select_for_update(of=("self",))
        .select_related("assessment__round__version", "item")
        .get(pk=answer.pk)
    )
    if not answer.assessment.round.version.na_requires_approval:
        raise ApplicationError(_("This questionnaire version does not ask for N/A approval."))
    if answer.value != NA:
        raise ApplicationError(_("This answer is not N/A (any more)."))
    return answer


@transaction.atomic(durable=True)
def na_approve(
    *,
    answer: Answer,
    by: Actor,
    comment: str = "",
    expires_on: dt.date | None = None,
    rounds: int | None = None,
) -> NaDecision:
    """Approve an N/A for its stated reason, optionally until a date or for some rounds."""
    answer = _na_answer_locked(answer, by)
    comment = _comment(comment, required=False)
    if expires_on is not None and expires_on <= answer.assessment.round.opens_on:
        raise ApplicationError(_("The approval must expire after the round opened."))
    if rounds is not None and not 1 <= rounds <= MAX_EXPIRY_ROUNDS:
        raise ApplicationError(
            _("An approval lasts 1 to %(max)d rounds.") % {"max": MAX_EXPIRY_ROUNDS}
        )
    now = timezone.now()
    decision = NaDecision.objects.create(
        answer=answer,
        status=NaStatus.APPROVED,
        na_reason=answer.na_reason,
        comment=comment,
        by=by,
        at=now,
        expires_on=expires_on,
        rounds_left=rounds,
    )
    details: dict[str, Any] = {"reason": answer.na_reason}
    if expires_on:
        details["expires_on"] = expires_on.isoformat()
    if rounds:
        details["rounds"] = rounds
    _step(
        answer.assessment,
        StepKind.NA_APPROVED,
        by,
        at=now,
        item=answer.item,
        comment=comment,
        source=RevisionSource.ADMIN,
        details=details,
    )
    return decision


@transaction.atomic(durable=True)
def na_reject(*, answer: Answer, by: Actor, comment: str) -> NaDecision:
    """Reject an N/A: the item is left unanswered (a revision from ``admin``), the team told."""
    from surveys.assessments.services import answer_set

    answer = _na_answer_locked(answer, by)
    comment = _comment(comment)
    now = timezone.now()
    decision = NaDecision.objects.create(
        answer=answer,
        status=NaStatus.REJECTED,
        na_reason=answer.na_reason,
        comment=comment,
        by=by,
        at=now,
    )
    answer_set(
        assessment=answer.assessment,
        item=answer.item,
        value=None,
        note=answer.note,
        evidence_url=answer.evidence_url,
        base_revision=None,
        by=by,
        source=RevisionSource.ADMIN,
    )
    # A rejected N/A voids the submission that held it: the team answers the item and
    # submits again, or the assessment is a non-response when the round closes.
    Assessment.objects.filter(pk=answer.assessment_id).update(
        status=AssessmentStatus.DRAFT, unsubmitted_changes=0
    )
    submissions_void([answer.assessment_id], at=now)
    step = _step(
        answer.assessment,
        StepKind.NA_REJECTED,
        by,
        at=now,
        item=answer.item,
        comment=comment,
        source=RevisionSource.ADMIN,
        details={"reason": answer.na_reason},
    )
    _notify(answer.assessment, [step])
    return decision


# --- calibration sample ----------------------------------------------------------------


@transaction.atomic(durable=True)
def sample_draw(*, round: Round, size: int, by: Actor, seed: int | None = None) -> ReviewSample:
    """Draw ``size`` submitted assessments of ``round`` not drawn before, weighted towards
    large claimed − verified gaps and big jumps since the previous round."""
    from surveys.reviews.selectors import sample_candidates

    _require_admin(by)
    if not 1 <= size <= MAX_SAMPLE:
        raise ApplicationError(_("Draw 1 to %(max)d assessments.") % {"max": MAX_SAMPLE})
    round = Round.objects.select_for_update().get(pk=round.pk)
    seed = secrets.randbelow(2**31) if seed is None else seed
    if not 0 <= seed < 2**63:
        raise ApplicationError(_("The seed must be a whole number from 0."))
    candidates, previous = sample_candidates(round)
    if not candidates:
        raise ApplicationError(_("No submitted assessment is left to draw in this round."))
    picks = sampling.draw(candidates, size, seed)
    now = timezone.now()
    sample = ReviewSample.objects.create(
        round=round, seed=seed, size=size, requested_by=by, requested_at=now
    )
    SamplePick.objects.bulk_create(
        SamplePick(
            sample=sample,
            assessment_id=pick.candidate.assessment_id,
            rank=pick.rank,
            weight=pick.weight,
            key=pick.key,
            gap=pick.candidate.gap,
            jump=pick.candidate.jump,
            previous_label=previous.get(pick.candidate.assessment_id, ""),
        )
        for pick in picks
    )
    ReviewStep.objects.bulk_create(
        ReviewStep(
            assessment_id=pick.candidate.assessment_id,
            kind=StepKind.SAMPLED,
            by=by,
            at=now,
            source=RevisionSource.ADMIN,
            details={"seed": seed, "rank": pick.rank, "weight": round_4(pick.weight)},
        )
        for pick in picks
    )
    return sample


def round_4(value: float) -> float:
    return round(value, 4)


def review_steps_notify(*, assessment_id: int, step_ids: Sequence[int]) -> int:
    """Email the product's members about review steps (queries, rejected N/A); returns
    how many emails were sent. Runs in a task after the steps committed."""
    from surveys.rounds import notifications

    steps = list(
        ReviewStep.objects.filter(pk__in=step_ids, assessment_id=assessment_id)
        .select_related("item")
        .order_by("at", "id")
    )
    if not steps:
        return 0
    assessment = Assessment.objects.select_related("product", "round").get(pk=assessment_id)
    template = "na_rejected" if steps[0].kind == StepKind.NA_REJECTED else "review_queried"
    return notifications.assessments_notify(
        template=template, assessments=[assessment], context=lambda a: {"steps": steps}
    )
