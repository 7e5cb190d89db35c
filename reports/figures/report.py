"""What the report pages show, assembled from the trend and the closed rounds' snapshots.

A closed round with a stored snapshot is served from it whenever the snapshot covers
the page's scope (everything, one department with its sub-departments, or one phase)
at the default target; other rounds and other scopes are computed from stored scores.
The cohort always comes from the fresh computation, as it depends on the baseline.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reports.figures import selectors, small_groups
from reports.figures.breakdowns import ancestors_map, by_department, by_phase, item_tables
from reports.figures.caching import closed_cached
from reports.figures.selectors import RoundInfo, Scope
from reports.figures.services import SNAPSHOT_FORMAT
from reports.figures.tallies import DepartmentCells, department_cells
from reports.figures.trend import Target, Trend, figures_from, trend_build
from surveys.organisation.models import Phase
from surveys.rounds.models import RoundStatus

FIGURE_KEYS = (
    "targeted",
    "scored",
    "response_rate",
    "final",
    "areas",
    "bands",
    "meeting_target",
    "verified",
)


@dataclass(frozen=True)
class Filters:
    questionnaire: str
    baseline: str | None = None
    target: float | None = None
    department_id: int | None = None
    phase: str | None = None
    round: str | None = None
    accepted_only: bool = False


@dataclass
class Department:
    id: int
    slug: str
    name: str
    parent_id: int | None
    children: list[int] = field(default_factory=list)


@dataclass
class Report:
    filters: Filters
    visible: Scope  # what the user may read
    scope: Scope  # what the page covers (visible, narrowed by the filters)
    trend: Trend
    rows: list[dict[str, Any]]
    snapshots: dict[int, dict[str, Any]]
    departments: dict[int, Department]
    _cells: dict[int, DepartmentCells] = field(default_factory=dict)

    @property
    def rounds(self) -> list[RoundInfo]:
        return self.trend.rounds

    def selected_round(self) -> RoundInfo | None:
        """The round asked for, else the latest round with any assessment."""
        for info in self.rounds:
            if info.label == self.filters.round:
                return info
        with_data = [
            info for info, row in zip(self.rounds, self.rows, strict=True) if row["targeted"]
        ]
        candidates = with_data or self.rounds
        return candidates[-1] if candidates else None

    def visible_departments(self) -> list[Department]:
        ids = self.visible.department_ids
        return [d for d in self.departments.values() if ids is None or d.id in ids]

    def child_departments(self) -> list[Department]:
        """The departments one level below the selected one (or the visible tops)."""
        selected = self.filters.department_id
        if selected is not None:
            return [self.departments[c] for c in self.departments[selected].children]
        visible = {d.id for d in self.visible_departments()}
        return [
            d
            for d in self.visible_departments()
            if d.parent_id is None or d.parent_id not in visible
        ]

    def breadcrumbs(self) -> list[Department]:
        crumbs: list[Department] = []
        node = self.filters.department_id
        visible = self.visible.department_ids
        while node is not None and (visible is None or node in visible):
            crumbs.insert(0, self.departments[node])
            node = self.departments[node].parent_id
        return crumbs

    def _snapshot_usable(self, info: RoundInfo) -> dict[str, Any] | None:
        data = self.snapshots.get(info.id)
        if (
            info.status != RoundStatus.CLOSED
            or not data
            or data.get("format") != SNAPSHOT_FORMAT
            or self.filters.target is not None
        ):
            return None
        return data

    def snapshot_figures(self, info: RoundInfo, scope: Scope) -> dict[str, Any] | None:
        """This round's stored figures for ``scope``, when its snapshot covers it."""
        data = self._snapshot_usable(info)
        if data is None:
            return None
        if scope.is_everything:
            return data
        dept = self.filters.department_id
        if (
            dept is not None
            and not scope.phase
            and frozenset(_subtree(self.departments, dept)) == scope.department_ids
        ):
            return data.get("departments", {}).get(str(dept)) or _empty_figures(info)
        if scope.department_ids is None and scope.phase:
            return data.get("phases", {}).get(scope.phase) or _empty_figures(info)
        return None

    def cells_of(self, info: RoundInfo) -> DepartmentCells:
        """One round's counts by department and phase within the page's scope. Rounds the
        cache cannot hold (open, or without a built report) are counted together."""
        if info.id not in self._cells:
            wanted = [info] + [
                i
                for i in self.rounds
                if i.id not in self._cells
                and i.id != info.id
                and (i.is_provisional or i.report_built is None)
                and self._snapshot_usable(i) is None
            ]
            self._cells.update(department_cells(wanted, scope=self.scope))
        return self._cells.get(info.id, {})

    def _figures(self, kind: str, info: RoundInfo, compute: Callable[[], Any]) -> Any:
        """``compute()`` for one round, kept in the cache for a closed round (keyed as
        ``closed_key``, and by the target and the department tree)."""
        shape = (
            self.trend.target,
            sorted((d.id, d.parent_id) for d in self.departments.values()),
        )
        digest = hashlib.sha1(repr(shape).encode()).hexdigest()[:16]
        return closed_cached(kind, info, self.scope, compute, digest)

    def department_figures(self, info: RoundInfo) -> dict[int, dict[str, Any]]:
        """One round's figures per department (with sub-departments) within the page's scope."""
        data = self._snapshot_usable(info)
        if data is not None and not self.scope.phase and self.visible.department_ids is None:
            return {int(k): v for k, v in data.get("departments", {}).items()}

        ancestors = ancestors_map(
            (d.id, d.slug, d.name, d.parent_id) for d in self.departments.values()
        )

        def compute() -> dict[int, dict[str, Any]]:
            figures = by_department(
                info=info, cells=self.cells_of(info), ancestors=ancestors, target=self.trend.target
            )
            # Ancestors outside the scope would show only part of their products.
            allowed = self.scope.department_ids
            return {pk: f for pk, f in figures.items() if allowed is None or pk in allowed}

        # DESIGN §7: a respondent never reads a score of fewer than 3 other products.
        return small_groups.by_department(
            self._figures("department-figures", info, compute), info, self.scope, ancestors
        )

    def phase_figures(self, info: RoundInfo) -> dict[str, dict[str, Any]]:
        data = self._snapshot_usable(info)
        if data is not None and self.scope.is_everything:
            return dict(data.get("phases", {}))
        return small_groups.by_phase(
            self._figures(
                "phase-figures",
                info,
                lambda: by_phase(info=info, cells=self.cells_of(info), target=self.trend.target),
            ),
            info,
            self.scope,
        )

    def item_tables(self) -> dict[int, list[dict[str, Any]]]:
        """Per round, its items' shares of 0 / 0.5 / 1 / N/A (snapshot or one query)."""
        out: dict[int, list[dict[str, Any]]] = {}
        live: list[RoundInfo] = []
        for info in self.rounds:
            data = self._snapshot_usable(info)
            if data is not None and self.scope.is_everything and "items" in data:
                out[info.id] = data["items"]
            else:
                live.append(info)
        if live:
            out.update(item_tables(live, self.scope))
        # DESIGN §7: a round whose figures a respondent may not read has no item shares
        # either (the answers of one or two other products would show through).
        for info, row in zip(self.rounds, self.rows, strict=False):
            if row.get("suppressed"):
                out[info.id] = []
        return out


