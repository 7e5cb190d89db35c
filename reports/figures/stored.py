"""A closed round's counts as stored with its report, and every figure read from them.

DESIGN §5: a closed round's figures are computed once — when it closes, is re-scored or
imported into — and stored; no reader waits for them, even the first after a deploy.
The round's report (``RoundReport.counts``, built by ``reports.round_report_build``)
keeps its counts per group of products — each product's own department and its phase —
the finest grain a page filters by. A reader of any scope (the departments a user may
read, a department with its subtree, a phase) adds up the groups in its scope: a few
dictionaries, no scan of scores or answers.

Figures of an open round, or of a closed round whose report is not built yet, are
counted live from stored scores (``reports.figures.tallies``), and so are figures over
accepted assessments only: a review may accept an assessment of a closed round at any
time, and that rebuilds no report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from reports.figures import selectors
from reports.figures.selectors import ItemCounts, RoundInfo, Scope
from reports.figures.tallies import Cell, DepartmentCells, RoundCells, Tally

# Stored counts of another format are not read: the round is counted live until its
# report is built again.
COUNTS_FORMAT = 1
# The kinds of stored counts, each a key of ``RoundReport.counts``. ``PHASE_CELLS`` holds
# the cells added up over every department, by phase: what most readers (every
# department) need, a thirtieth of the text to decode.
CELLS, ITEMS, CAPPED, NEXT_STEPS, SCORED = "cells", "items", "capped", "next_steps", "scored"
PHASE_CELLS = "phase_cells"


def group_key(department_id: int, phase: str) -> str:
    """The key of one group of products in the stored counts (JSON keys are text)."""
    return f"{department_id}|{phase}"


def group_of(key: str) -> tuple[int, str]:
    department, _, phase = key.partition("|")
    return int(department), phase


def in_scope(key: str, scope: Scope) -> bool:
    """Whether the products of group ``key`` are within ``scope``'s departments and phase."""
    department_id, phase = group_of(key)
    if scope.department_ids is not None and department_id not in scope.department_ids:
        return False
    return not scope.phase or phase == scope.phase


def storable(info: RoundInfo) -> bool:
    """A round whose figures are read from its stored counts: closed, with a built report."""
    return not info.is_provisional and info.report_built is not None


def stored(kind: str, rounds: Iterable[RoundInfo], scope: Scope | None = None) -> dict[int, Any]:
    """Round id → its stored counts of ``kind``, for the rounds that have them (at most one
    query, reading that part of each report only; ``selectors.report_parts``). Nothing for
    a ``scope`` of accepted assessments only: counts that depend on the review are not
    stored."""
    if scope is not None and scope.accepted_only:
        return {}
    return selectors.report_parts(
        [info for info in rounds if storable(info)],
        f"counts__{kind}",
        # The trend page reads two rounds' stored scores for "what moved" every time; the
        # other counts only when the cache lacks the figures made of them.
        keep=kind == SCORED,
        counts__format=COUNTS_FORMAT,
    )


def _groups(counts: Mapping[str, Any], scope: Scope) -> Iterator[tuple[str, Any]]:
    for key, value in counts.items():
        if in_scope(key, scope):
            yield key, value


# Cells: targeted assessments, and tallies of final, verified and area scores.


def cell_dump(cell: Cell) -> dict[str, Any]:
    def tally(t: Tally) -> list[list[float]]:
        return [[value, n] for value, n in sorted(t.items()) if n]

    return {
        "targeted": cell.targeted,
        "final": tally(cell.final),
        "verified": tally(cell.verified),
        "areas": {k: tally(t) for k, t in sorted(cell.areas.items())},
        "areas_verified": {k: tally(t) for k, t in sorted(cell.areas_verified.items())},
    }


def cell_load(data: Mapping[str, Any]) -> Cell:
    def tally(pairs: Iterable[Sequence[float]]) -> Tally:
        return Tally({float(value): int(n) for value, n in pairs})

    return Cell(
        targeted=int(data["targeted"]),
        final=tally(data["final"]),
        verified=tally(data["verified"]),
        areas={k: tally(v) for k, v in data["areas"].items()},
        areas_verified={k: tally(v) for k, v in data["areas_verified"].items()},
    )


def department_cells_of(stored_cells: Mapping[str, Any], scope: Scope) -> DepartmentCells:
    """One round's cells within ``scope``, by each product's own department and phase."""
    out: DepartmentCells = {}
    for key, data in _groups(stored_cells, scope):
        department_id, phase = group_of(key)
        out.setdefault(department_id, {})[phase] = cell_load(data)
    return out


