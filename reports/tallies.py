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
from fractions import Fraction
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef

from scoring.rules import BAND_KEYS, band_of
from surveys.models import AreaScore, Assessment

from .selectors import EVERYTHING, RoundInfo, Scope

CACHE_SECONDS = 7 * 24 * 3600


class Tally(Counter[float]):
    """How many times each value occurs."""

    @property
    def n(self) -> int:
        return sum(self.values())

    def mean(self) -> float | None:
        n = self.n
        if not n:
            return None
        # Exact: the correctly rounded sum of every value, as math.fsum of the list.
        total = sum((Fraction(v) * c for v, c in self.items()), Fraction(0))
        return float(total) / n

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

    def as_json(self) -> dict[str, Any]:
        def pairs(t: Tally) -> list[list[float]]:
            return [[v, c] for v, c in t.items()]

        return {
            "t": self.targeted,
            "f": pairs(self.final),
            "v": pairs(self.verified),
            "a": {k: pairs(t) for k, t in self.areas.items()},
            "av": {k: pairs(t) for k, t in self.areas_verified.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Cell:
        def tally(rows: Iterable[Sequence[float]]) -> Tally:
            return Tally({float(v): int(c) for v, c in rows})

        return cls(
            targeted=int(data["t"]),
            final=tally(data["f"]),
            verified=tally(data["v"]),
            areas={k: tally(v) for k, v in data["a"].items()},
            areas_verified={k: tally(v) for k, v in data["av"].items()},
        )


# Cells of one round: by phase (the key the target depends on).
RoundCells = dict[str, Cell]


def _count(round_ids: list[int], scope: Scope, cohort_of: int | None) -> dict[int, RoundCells]:
    """Count, per round and phase, assessments per final and verified score, and area
    scores per area and value (four GROUP BY queries over stored scores)."""
    out: dict[int, RoundCells] = {pk: {} for pk in round_ids}
    if not round_ids:
        return out
    assessments = Assessment.objects.filter(round_id__in=round_ids).filter(scope.q("product__"))
    areas = AreaScore.objects.filter(
        assessment__round_id__in=round_ids, assessment__final_score__isnull=False
    ).filter(scope.q("assessment__product__"))
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
        return out[round_id].setdefault(phase, Cell())

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
    for column, attr in (("score", "areas"), ("verified_score", "areas_verified")):
        for round_id, phase, key, value, n in (
            areas.filter(**{f"{column}__isnull": False})
            .values_list("assessment__round_id", "assessment__product__phase", "area_key", column)
            .annotate(n=Count("id"))
            .order_by()
        ):
            getattr(cell(round_id, phase), attr).setdefault(key, Tally())[float(value)] += n
    return out


def _scope_key(scope: Scope) -> str:
    ids = "*" if scope.department_ids is None else ",".join(map(str, sorted(scope.department_ids)))
    return f"{ids}|{scope.phase or ''}"


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
            out[round_id] = {p: Cell.from_json(c) for p, c in cached[key].items()}
    missing = [info.id for info in rounds if info.id not in out]
    counted = _count(missing, scope, cohort_of)
    out.update(counted)
    to_store = {
        keys[pk]: {p: c.as_json() for p, c in counted[pk].items()} for pk in counted if pk in keys
    }
    if to_store:
        cache.set_many(to_store, CACHE_SECONDS)
    return out


def merged(cells: RoundCells) -> Cell:
    total = Cell()
    for c in cells.values():
        total.merge(c)
    return total
