"""The scoring rules of the ML Test Score, exactly as DESIGN §3 states them.

Pure Python: plain values in, plain dataclasses out, no Django. Everything else calls
this module; it calls nothing.

Points are kept as whole *half-points* (0, 1, 2) while summing, so sums are exact; the
only division is the `rescale` step, done once per area.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

NA = "NA"
VALUES: tuple[str, ...] = ("0", "0.5", "1", NA)
POINTS: Mapping[str, float] = {"0": 0.0, "0.5": 0.5, "1": 1.0}
_HALF_POINTS: Mapping[str, int] = {"0": 0, "0.5": 1, "1": 2}
DEFAULT_MAX_NA_PER_AREA = 3


class NaPolicy(enum.StrEnum):
    RESCALE = "rescale"
    DROP = "drop"


class Outcome(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"


# An outcome that proves the check ran: a failing check still ran.
RAN_OUTCOMES = frozenset({Outcome.PASS, Outcome.FAIL})


@dataclass(frozen=True)
class Band:
    key: str
    meaning: str


# The rubric's interpretation table, lowest first. Upper bounds are inclusive.
BANDS: tuple[Band, ...] = (
    Band("0", "More of a research project than a productionized system."),
    Band(
        "(0,1]",
        "Not totally untested, but it is worth considering the possibility of "
        "serious holes in reliability.",
    ),
    Band(
        "(1,2]",
        "There has been first pass at basic productionization, but additional "
        "investment may be needed.",
    ),
    Band(
        "(2,3]",
        "Reasonably tested, but it is possible that more of those tests and "
        "procedures may be automated.",
    ),
    Band(
        "(3,5]",
        "Strong levels of automated testing and monitoring, appropriate for "
        "mission-critical systems.",
    ),
    Band(">5", "Exceptional levels of automated testing and monitoring."),
)
BAND_KEYS: tuple[str, ...] = tuple(band.key for band in BANDS)
_BAND_UPPER: tuple[float, ...] = (0.0, 1.0, 2.0, 3.0, 5.0)


def band_of(score: float) -> Band:
    """The band of a final score: `0`, `(0,1]`, `(1,2]`, `(2,3]`, `(3,5]`, `>5`."""
    for band, upper in zip(BANDS, _BAND_UPPER, strict=False):
        if score <= upper:
            return band
    return BANDS[-1]


# The spellings of DESIGN §6.2, and no others: no exponent, sign, other digits or
# zeros (``1e0``, ``+1``, ``-0``, ``١``, ``１``, ``.5`` are refused). NA and N/A in any case.
SPELLINGS = {"0": "0", "0.5": "0.5", "1": "1", "1.0": "1"}
NA_SPELLINGS = frozenset({"NA", "N/A", "対象外"})
HINT = "use 0, 0.5, 1 or NA (N/A, 対象外), or leave it empty"


def normalize_value(raw: object) -> str | None:
    """Map what people type (`1.0`, `N/A`, `対象外`, a spreadsheet number) to a value.

    Returns None for an empty answer; raises ValueError for anything else.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not an answer")
    if isinstance(raw, int | float):  # a spreadsheet cell holding the number itself
        for value, points in POINTS.items():
            if raw == points:
                return value
        raise ValueError(f"{raw!r} is not an answer: {HINT}")
    text = str(raw).strip()
    if text == "":
        return None
    if text.upper() in NA_SPELLINGS:
        return NA
    if text in SPELLINGS:
        return SPELLINGS[text]
    raise ValueError(f"{raw!r} is not an answer: {HINT}")


@dataclass(frozen=True)
class Policy:
    na_policy: NaPolicy = NaPolicy.RESCALE
    max_na_per_area: int = DEFAULT_MAX_NA_PER_AREA


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


def score_area(key: str, values: Sequence[str | None], policy: Policy) -> AreaScore:
    """One area's score from its items' values (None = unanswered)."""
    n = len(values)
    answered = sum(1 for value in values if value is not None)
    na_count = sum(1 for value in values if value == NA)
    applicable = n - na_count
    half_points = sum(_HALF_POINTS[v] for v in values if v is not None and v != NA)
    raw = half_points / 2
    score: float | None
    if answered < n or applicable == 0:
        score = None
    elif policy.na_policy == NaPolicy.RESCALE:
        score = half_points * n / (2 * applicable)
    else:
        score = raw
    return AreaScore(key, n, applicable, answered, na_count, raw, score)


