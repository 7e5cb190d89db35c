"""Trend figures from value counts.

A final or area score takes few distinct values (sums of half points, rescaled), so the
database counts assessments per round and distinct score — a few hundred rows instead
of a million — and the figures are computed here exactly from those counts: sums with
exact rationals (then rounded once, as ``math.fsum`` would), quartiles by numpy's
linear interpolation, bands by ``scoring.rules.band_of`` once per distinct value.

Which rounds' counts are read from the cache or from stored counts, and which are
counted here, is ``reports.figures.caching``'s rule.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from reports.figures.caching import closed_cached_rounds
from reports.figures.selectors import EVERYTHING, ItemCounts, RoundInfo, Scope, item_value_counts
from scoring.rules import BAND_KEYS, band_of
from surveys.assessments.models import AreaScore, Assessment

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
# Cells of one round by the product's own department (not its subtree), then by phase.
DepartmentCells = dict[int, RoundCells]
# The key of one counted group: a phase, or (department id, phase).
Group = Any


@dataclass
class _Grid:
    """The cells being counted: per round, per group (phase; with departments, department
    and phase), and how a row's grouping columns make a group."""

    round_ids: list[int]
    by_department: bool
    out: dict[int, dict[Group, Cell]] = field(init=False)

    def __post_init__(self) -> None:
        self.out = {pk: {} for pk in self.round_ids}

    @property
    def fields(self) -> list[str]:
        return (
            ["product__department_id", "product__phase"]
            if self.by_department
            else ["product__phase"]
        )

    def group(self, values: Sequence[Any]) -> Group:
        return tuple(values) if self.by_department else values[0]

    def cell(self, round_id: int, key: Group) -> Cell:
        cells = self.out[round_id]
        found = cells.get(key)
        if found is None:
            found = cells[key] = Cell()
        return found

    def add_area(
        self, round_id: int, where: Group, key: str, verified: bool, value: Any, n: int
    ) -> None:
        cell = self.cell(round_id, where)
        tallies = cell.areas_verified if verified else cell.areas
        if key not in tallies:
            tallies[key] = Tally()
        tallies[key][float(value)] += n


def _count(
    round_ids: list[int], scope: Scope, cohort_of: int | None, *, by_department: bool = False
) -> dict[int, dict[Group, Cell]]:
    """Count, per round and group (phase; with ``by_department``, department and phase),
    assessments per final and verified score, and area scores per area and value (four
    GROUP BY queries over stored scores)."""
    grid = _Grid(round_ids, by_department)
    if not round_ids:
        return grid.out
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
    if cohort_of is not None:
        assessments, areas = _in_cohort(assessments, areas, cohort_of)
        _count_finals(grid, assessments)
        return grid.out  # the cohort needs its finals only
    by_ids = _scored_by_id(grid, assessments) if len(round_ids) <= LIVE_BY_IDS else None
    _count_finals(grid, assessments)
    _count_verified(grid, assessments)
    if by_ids is not None:
        _count_areas_by_ids(grid, by_ids)
    else:
        _count_areas_grouped(grid, areas)
    return grid.out


def _in_cohort(
    assessments: QuerySet[Assessment], areas: QuerySet[AreaScore], cohort_of: int
) -> tuple[QuerySet[Assessment], QuerySet[AreaScore]]:
    """Only the products scored in the baseline round ``cohort_of``."""
    cohort = Assessment.objects.filter(
        round_id=cohort_of, final_score__isnull=False, product_id=OuterRef("product_id")
    )
    in_areas = Assessment.objects.filter(
        round_id=cohort_of,
        final_score__isnull=False,
        product_id=OuterRef("assessment__product_id"),
    )
    return assessments.filter(Exists(cohort)), areas.filter(Exists(in_areas))


def _scored_by_id(
    grid: _Grid, assessments: QuerySet[Assessment]
) -> dict[int, tuple[int, Group]] | None:
    """One or two rounds (the open one, the rest cached): their scored assessments by id,
    so their area scores are read by index instead of joining every area score; None when
    there are too many for that."""
    rows = list(
        assessments.filter(final_score__isnull=False).values_list("id", "round_id", *grid.fields)[
            : LIVE_ID_LIMIT + 1
        ]
    )
    if len(rows) > LIVE_ID_LIMIT:
        return None
    return {row[0]: (row[1], grid.group(row[2:])) for row in rows}


def _count_finals(grid: _Grid, assessments: QuerySet[Assessment]) -> None:
    """Targeted assessments per group, and the scored ones per final score."""
    width = len(grid.fields)
    finals = assessments.values_list("round_id", *grid.fields, "final_score")
    for row in finals.annotate(n=Count("id")).order_by():
        round_id, keys, final, n = row[0], row[1 : 1 + width], row[-2], row[-1]
        cell = grid.cell(round_id, grid.group(keys))
        cell.targeted += n
        if final is not None:
            cell.final[float(final)] += n


def _count_verified(grid: _Grid, assessments: QuerySet[Assessment]) -> None:
    width = len(grid.fields)
    for row in (
        assessments.filter(final_score__isnull=False, verified_score__isnull=False)
        .values_list("round_id", *grid.fields, "verified_score")
        .annotate(n=Count("id"))
        .order_by()
    ):
        grid.cell(row[0], grid.group(row[1 : 1 + width])).verified[float(row[-2])] += row[-1]


def _count_areas_by_ids(grid: _Grid, by_ids: dict[int, tuple[int, Group]]) -> None:
    ids = sorted(by_ids)
    # The id range lets the database read the area scores by index (a round's
    # assessments are created together), where an id list alone is often scanned.
    counts: Counter[tuple[int, Group, str, bool, float]] = Counter()
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
    for (round_id, where, key, is_verified, value), n in counts.items():
        grid.add_area(round_id, where, key, is_verified, value, n)