def phase_cells_of(stored_cells: Mapping[str, Any], scope: Scope) -> RoundCells:
    """One round's cells of every department, within ``scope``'s phase, by phase."""
    return {
        phase: cell_load(data)
        for phase, data in stored_cells.items()
        if not scope.phase or phase == scope.phase
    }


def round_cells_of(stored_cells: Mapping[str, Any], scope: Scope) -> RoundCells:
    """One round's cells within ``scope``, by phase."""
    out: RoundCells = {}
    for key, data in _groups(stored_cells, scope):
        out.setdefault(group_of(key)[1], Cell()).merge(cell_load(data))
    return out


# The cohort: the final scores of the products scored in a baseline round.


def scored_products(stored_scored: Mapping[str, Any]) -> set[int]:
    """Every product scored in one round."""
    return {pk for group in stored_scored.values() for pk in group["ids"]}


def cohort_cells_of(stored_scored: Mapping[str, Any], scope: Scope, cohort: set[int]) -> RoundCells:
    """One round's final scores within ``scope`` of the products in ``cohort``, by phase
    (what ``tallies.round_cells`` counts with a baseline: its finals only).

    The groups of a phase are joined first, so a round asks numpy once per phase, not
    once per department and phase (a cold report page reads 19 rounds of about 80 groups).
    """
    members = np.fromiter(cohort, dtype=np.int64, count=len(cohort))
    joined: dict[str, tuple[list[int], list[float]]] = {}
    for key, group in _groups(stored_scored, scope):
        ids, finals = joined.setdefault(group_of(key)[1], ([], []))
        ids.extend(group["ids"])
        finals.extend(group["finals"])
    out: RoundCells = {}
    for phase, (ids, finals) in joined.items():
        tally = out.setdefault(phase, Cell()).final
        in_cohort = np.isin(np.asarray(ids, dtype=np.int64), members)
        chosen = np.asarray(finals, dtype=np.float64)[in_cohort]
        values, counts = np.unique(chosen, return_counts=True)
        for value, n in zip(values.tolist(), counts.tolist(), strict=True):
            tally[float(value)] += int(n)
    return out


def finals_of(stored_scored: Mapping[str, Any], scope: Scope) -> dict[int, float]:
    """Product id → final score of one round's scored products within ``scope``."""
    out: dict[int, float] = {}
    for _, group in _groups(stored_scored, scope):
        out.update(zip(group["ids"], map(float, group["finals"]), strict=True))
    return out


def finals_by_product(info: RoundInfo, scope: Scope) -> dict[int, float]:
    """``selectors.finals_by_product`` of one round, a closed one's from its stored counts."""
    found = stored(SCORED, [info])
    if info.id in found:
        return finals_of(found[info.id], scope)
    return selectors.finals_by_product(round_id=info.id, scope=scope)


# Items, capped areas and next steps: counters added up over the groups in scope.


def item_counts_of(stored_items: Mapping[str, Any], scope: Scope) -> ItemCounts:
    """One round's answers within ``scope`` as (item key, value, how many)."""
    total: Counter[tuple[str, str]] = Counter()
    for _, rows in _groups(stored_items, scope):
        for key, value, n in rows:
            total[(key, value)] += n
    return [(key, value, n) for (key, value), n in sorted(total.items())]


def capped_of(stored_capped: Mapping[str, Any], scope: Scope) -> Counter[str]:
    """Area key → scored products of one round within ``scope`` whose final it sets."""
    total: Counter[str] = Counter()
    for _, counts in _groups(stored_capped, scope):
        total.update(counts)
    return total


def capped_by_department_of(
    stored_capped: Mapping[str, Any], scope: Scope
) -> dict[int, Counter[str]]:
    """As ``capped_of``, by each product's own department."""
    out: dict[int, Counter[str]] = {}
    for key, counts in _groups(stored_capped, scope):
        out.setdefault(group_of(key)[0], Counter()).update(counts)
    return out


def next_steps_of(stored_steps: Mapping[str, Any], scope: Scope) -> tuple[Counter[str], int]:
    """How many products of one round within ``scope`` have each item among their next
    steps, and how many products were looked at."""
    total: Counter[str] = Counter()
    products = 0
    for _, group in _groups(stored_steps, scope):
        total.update(group["items"])
        products += group["products"]
    return total, products
