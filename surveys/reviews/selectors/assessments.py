"""Reads of one assessment's review: its state, queries, steps and N/A approvals; the
home page's waiting queries; review steps for the audit page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet

from scoring.rules import NA
from surveys.assessments.models import Answer, Assessment, AssessmentStatus, NaDecision, NaStatus
from surveys.organisation.roles import is_admin
from surveys.organisation.selectors import product_editable_by
from surveys.reviews.models import QueryStatus, Review, ReviewQuery, ReviewState, ReviewStep
from surveys.rounds.models import Round


def accepted_q(prefix: str = "") -> Q:
    """Assessments whose review accepted them as they are now submitted.

    An acceptance holds for the submission it saw: answers changed and submitted again
    afterwards make the assessment unreviewed again.
    """
    return Q(
        **{
            f"{prefix}status": AssessmentStatus.SUBMITTED,
            f"{prefix}review__state": ReviewState.ACCEPTED,
            f"{prefix}review__accepted_at__gte": F(f"{prefix}submitted_at"),
        }
    )


def state_of(assessment: Assessment, review: Review | None) -> str:
    if review is None:
        return ReviewState.UNREVIEWED
    if review.state == ReviewState.ACCEPTED:
        fresh = (
            assessment.status == AssessmentStatus.SUBMITTED
            and review.accepted_at is not None
            and (assessment.submitted_at is None or review.accepted_at >= assessment.submitted_at)
        )
        return ReviewState.ACCEPTED if fresh else ReviewState.UNREVIEWED
    return review.state


def review_states_of(assessments: Iterable[Assessment]) -> dict[int, str]:
    """Per assessment id, its review state (one query)."""
    assessments = list(assessments)
    reviews = {r.assessment_id: r for r in Review.objects.filter(assessment__in=assessments)}
    return {a.pk: state_of(a, reviews.get(a.pk)) for a in assessments}


# --- N/A approval ----------------------------------------------------------------------


def requires_approval(round: Round) -> bool:
    return bool(round.version.na_requires_approval)


def na_states(answers: Iterable[tuple[int, str]]) -> dict[int, str]:
    """Per N/A answer id (given with its reason), ``approved`` or ``pending``.

    An approval holds for the reason it approved; the latest decision counts.
    """
    reasons = dict(answers)
    latest: dict[int, NaDecision] = {}
    for decision in NaDecision.objects.filter(answer_id__in=list(reasons)).order_by("at", "id"):
        latest[decision.answer_id] = decision
    states: dict[int, str] = {}
    for answer_id, reason in reasons.items():
        found = latest.get(answer_id)
        approved = (
            found is not None and found.status == NaStatus.APPROVED and found.na_reason == reason
        )
        states[answer_id] = NaStatus.APPROVED if approved else NaStatus.PENDING
    return states


def na_counts(round: Round) -> dict[str, int]:
    """How many N/A of the round are approved, pending and rejected."""
    counts = {NaStatus.APPROVED.value: 0, NaStatus.PENDING.value: 0, NaStatus.REJECTED.value: 0}
    if not requires_approval(round):
        return counts
    answers = Answer.objects.filter(assessment__round=round, value=NA).values_list(
        "id", "na_reason"
    )
    for state in na_states(answers).values():
        counts[state] += 1
    counts[NaStatus.REJECTED] = NaDecision.objects.filter(
        answer__assessment__round=round, status=NaStatus.REJECTED
    ).count()
    return counts


def pending_na_of(assessments: Sequence[Assessment]) -> dict[int, int]:
    """Per assessment id, how many of its N/A wait for approval."""
    by_round = [a for a in assessments if requires_approval(a.round)]
    rows = list(
        Answer.objects.filter(assessment__in=by_round, value=NA).values_list(
            "id", "na_reason", "assessment_id"
        )
    )
    states = na_states((answer_id, reason) for answer_id, reason, _ in rows)
    found: dict[int, int] = defaultdict(int)
    for answer_id, _reason, assessment_id in rows:
        if states[answer_id] == NaStatus.PENDING:
            found[assessment_id] += 1
    return dict(found)


# --- one assessment --------------------------------------------------------------------


@dataclass
class QueryThread:
    query: ReviewQuery
    steps: list[ReviewStep]
    value_now: str | None

    @property
    def answer_changed(self) -> bool:
        return self.value_now != self.query.value_when_asked

    @property
    def awaits_reviewer(self) -> bool:
        """The team replied, or answered by changing the answer."""
        return self.query.status == QueryStatus.REPLIED or (
            self.query.status == QueryStatus.OPEN and self.answer_changed
        )


@dataclass
class AssessmentReview:
    state: str
    threads: dict[int, list[QueryThread]] = field(default_factory=dict)
    steps: dict[int | None, list[ReviewStep]] = field(default_factory=dict)
    na: dict[int, str] = field(default_factory=dict)
    na_decisions: dict[int, NaDecision] = field(default_factory=dict)
    can_reply: bool = False
    is_admin: bool = False
    requires_approval: bool = False

    @property
    def open_queries(self) -> int:
        return sum(
            1
            for threads in self.threads.values()
            for t in threads
            if t.query.status != QueryStatus.RESOLVED
        )

    @property
    def pending_na(self) -> int:
        return sum(1 for state in self.na.values() if state == NaStatus.PENDING)


def assessment_review(
    assessment: Assessment, user: Any, *, answers_read: Iterable[Answer] | None = None
) -> AssessmentReview:
    """Everything the assessment page and the review page show of a review, per item.

    ``answers_read``: the assessment's answers when the caller has read them already."""
    review = Review.objects.filter(assessment=assessment).first()
    if answers_read is None:
        answers_read = Answer.objects.filter(assessment=assessment).only(
            "id", "item_id", "value", "na_reason"
        )
    answers = {a.item_id: a for a in answers_read}
    steps: dict[int | None, list[ReviewStep]] = defaultdict(list)
    by_query: dict[int, list[ReviewStep]] = defaultdict(list)
    for step in ReviewStep.objects.filter(assessment=assessment).select_related("by"):
        steps[step.item_id].append(step)
        if step.query_id:
            by_query[step.query_id].append(step)
    threads: dict[int, list[QueryThread]] = defaultdict(list)
    for query in ReviewQuery.objects.filter(assessment=assessment):
        answer = answers.get(query.item_id)
        threads[query.item_id].append(
            QueryThread(query, by_query[query.pk], answer.value if answer else None)
        )
    result = AssessmentReview(
        state=state_of(assessment, review),
        threads=dict(threads),
        steps=dict(steps),
        can_reply=product_editable_by(user, assessment.product_id),
        is_admin=is_admin(user),
        requires_approval=requires_approval(assessment.round),
    )
    if result.requires_approval:
        na_answers = {a.pk: a.item_id for a in answers.values() if a.value == NA}
        states = na_states((a.pk, a.na_reason) for a in answers.values() if a.value == NA)
        result.na = {na_answers[pk]: state for pk, state in states.items()}
        for decision in NaDecision.objects.filter(
            answer_id__in=list(na_answers), status=NaStatus.APPROVED
        ).order_by("at", "id"):
            result.na_decisions[na_answers[decision.answer_id]] = decision
    return result


