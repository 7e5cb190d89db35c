"""Area scores, the final score, the bottleneck and what stops a submission (DESIGN §3)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from scoring.bands import Band, band_of
from scoring.values import DEFAULT_POLICY, HALF_POINTS, NA, NaPolicy, Policy


@dataclass(frozen=True)
class AreaScore:
    key: str
    n: int  # items in the area
    applicable: int  # m: items not answered N/A
    answered: int  # items with a value or N/A
    na_count: int
    raw: float  # sum of points of the applicable items
    score: float | None  # None when no item applies (m = 0) or the area is incomplete

    @property
    def complete(self) -> bool:
        return self.answered == self.n


@dataclass(frozen=True)
class ScoreCard:
    areas: dict[str, AreaScore]
    complete: bool
    final: float | None  # None unless complete and at least one area has a score
    band: Band | None
    bottlenecks: tuple[str, ...] = field(default=())

    @property
    def answered(self) -> int:
        return sum(area.answered for area in self.areas.values())

    @property
    def total(self) -> int:
        return sum(area.n for area in self.areas.values())


def is_complete(values: Iterable[str | None]) -> bool:
    """Every item has a value or N/A (None is unanswered): only such answers are scored."""
    return all(value is not None for value in values)


def score_area(key: str, values: Sequence[str | None], policy: Policy) -> AreaScore:
    """One area's score from its items' values (None = unanswered)."""
    n = len(values)
    answered = sum(1 for value in values if value is not None)
    na_count = sum(1 for value in values if value == NA)
    applicable = n - na_count
    half_points = sum(HALF_POINTS[v] for v in values if v is not None and v != NA)
    raw = half_points / 2
    score: float | None
    if answered < n or applicable == 0:
        score = None
    elif policy.na_policy == NaPolicy.RESCALE:
        score = half_points * n / (2 * applicable)
    else:
        score = raw
    return AreaScore(key, n, applicable, answered, na_count, raw, score)


def bottlenecks(areas: Mapping[str, float | None], final: float | None) -> tuple[str, ...]:
    """The areas whose score is the final score (every tied area is one), in order."""
    if final is None:
        return ()
    return tuple(key for key, score in areas.items() if score is not None and score == final)


def score_card(
    areas: Mapping[str, Sequence[str | None]], policy: Policy = DEFAULT_POLICY
) -> ScoreCard:
    """Score every area and take the minimum. Areas are keyed in questionnaire order."""
    scored = {key: score_area(key, values, policy) for key, values in areas.items()}
    complete = is_complete(v for values in areas.values() for v in values)
    area_values = [a.score for a in scored.values() if a.score is not None]
    if not complete or not area_values:
        return ScoreCard(scored, complete, None, None)
    final = min(area_values)
    return ScoreCard(
        scored,
        complete,
        final,
        band_of(final),
        bottlenecks({k: a.score for k, a in scored.items()}, final),
    )


def na_limit_problems(areas: Mapping[str, Sequence[str | None]], policy: Policy) -> dict[str, int]:
    """Areas with more N/A than the version allows, and how many they have."""
    counts = {key: sum(1 for v in values if v == NA) for key, values in areas.items()}
    return {key: count for key, count in counts.items() if count > policy.max_na_per_area}


@dataclass(frozen=True)
class Unanswered:
    """Items still unanswered: a submission needs every item."""

    count: int


@dataclass(frozen=True)
class TooManyNa:
    """An area with more N/A than the version allows."""

    area_key: str
    count: int
    allowed: int


SubmissionProblem = Unanswered | TooManyNa


def submission_problems(
    areas: Mapping[str, Sequence[str | None]], policy: Policy
) -> list[SubmissionProblem]:
    """Why these answers cannot be submitted (empty: they can). The pages word each
    problem in the reader's language."""
    problems: list[SubmissionProblem] = []
    missing = sum(1 for values in areas.values() for v in values if v is None)
    if missing:
        problems.append(Unanswered(missing))
    for key, count in na_limit_problems(areas, policy).items():
        problems.append(TooManyNa(key, count, policy.max_na_per_area))
    return problems