def score_card(areas: Mapping[str, Sequence[str | None]], policy: Policy = Policy()) -> ScoreCard:
    """Score every area and take the minimum. Areas are keyed in questionnaire order."""
    scored = {key: score_area(key, values, policy) for key, values in areas.items()}
    complete = all(area.complete for area in scored.values())
    area_values = [a.score for a in scored.values() if a.score is not None]
    if not complete or not area_values:
        return ScoreCard(scored, complete, None, None)
    final = min(area_values)
    bottlenecks = tuple(k for k, a in scored.items() if a.score is not None and a.score == final)
    return ScoreCard(scored, complete, final, band_of(final), bottlenecks)


def na_limit_problems(areas: Mapping[str, Sequence[str | None]], policy: Policy) -> dict[str, int]:
    """Areas with more N/A than the version allows, and how many they have."""
    counts = {key: sum(1 for v in values if v == NA) for key, values in areas.items()}
    return {key: count for key, count in counts.items() if count > policy.max_na_per_area}


def submission_problems(
    areas: Mapping[str, Sequence[str | None]],
    policy: Policy,
    area_titles: Mapping[str, str] | None = None,
) -> list[str]:
    """Why these answers cannot be submitted, as messages a user can read (empty: fine)."""
    titles = area_titles or {}
    problems: list[str] = []
    missing = sum(1 for values in areas.values() for v in values if v is None)
    if missing:
        problems.append(f"{missing} item(s) are still unanswered; answer every item to submit.")
    for key, count in na_limit_problems(areas, policy).items():
        problems.append(
            f"{titles.get(key, key)}: {count} items are N/A, at most "
            f"{policy.max_na_per_area} are allowed per area."
        )
    return problems


@dataclass(frozen=True)
class EvidenceRun:
    item_key: str
    outcome: str
    observed_at: datetime


def backed_keys(evidence: Iterable[EvidenceRun], window: tuple[datetime, datetime]) -> set[str]:
    """Item keys whose check ran (pass or fail) inside the window; `error` proves nothing."""
    start, end = window
    return {
        run.item_key
        for run in evidence
        if run.outcome in RAN_OUTCOMES and start <= run.observed_at <= end
    }


def lower_unbacked(
    values: Mapping[str, str | None], backed: Iterable[str]
) -> dict[str, str | None]:
    """Claimed values with every `1` that no check backs lowered to `0.5`."""
    backed = set(backed)
    return {
        key: ("0.5" if value == "1" and key not in backed else value)
        for key, value in values.items()
    }


def verified_values(
    values: Mapping[str, str | None],
    evidence: Iterable[EvidenceRun],
    window: tuple[datetime, datetime],
) -> dict[str, str | None]:
    """The values the verified score counts (DESIGN §3)."""
    return lower_unbacked(values, backed_keys(evidence, window))


@dataclass(frozen=True)
class NextStep:
    item_key: str
    area_key: str
    current: str
    target: str
    final_gain: float  # how much the final score rises
    area_gain: float  # how much the item's area score rises

    @property
    def cost(self) -> int:
        """0 → 0.5 (document a manual run) is cheapest; 0.5 → 1 (automate) next."""
        return 0 if self.current == "0" else 1


_NEXT = {"0": "0.5", "0.5": "1"}


def next_steps(
    areas: Mapping[str, Sequence[tuple[str, str | None]]],
    policy: Policy = Policy(),
    limit: int = 5,
) -> list[NextStep]:
    """The single-step improvements that raise the final score most, cheapest first.

    ``areas`` maps area key to ``(item_key, value)`` pairs. When two areas tie as the
    bottleneck no single step raises the final score; then the steps that lift a
    bottleneck area rank first, since every tied area must rise.
    """
    plain = {key: [v for _, v in pairs] for key, pairs in areas.items()}
    card = score_card(plain, policy)
    if card.final is None:
        return []
    steps: list[NextStep] = []
    for area_key, pairs in areas.items():
        before = card.areas[area_key].score
        for index, (item_key, value) in enumerate(pairs):
            if value not in _NEXT:
                continue
            raised = list(plain[area_key])
            raised[index] = _NEXT[value]
            after = score_card({**plain, area_key: raised}, policy)
            area_after = after.areas[area_key].score
            steps.append(
                NextStep(
                    item_key,
                    area_key,
                    value,
                    _NEXT[value],
                    final_gain=(after.final or 0.0) - card.final,
                    area_gain=(area_after or 0.0) - (before or 0.0),
                )
            )
    bottlenecks = set(card.bottlenecks)
    steps = [s for s in steps if s.final_gain > 0 or s.area_key in bottlenecks]
    steps.sort(key=lambda s: (-s.final_gain, s.area_key not in bottlenecks, s.cost, -s.area_gain))
    return steps[:limit]
