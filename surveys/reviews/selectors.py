"""Reads of reviews for the pages, the home page, reports and the audit page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from scoring.raw import raw_final
from scoring.rules import NA
from surveys.models import (
    Answer,
    AreaScore,
    Assessment,
    AssessmentStatus,
    NaDecision,
    NaStatus,
    QueryStatus,
    Review,
    ReviewQuery,
    ReviewState,
    ReviewStep,
    Round,
    SamplePick,
)
from surveys.organisation.roles import is_admin
from surveys.organisation.selectors import products_editable_by
from surveys.reviews import sampling


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


def assessment_review(assessment: Assessment, user: Any) -> AssessmentReview:
    """Everything the assessment page and the review page show of a review, per item."""
    review = Review.objects.filter(assessment=assessment).first()
    answers = {
        a.item_id: a
        for a in Answer.objects.filter(assessment=assessment).only(
            "id", "item_id", "value", "na_reason"
        )
    }
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
        can_reply=products_editable_by(user).filter(pk=assessment.product_id).exists(),
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


# --- the round's review ----------------------------------------------------------------


def _previous(round: Round) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(
            product=OuterRef("product"),
            round__questionnaire_id=round.questionnaire_id,
            round__opens_on__lt=round.opens_on,
            final_score__isnull=False,
        )
        .exclude(status=AssessmentStatus.NOT_SUBMITTED)
        .order_by("-round__opens_on", "-round_id")
    )


def with_previous(assessments: QuerySet[Assessment], round: Round) -> QuerySet[Assessment]:
    previous = _previous(round)
    return assessments.annotate(
        previous_final=Subquery(previous.values("final_score")[:1]),
        previous_label=Subquery(previous.values("round__label")[:1]),
    )


def sample_candidates(round: Round) -> tuple[list[sampling.Candidate], dict[int, str]]:
    """Submitted, scored assessments of the round not drawn before, with their gap and jump."""
    drawn = SamplePick.objects.filter(sample__round=round).values("assessment_id")
    rows = with_previous(
        Assessment.objects.filter(
            round=round, status=AssessmentStatus.SUBMITTED, final_score__isnull=False
        ).exclude(pk__in=drawn),
        round,
    ).values_list(
        "id",
        "final_score",
        "verified_score",
        "previous_final",  # type: ignore[misc]  # annotated by with_previous
        "previous_label",
    )
    candidates, labels = [], {}
    for pk, final, verified, previous, label in rows:
        gap = None if verified is None else final - verified
        jump = None if previous is None else final - previous
        candidates.append(sampling.Candidate(pk, gap, jump))
        labels[pk] = label or ""
    return candidates, labels


def pick_reason(pick: SamplePick) -> str:
    """Why an assessment was drawn, in the reader's language."""
    parts = []
    for reason in sampling.reasons(pick.gap, pick.jump):
        if reason == "gap":
            parts.append(_("claimed score %(gap).2f above the verified score") % {"gap": pick.gap})
        elif reason == "jump_up":
            parts.append(
                _("rose %(jump).2f since round %(label)s")
                % {"jump": pick.jump, "label": pick.previous_label}
            )
        else:
            parts.append(
                _("fell %(jump).2f since round %(label)s")
                % {"jump": -(pick.jump or 0.0), "label": pick.previous_label}
            )
    if not parts:
        parts.append(_("drawn at random (no notable gap or jump)"))
    return "; ".join(parts) + " · " + _("weight %(weight).2f") % {"weight": pick.weight}


def round_picks(round: Round) -> list[SamplePick]:
    picks = list(
        SamplePick.objects.filter(sample__round=round)
        .select_related("sample", "assessment__product__department", "assessment__round")
        .order_by("sample__requested_at", "sample_id", "rank")
    )
    for pick in picks:
        pick.reason = pick_reason(pick)  # type: ignore[attr-defined]
    return picks


def raw_finals(assessment_ids: Sequence[int]) -> dict[int, float | None]:
    """Per scored assessment, its raw final score (N/A as 0), from the stored area rows."""
    raws: dict[int, list[float]] = defaultdict(list)
    for assessment_id, raw in AreaScore.objects.filter(
        assessment_id__in=list(assessment_ids)
    ).values_list("assessment_id", "raw"):
        raws[assessment_id].append(raw)
    return {pk: raw_final(values) for pk, values in raws.items()}


