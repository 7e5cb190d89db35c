"""Reads of a round's review: the calibration sample's candidates and picks, coverage
per department, the per-round summary and the workbook's Reviews rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from scoring.raw import raw_final
from scoring.rules import NA
from scoring.verified import claimed_gap
from surveys.assessments.models import (
    Answer,
    AreaScore,
    Assessment,
    AssessmentStatus,
    NaDecision,
    NaStatus,
)
from surveys.reviews import sampling
from surveys.reviews.models import QueryStatus, ReviewQuery, ReviewState, SamplePick
from surveys.reviews.selectors.assessments import (
    accepted_q,
    na_counts,
    na_states,
    requires_approval,
    state_of,
)
from surveys.rounds.models import Round

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
        gap = claimed_gap(final, verified)
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


@dataclass
class ReviewRow:
    """One scored assessment as the workbook's Reviews sheet shows it."""

    round_label: str
    product: str
    department: str
    state: str
    final: float | None
    raw: float | None
    verified: float | None
    na: dict[str, int]
    sampled: bool
    open_queries: int
    accepted_at: Any
    accepted_by: str


def review_rows(*, round_ids: Sequence[int], assessments: Q | None = None) -> Iterator[ReviewRow]:
    """Every scored assessment of these rounds (narrowed by ``assessments``, a filter on
    assessments), with its review state, raw score (N/A as 0) and N/A decisions; oldest
    round first, read one round at a time so a workbook of 20 rounds stays small."""
    rounds = Round.objects.filter(pk__in=list(round_ids)).select_related("version")
    for round in rounds.order_by("opens_on", "id"):
        yield from _round_review_rows(round, assessments)


def _round_review_rows(round: Round, assessments: Q | None) -> list[ReviewRow]:
    queryset = (
        Assessment.objects.filter(round=round, final_score__isnull=False)
        .exclude(status=AssessmentStatus.NOT_SUBMITTED)
        .select_related("product__department", "review__accepted_by")
        .order_by("product__name", "pk")
    )
    if assessments is not None:
        queryset = queryset.filter(assessments)
    found = list(queryset)
    for a in found:
        a.round = round  # read once for the round, not joined to every row
    ids = [a.pk for a in found]
    raws = raw_finals(ids)
    sampled = set(
        SamplePick.objects.filter(assessment_id__in=ids).values_list("assessment_id", flat=True)
    )
    open_queries = dict(
        ReviewQuery.objects.filter(assessment_id__in=ids)
        .exclude(status=QueryStatus.RESOLVED)
        .values_list("assessment_id")
        .annotate(n=Count("id"))
    )
    na = _na_per_assessment(found) if requires_approval(round) else {}
    rows = []
    for a in found:
        review = getattr(a, "review", None)
        accepted = state_of(a, review) == ReviewState.ACCEPTED and review is not None
        rows.append(
            ReviewRow(
                round_label=round.label,
                product=a.product.name,
                department=a.product.department.name,
                state=state_of(a, review),
                final=a.final_score,
                raw=raws.get(a.pk),
                verified=a.verified_score,
                na=na.get(a.pk, {}),
                sampled=a.pk in sampled,
                open_queries=open_queries.get(a.pk, 0),
                accepted_at=review.accepted_at if accepted and review else None,
                accepted_by=(review.accepted_by.get_username() if review.accepted_by else "")
                if accepted and review
                else "",
            )
        )
    return rows


def _na_per_assessment(assessments: Sequence[Assessment]) -> dict[int, dict[str, int]]:
    """Per assessment: its N/A approved and pending, and its rejected N/A decisions."""
    ids = [a.pk for a in assessments]
    rows = list(
        Answer.objects.filter(assessment_id__in=ids, value=NA).values_list(
            "id", "na_reason", "assessment_id"
        )
    )
    states = na_states((answer_id, reason) for answer_id, reason, _ in rows)
    found: dict[int, dict[str, int]] = {
        pk: {NaStatus.APPROVED: 0, NaStatus.PENDING: 0, NaStatus.REJECTED: 0} for pk in ids
    }
    for answer_id, _reason, assessment_id in rows:
        found[assessment_id][states[answer_id]] += 1
    for assessment_id, n in (
        NaDecision.objects.filter(answer__assessment_id__in=ids, status=NaStatus.REJECTED)
        .values_list("answer__assessment_id")
        .annotate(n=Count("id"))
    ):
        found[assessment_id][NaStatus.REJECTED] = n
    return found


def awaiting_reviewer_of(assessment_ids: Sequence[int]) -> dict[int, int]:
    """Per assessment, its queries the team has answered (a reply or a changed answer)
    and the reviewer has not resolved yet."""
    queries = list(
        ReviewQuery.objects.filter(assessment_id__in=list(assessment_ids))
        .exclude(status=QueryStatus.RESOLVED)
        .values_list("assessment_id", "item_id", "status", "value_when_asked")
    )
    now = {
        (a, i): v
        for a, i, v in Answer.objects.filter(
            assessment_id__in={q[0] for q in queries}, item_id__in={q[1] for q in queries}
        ).values_list("assessment_id", "item_id", "value")
    }
    found: dict[int, int] = defaultdict(int)
    for assessment_id, item_id, status, asked in queries:
        if status == QueryStatus.REPLIED or now.get((assessment_id, item_id)) != asked:
            found[assessment_id] += 1
    return dict(found)
