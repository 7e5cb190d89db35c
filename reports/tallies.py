"""Trend figures from value counts (issue 13, point 8).

A final or area score takes few distinct values (sums of half points, rescaled), so the
database counts assessments per round and distinct score — a few hundred rows instead
of a million — and the figures are computed here exactly from those counts: sums with
exact rationals (then rounded once, as ``math.fsum`` would), quartiles by numpy's
linear interpolation, bands by ``scoring.rules.band_of`` once per distinct value.

Closed rounds' counts are cached under the time their round report was built: a
re-score or an import rebuilds that report (DESIGN §6.2), which changes the key, so a
cached count is never stale. The open round is always counted live.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef

from scoring.rules import BAND_KEYS, band_of
from surveys.models import AreaScore, Assessment

from .selectors import EVERYTHING, RoundInfo, Scope

CACHE_SECONDS = 7 * 24 * 3600
LIVE_BY_IDS = 2
LIVE_ID_LIMIT = 30_000


def exact_sum(items: Iterable[tuple[float, int]]) -> float:
    """The correctly rounded sum of each value repeated its count of times (as math.fsum
    of the whole list gives it). A float is a dyadic rational, so the sum is kept exactly
    as an integer over a power of two; int / int rounds correctly."""
    numerator, shift = 0, 0
    for value, count in items:
        a, b = float(value).as_integer_ratio()
        k = b.bit_length() - 1
        if k > shift:
            numerator <<= k - shift
            shift = k
        numerator += (a * count) << (shift - k)
    return numerator / (1 << shift)


class Tally(Counter[float]):
    """How many times each value occurs."""

    @property
    def n(self) -> int:
        return sum(self.values())

    def mean(self) -> float | None:
        n = self.n
        if not n:
            return None
        return exact_sum(self.items()) / n

    def _sorted(self) -> list[tuple[float, int]]:
        return sorted((v, c) for v, c in self.items() if c)

    def _at(self, rank: int, ordered: list[tuple[float, int]]) -> float:
        seen = 0
        for value, count in ordered:
            seen += count
            if rank < seen:
                return value
        return ordered[-1][0]

    def quantile(self, q: float) -> float | None:
        """numpy's (and pandas') linear interpolation between the closest ranks."""
        n = self.n
        if not n:
            return None
        ordered = self._sorted()
        position = (n - 1) * q
        lo = math.floor(position)
        hi = min(lo + 1, n - 1)
        a, b = self._at(lo, ordered), self._at(hi, ordered)
        t = position - lo
        diff = b - a
        # numpy's _lerp: symmetric, so the result is exact at both ends.
        return b - diff * (1 - t) if t >= 0.5 else a + diff * t

    def median(self) -> float | None:
        n = self.n
        if not n:
            return None
        ordered = self._sorted()
        if n % 2:
            return self._at(n // 2, ordered)
        return (self._at(n // 2 - 1, ordered) + self._at(n // 2, ordered)) / 2

    def bands(self) -> dict[str, int]:
        counts = dict.fromkeys(BAND_KEYS, 0)
        for value, count in self.items():
            counts[band_of(value).key] += count
        return counts


@dataclass
class Cell:
    """Counts of one round for one group of products (a phase, a department, everything)."""

    targeted: int = 0
    final: Tally = field(default_factory=Tally)
    verified: Tally = field(default_factory=Tally)
    areas: dict[str, Tally] = field(default_factory=dict)
    areas_verified: dict[str, Tally] = field(default_factory=dict)

    def merge(self, other: Cell) -> None:
        self.targeted += other.targeted
        self.final.update(other.final)
        self.verified.update(other.verified)
        for mine, theirs in (
            (self.areas, other.areas),
            (self.areas_verified, other.areas_verified),
        ):
            for key, tally in theirs.items():
                mine.setdefault(key, Tally()).update(tally)


# Cells of one round: by phase (the key the target depends on).
RoundCells = dict[str, Cell]


def _count(round_ids: list[int], scope: Scope, cohort_of: int | None) -> dict[int, RoundCells]:
    """Count, per round and phase, assessments per final and verified score, and area
    scores per area and value (four GROUP BY queries over stored scores)."""
    out: dict[int, RoundCells] = {pk: {} for pk in round_ids}
    if not round_ids:
        return out
    assessments = (
        Assessment.objects.filter(round_id__in=round_ids)
        .filter(scope.q("product__"))
        .filter(scope.assessments_q())
    )
    areas = (
        AreaScore.objects.filter(
            assessment__round_id__in=round_ids, assessment__final_score__isnull=False
        )
        .filter(scope.q("assessment__product__"))
        .filter(scope.assessments_q("assessment__"))
    )
    by_ids: dict[int, tuple[int, str]] | None = None
    if len(round_ids) <= LIVE_BY_IDS and cohort_of is None:
        # One or two rounds (the open one, the rest cached): read their scored
        # assessments' area scores by index instead of joining every area score.
        rows = list(
            assessments.filter(final_score__isnull=False).values_list(
                "id", "round_id", "product__phase"
            )[: LIVE_ID_LIMIT + 1]
        )
        if len(rows) <= LIVE_ID_LIMIT:
            by_ids = {pk: (round_id, phase) for pk, round_id, phase in rows}
    if cohort_of is not None:
        cohort = Assessment.objects.filter(
            round_id=cohort_of, final_score__isnull=False, product_id=OuterRef("product_id")
        )
        assessments = assessments.filter(Exists(cohort))
        areas = areas.filter(
            Exists(
                cohort.model.objects.filter(
                    round_id=cohort_of,
                    final_score__isnull=False,
                    product_id=OuterRef("assessment__product_id"),
                )
            )
        )

    def cell(round_id: int, phase: str) -> Cell:
        cells = out[round_id]
        found = cells.get(phase)
        if found is None:
            found = cells[phase] = Cell()
        return found

    for round_id, phase, final, n in (
        assessments.values_list("round_id", "product__phase", "final_score")
        .annotate(n=Count("id"))
        .order_by()
    ):
        c = cell(round_id, phase)
        c.targeted += n
        if final is not None:
            c.final[float(final)] += n
    if cohort_of is not None:
        return out  # the cohort needs its finals only
    for round_id, phase, verified, n in (
        assessments.filter(final_score__isnull=False, verified_score__isnull=False)
        .values_list("round_id", "product__phase", "verified_score")
        .annotate(n=Count("id"))
        .order_by()
    ):
        cell(round_id, phase).verified[float(verified)] += n
    if by_ids is not None:
        ids = sorted(by_ids)
        # The id range lets the database read the area scores by index (a round's
        # assessments are created together), where an id list alone is often scanned.
        counts: Counter[tuple[int, str, str, bool, float]] = Counter()
        for assessment_id, key, score, verified in AreaScore.objects.filter(
            assessment_id__gte=ids[0] if ids else 0,
            assessment_id__lte=ids[-1] if ids else -1,
        ).values_list("assessment_id", "area_key", "score", "verified_score"):
            place = by_ids.get(assessment_id)
            if place is None:
                continue  # in the range, but of another round or not scored
            if score is not None:
                counts[(*place, key, False, score)] += 1
            if verified is not None:
                counts[(*place, key, True, verified)] += 1
        for (round_id, phase, key, is_verified, value), n in counts.items():
            c = cell(round_id, phase)
            tallies = c.areas_verified if is_verified else c.areas
            if key not in tallies:
                tallies[key] = Tally()
            tallies[key][float(value)] += n
        return out
    for column, attr in (("score", "areas"), ("verified_score", "areas_verified")):
        for round_id, phase, key, value, n in (
            areas.filter(**{f"{column}__isnull": False})
            .values_list("assessment__round_id", "assessment__product__phase", "area_key", column)
            .annotate(n=Count("id"))
            .order_by()
        ):
            tallies = getattr(cell(round_id, phase), attr)
            if key not in tallies:
                tallies[key] = Tally()
            tallies[key][float(value)] += n
    return out


def closed_key(kind: str, info: RoundInfo, scope: Scope) -> str | None:
    """A cache key for figures of a closed round with a built report; None otherwise (an
    open round changes: it is always computed live)."""
    import hashlib

    if info.is_provisional or info.report_built is None:
        return None
    digest = hashlib.sha1(_scope_key(scope).encode()).hexdigest()[:16]
    return f"reports:{kind}:{info.id}:{info.report_built.isoformat()}:{digest}"


def _scope_key(scope: Scope) -> str:
    ids = "*" if scope.department_ids is None else ",".join(map(str, sorted(scope.department_ids)))
    return f"{ids}|{scope.phase or ''}|{'accepted' if scope.accepted_only else 'all'}"


def round_cells(
    rounds: Sequence[RoundInfo],
    built: Mapping[int, Any],
    *,
    scope: Scope = EVERYTHING,
    cohort_of: int | None = None,
    cohort_stamp: Any = None,
) -> dict[int, RoundCells]:
    """Counts of every round: closed rounds with a built report from the cache (keyed by
    when the report was built), the others counted live."""
    import hashlib

    out: dict[int, RoundCells] = {}
    keys: dict[int, str] = {}
    for info in rounds:
        stamp = built.get(info.id)
        if info.is_provisional or stamp is None:
            continue
        digest = hashlib.sha1(_scope_key(scope).encode()).hexdigest()[:16]
        if cohort_of is not None and cohort_stamp is None:
            continue  # the baseline has no built report: its cohort is counted live
        cohort = f"{cohort_of}@{cohort_stamp.isoformat()}" if cohort_of is not None else ""
        keys[info.id] = f"reports:cells:{info.id}:{stamp.isoformat()}:{digest}:{cohort}"
    cached = cache.get_many(list(keys.values())) if keys else {}
    for round_id, key in keys.items():
        if key in cached:
            out[round_id] = cached[key]
    missing = [info.id for info in rounds if info.id not in out]
    counted = _count(missing, scope, cohort_of)
    out.update(counted)
    # Cells pickle as they are (locmem and Redis caches both pickle).
    to_store = {keys[pk]: counted[pk] for pk in counted if pk in keys}
    if to_store:
        cache.set_many(to_store, CACHE_SECONDS)
    return out


def merged(cells: RoundCells) -> Cell:
    total = Cell()
    for c in cells.values():
        total.merge(c)
    return total