def _count_areas_grouped(grid: _Grid, areas: QuerySet[AreaScore]) -> None:
    width = len(grid.fields)
    prefixed = [f"assessment__{f}" for f in grid.fields]
    for column, is_verified in (("score", False), ("verified_score", True)):
        for row in (
            areas.filter(**{f"{column}__isnull": False})
            .values_list("assessment__round_id", *prefixed, "area_key", column)
            .annotate(n=Count("id"))
            .order_by()
        ):
            where = grid.group(row[1 : 1 + width])
            grid.add_area(row[0], where, row[-3], is_verified, row[-2], row[-1])


def round_cells(
    rounds: Sequence[RoundInfo],
    *,
    scope: Scope = EVERYTHING,
    cohort_of: RoundInfo | None = None,
) -> dict[int, RoundCells]:
    """Counts of every round by phase (with ``cohort_of``: of the products scored in that
    round only): closed rounds with a built report from the cache or their stored counts,
    the others counted live."""
    # The stored counts build on this module (their cells are its cells).
    from reports.figures import stored

    cohort_id = cohort_of.id if cohort_of is not None else None
    if cohort_of is None:
        suffix: str | None = ""
    elif cohort_of.report_built is None:
        suffix = None  # the baseline has no built report: its cohort is counted live
    else:
        suffix = f"{cohort_of.id}@{cohort_of.report_built.isoformat()}"

    def from_stored(infos: list[RoundInfo]) -> dict[int, RoundCells]:
        if cohort_of is None and scope.department_ids is None:
            found = stored.stored(stored.PHASE_CELLS, infos, scope)
            return {pk: stored.phase_cells_of(cells, scope) for pk, cells in found.items()}
        if cohort_of is None:
            found = stored.stored(stored.CELLS, infos, scope)
            return {pk: stored.round_cells_of(cells, scope) for pk, cells in found.items()}
        found = stored.stored(stored.SCORED, infos, scope)
        if not found:
            return {}
        cohort = _scored_products(cohort_of)
        return {pk: stored.cohort_cells_of(s, scope, cohort) for pk, s in found.items()}

    return closed_cached_rounds(
        "cells", rounds, scope, lambda ids: _count(ids, scope, cohort_id), suffix, from_stored
    )


def _scored_products(info: RoundInfo) -> set[int]:
    """The products scored in one round (a cohort's baseline): from its stored counts when
    it has them, else from its stored scores."""
    from reports.figures import stored

    found = stored.stored(stored.SCORED, [info])
    if info.id in found:
        return stored.scored_products(found[info.id])
    return set(
        Assessment.objects.filter(round_id=info.id, final_score__isnull=False).values_list(
            "product_id", flat=True
        )
    )


def department_cells(
    rounds: Sequence[RoundInfo], *, scope: Scope = EVERYTHING, fresh: bool = False
) -> dict[int, DepartmentCells]:
    """Counts of every round by each product's own department and phase (cached as
    ``round_cells``; ``fresh``: counted, whatever the cache holds)."""
    from reports.figures import stored

    def count(ids: list[int]) -> dict[int, DepartmentCells]:
        out: dict[int, DepartmentCells] = {}
        for round_id, cells in _count(ids, scope, None, by_department=True).items():
            nested: DepartmentCells = out.setdefault(round_id, {})
            for (department_id, phase), cell in cells.items():
                nested.setdefault(department_id, {})[phase] = cell
        return out

    def from_stored(infos: list[RoundInfo]) -> dict[int, DepartmentCells]:
        found = stored.stored(stored.CELLS, infos, scope)
        return {pk: stored.department_cells_of(cells, scope) for pk, cells in found.items()}

    if fresh:
        return closed_cached_rounds("departments", rounds, scope, count, None)
    return closed_cached_rounds("departments", rounds, scope, count, "", from_stored)


def item_counts(rounds: Sequence[RoundInfo], *, scope: Scope = EVERYTHING) -> dict[int, ItemCounts]:
    """Per round, its answers counted by item and value (cached as ``round_cells``)."""
    from reports.figures import stored

    def from_stored(infos: list[RoundInfo]) -> dict[int, ItemCounts]:
        found = stored.stored(stored.ITEMS, infos, scope)
        return {pk: stored.item_counts_of(items, scope) for pk, items in found.items()}

    return closed_cached_rounds(
        "items",
        rounds,
        scope,
        lambda ids: item_value_counts(round_ids=ids, scope=scope),
        from_stored=from_stored,
    )


def subtree_cells(cells: DepartmentCells, ancestors: Mapping[int, list[int]]) -> DepartmentCells:
    """Each department's cells with its sub-departments' merged in (new cells: the
    counted ones, maybe cached, are left as they are)."""
    out: DepartmentCells = {}
    for department_id, phases in cells.items():
        for owner in ancestors.get(department_id, [department_id]):
            mine = out.setdefault(owner, {})
            for phase, cell in phases.items():
                mine.setdefault(phase, Cell()).merge(cell)
    return out


def phase_cells(cells: DepartmentCells) -> RoundCells:
    """One round's cells by phase, over every department."""
    out: RoundCells = {}
    for phases in cells.values():
        for phase, cell in phases.items():
            out.setdefault(phase, Cell()).merge(cell)
    return out


def merged(cells: RoundCells) -> Cell:
    total = Cell()
    for c in cells.values():
        total.merge(c)
    return total