def _subtree(departments: dict[int, Department], root: int) -> set[int]:
    found, stack = set(), [root]
    while stack:
        node = stack.pop()
        if node in found or node not in departments:
            continue
        found.add(node)
        stack.extend(departments[node].children)
    return found


def _empty_figures(info: RoundInfo) -> dict[str, Any]:
    return figures_from({}, info.area_keys, Target.resolve(None))


def departments_index() -> dict[int, Department]:
    departments = {
        pk: Department(pk, slug, name, parent_id)
        for pk, slug, name, parent_id in selectors.departments_tree()
    }
    for department in departments.values():
        if department.parent_id in departments:
            departments[department.parent_id].children.append(department.id)
    return departments


PHASES = [value for value, _ in Phase.choices]


def report_build(*, filters: Filters, visible: Scope) -> Report:
    """The page's report: the fresh trend for the scope, with closed rounds from snapshots."""
    scope = visible.narrowed(department_id=filters.department_id, phase=filters.phase)
    if filters.accepted_only:
        scope = dataclasses.replace(scope, accepted_only=True)
    trend = trend_build(
        questionnaire=filters.questionnaire,
        baseline=filters.baseline,
        target=filters.target,
        scope=scope,
    )
    snapshots = selectors.round_reports(trend.rounds)
    report = Report(filters, visible, scope, trend, [], snapshots, departments_index())
    for info, row in zip(trend.rounds, trend.rows, strict=True):
        stored = report.snapshot_figures(info, scope)
        if stored is not None:
            row = {
                **row,
                **{k: stored[k] for k in FIGURE_KEYS if k in stored},
                "source": "snapshot",
            }
        else:
            row = {**row, "source": "live"}
        report.rows.append(small_groups.whole(row, info, scope))
    return report