def queries_awaiting(user: Any) -> list[dict[str, Any]]:
    """Assessments of the user's own products with queries waiting for their team: open,
    and not yet answered by changing the answer either."""
    if not user.is_authenticated:
        return []
    queries = list(
        ReviewQuery.objects.filter(
            status=QueryStatus.OPEN, assessment__product__members=user
        ).values_list(
            "assessment_id",
            "item_id",
            "value_when_asked",
            "assessment__product__name",
            "assessment__round__label",
        )
    )
    now = dict(
        ((a, i), v)
        for a, i, v in Answer.objects.filter(assessment_id__in={q[0] for q in queries}).values_list(
            "assessment_id", "item_id", "value"
        )
    )
    waiting: dict[int, dict[str, Any]] = {}
    for assessment_id, item_id, asked, product, label in queries:
        if now.get((assessment_id, item_id)) != asked:
            continue
        row = waiting.setdefault(
            assessment_id,
            {"assessment_id": assessment_id, "product": product, "round": label, "count": 0},
        )
        row["count"] += 1
    return sorted(waiting.values(), key=lambda r: (r["product"], r["assessment_id"]))


# --- the audit page --------------------------------------------------------------------


def review_steps_for_audit() -> QuerySet[ReviewStep]:
    """Every review step, newest first, ready to be unioned into the audit page: each row
    has who (``by``), when (``at``), what (``kind`` / ``get_kind_display``), on what
    (``assessment``, ``item``), the comment and the source."""
    return ReviewStep.objects.select_related(
        "by", "item", "assessment__product", "assessment__round"
    ).order_by("-at", "-id")


def audit_rows(steps: Iterable[ReviewStep]) -> list[dict[str, Any]]:
    """Review steps as plain audit rows: at, by, action, target, comment, source."""
    return [
        {
            "at": step.at,
            "by": step.by,
            "action": step.get_kind_display(),
            "kind": f"review.{step.kind}",
            "target": f"{step.assessment.product.name} · {step.assessment.round.label}"
            + (f" · {step.item.code}" if step.item else ""),
            "comment": step.comment,
            "source": step.source,
            "assessment_id": step.assessment_id,
        }
        for step in steps
    ]