@dataclass
class CoverageRow:
    department: str
    submitted: int = 0
    sampled: int = 0
    queried: int = 0
    accepted: int = 0
    reviewed_answers: int = 0
    changed_answers: int = 0

    @property
    def changed_share(self) -> float | None:
        if not self.reviewed_answers:
            return None
        return self.changed_answers / self.reviewed_answers


def round_coverage(round: Round) -> tuple[list[CoverageRow], CoverageRow]:
    """Per department: submitted, sampled, queried and accepted assessments, and the share
    of the reviewed assessments' answers that changed after a query (a few grouped queries)."""
    rows: dict[int, CoverageRow] = {}
    assessments = Assessment.objects.filter(round=round)
    dept = "product__department_id"

    def add(queryset: QuerySet[Any], key: str, attr: str) -> None:
        for row in queryset.values(key, f"{key[:-3]}__name").annotate(n=Count("id", distinct=True)):
            target = rows.setdefault(row[key], CoverageRow(row[f"{key[:-3]}__name"]))
            setattr(target, attr, row["n"])

    add(assessments.filter(status=AssessmentStatus.SUBMITTED), dept, "submitted")
    add(
        assessments.filter(
            pk__in=SamplePick.objects.filter(sample__round=round).values("assessment_id")
        ),
        dept,
        "sampled",
    )
    add(assessments.filter(review__state=ReviewState.QUERIED), dept, "queried")
    add(assessments.filter(accepted_q()), dept, "accepted")
    items = round.version.items.count()
    for row in rows.values():
        row.reviewed_answers = (row.queried + row.accepted) * items
    # Queries are asked by hand, so there are few: compare them in Python.
    reviewed = Q(assessment__review__state=ReviewState.QUERIED) | accepted_q("assessment__")
    queries = list(
        ReviewQuery.objects.filter(reviewed, assessment__round=round).values_list(
            "assessment_id", "item_id", "value_when_asked", "assessment__product__department_id"
        )
    )
    now = {
        (a, i): v
        for a, i, v in Answer.objects.filter(assessment_id__in={q[0] for q in queries}).values_list(
            "assessment_id", "item_id", "value"
        )
    }
    changed = {(a, i, d) for a, i, asked, d in queries if now.get((a, i)) != asked}
    for _a, _i, department_id in changed:
        if department_id in rows:
            rows[department_id].changed_answers += 1
    ordered = sorted(rows.values(), key=lambda r: r.department)
    total = CoverageRow(_("Total"))
    for row in ordered:
        for attr in (
            "submitted",
            "sampled",
            "queried",
            "accepted",
            "reviewed_answers",
            "changed_answers",
        ):
            setattr(total, attr, getattr(total, attr) + getattr(row, attr))
    return ordered, total


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


def rounds_summary(rounds: Sequence[Round]) -> list[dict[str, Any]]:
    """Per round: submitted, sampled, queried and accepted assessments, and its N/A by
    approval state (where its version asks for approval), in a few grouped queries."""
    ids = [r.pk for r in rounds]

    def per_round(queryset: QuerySet[Any], key: str = "round_id") -> dict[int, int]:
        return dict(queryset.values_list(key).annotate(n=Count("id", distinct=True)))

    base = Assessment.objects.filter(round_id__in=ids)
    submitted = per_round(base.filter(status=AssessmentStatus.SUBMITTED))
    queried = per_round(base.filter(review__state=ReviewState.QUERIED))
    accepted = per_round(base.filter(accepted_q()))
    sampled = dict(
        SamplePick.objects.filter(sample__round_id__in=ids)
        .values_list("sample__round_id")
        .annotate(n=Count("assessment_id", distinct=True))
    )
    return [
        {
            "round": r,
            "submitted": submitted.get(r.pk, 0),
            "sampled": sampled.get(r.pk, 0),
            "queried": queried.get(r.pk, 0),
            "accepted": accepted.get(r.pk, 0),
            "na": na_counts(r) if requires_approval(r) else None,
        }
        for r in rounds
    ]
