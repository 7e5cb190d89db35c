"""Breakdowns of DESIGN §5: by department (with sub-departments), by phase, by item.

Computed from value counts (``reports.figures.tallies``); used by the round snapshot
(``reports.figures.services``) and by the pages for rounds whose snapshot does not cover them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from reports.figures.selectors import EVERYTHING, ItemCounts, ItemInfo, RoundInfo, Scope, items_of
from reports.figures.tallies import DepartmentCells, item_counts, phase_cells, subtree_cells
from reports.figures.trend import Target, figures_from, num
from scoring.rules import POINTS

ITEM_VALUES = ("0", "0.5", "1", "NA")


def ancestors_map(tree: Iterable[tuple[int, str, str, int | None]]) -> dict[int, list[int]]:
    """Each department with itself and all its ancestors: a department includes its subtree."""
    parent = {pk: parent_id for pk, _, _, parent_id in tree}
    out: dict[int, list[int]] = {}
    for pk in parent:
        chain: list[int] = []
        seen: set[int] = set()
        node: int | None = pk
        while node is not None and node not in seen:
            seen.add(node)
            chain.append(node)
            node = parent.get(node)
        out[pk] = chain
    return out


def by_department(
    *,
    info: RoundInfo,
    cells: DepartmentCells,
    ancestors: dict[int, list[int]],
    target: Target,
) -> dict[int, dict[str, Any]]:
    """One round's figures per department, each including its sub-departments."""
    return {
        pk: figures_from(phases, info.area_keys, target)
        for pk, phases in subtree_cells(cells, ancestors).items()
    }


def by_phase(
    *, info: RoundInfo, cells: DepartmentCells, target: Target
) -> dict[str, dict[str, Any]]:
    """One round's figures per phase."""
    return {
        phase: figures_from({phase: cell}, info.area_keys, target)
        for phase, cell in phase_cells(cells).items()
    }


def item_tables(
    rounds: Sequence[RoundInfo], scope: Scope = EVERYTHING
) -> dict[int, list[dict[str, Any]]]:
    """Each round's item rows within ``scope`` (closed rounds' counts cached)."""
    counts = item_counts(rounds, scope=scope)
    items = items_of({info.version_id for info in rounds})
    return {
        info.id: item_rows(counts.get(info.id, []), items.get(info.version_id, []))
        for info in rounds
    }


def item_rows(counts: ItemCounts, items: list[ItemInfo]) -> list[dict[str, Any]]:
    """One round's items in questionnaire order: counts and shares of 0 / 0.5 / 1 / N/A.

    ``mean`` is the mean points over the products the item applies to (N/A left out).
    """
    table: dict[str, dict[str, int]] = {}
    for key, value, n in counts:
        if value in ITEM_VALUES:
            table.setdefault(key, dict.fromkeys(ITEM_VALUES, 0))[value] += int(n)
    rows = []
    for item in items:
        tally = table.get(item.key, dict.fromkeys(ITEM_VALUES, 0))
        total = sum(tally.values())
        applicable = total - tally["NA"]
        points = sum(POINTS[v] * tally[v] for v in ("0", "0.5", "1"))
        rows.append(
            {
                "key": item.key,
                "code": item.code,
                "title": item.title,
                "area": item.area_key,
                "guideline": item.guideline,
                "answered": total,
                "counts": tally,
                "shares": {v: num(tally[v] / total) if total else None for v in ITEM_VALUES},
                "mean": num(points / applicable) if applicable else None,
            }
        )
    return rows


def weakest(rows: list[dict[str, Any]], limit: int = 5) -> list[dict[str, Any]]:
    """The items with the lowest mean points (N/A left out), weakest first."""
    rated = [row for row in rows if row["mean"] is not None]
    return sorted(rated, key=lambda row: (row["mean"], row["code"]))[:limit]


def continue_replaced(
    tables: dict[int, list[dict[str, Any]]], successors: dict[str, str]
) -> dict[int, list[dict[str, Any]]]:
    """Each round's item rows keyed by the item that (in the end) replaced theirs, so a
    replaced practice's history continues under its new code."""

    def final(key: str) -> str:
        seen: set[str] = set()
        while key in successors and key not in seen:
            seen.add(key)
            key = successors[key]
        return key

    return {
        round_id: [{**row, "key": final(row["key"])} for row in rows]
        for round_id, rows in tables.items()
    }
