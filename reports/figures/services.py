"""Writes of the reports app: the snapshot of a closed round's report.

When a round closes, its figures are stored (``RoundReport.data``) so pages serve a
closed round from its snapshot instead of recomputing it: its row of the trend, and
its department, phase and item breakdowns. Beside them, ``RoundReport.counts`` keeps its
counts by group of products (``reports.figures.stored``), from which every reader of a
closed round computes its figures, whatever its scope, even the first after a deploy
(DESIGN §5). A closed round's scores only change through an explicit re-scoring or an
import, which store the snapshot again (this round's only).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from reports.figures import selectors, stored
from reports.figures.bottlenecks import capped_by_group, next_steps_by_group
from reports.figures.breakdowns import ancestors_map, by_department, by_phase, item_rows
from reports.figures.caching import counted_live
from reports.figures.selectors import RoundInfo
from reports.figures.tallies import DepartmentCells, department_cells, phase_cells
from reports.figures.trend import Target, figures_from, num, round_head
from surveys.assessments.models import Assessment, AssessmentStatus
from surveys.rounds.models import Round, RoundReport

SNAPSHOT_FORMAT = 1


def round_info(round: Round) -> RoundInfo:
    infos = [info for info in selectors.rounds_of(round.questionnaire) if info.id == round.pk]
    return infos[0]


def round_counts(*, info: RoundInfo, cells: DepartmentCells) -> dict[str, Any]:
    """One round's counts by group of products (``cells``: by department and phase, freshly
    counted), as ``reports.figures.stored`` reads them."""
    return {
        "format": stored.COUNTS_FORMAT,
        stored.CELLS: {
            stored.group_key(department_id, phase): stored.cell_dump(cell)
            for department_id, phases in cells.items()
            for phase, cell in phases.items()
        },
        stored.PHASE_CELLS: {
            phase: stored.cell_dump(cell) for phase, cell in phase_cells(cells).items()
        },
        stored.ITEMS: {
            stored.group_key(*group): counts
            for group, counts in selectors.item_value_counts_by_group(round_id=info.id).items()
        },
        stored.CAPPED: capped_by_group(round_id=info.id),
        stored.NEXT_STEPS: next_steps_by_group(info=info),
        stored.SCORED: {
            stored.group_key(*group): {
                "ids": [pk for pk, _ in rows],
                "finals": [final for _, final in rows],
            }
            for group, rows in selectors.scored_by_group(round_id=info.id).items()
        },
    }


def round_snapshot(*, round: Round) -> dict[str, Any]:
    """The full report of one round, from its stored scores (a few queries)."""
    with counted_live():
        info = round_info(round)
        return _snapshot(info, department_cells([info])[info.id])


def _snapshot(info: RoundInfo, cells: DepartmentCells) -> dict[str, Any]:
    round_pk = info.id
    target = Target.resolve(None)
    ancestors = ancestors_map(selectors.departments_tree())
    counts = selectors.item_value_counts(round_ids=[round_pk])[round_pk]
    items = selectors.items_of({info.version_id}).get(info.version_id, [])
    departments = by_department(info=info, cells=cells, ancestors=ancestors, target=target)
    submitted = Assessment.objects.filter(
        round_id=round_pk, status=AssessmentStatus.SUBMITTED
    ).count()
    return {
        # The round's row of the trend, at the top so a reader finds "targeted" and "scored".
        **round_head(info),
        **figures_from(phase_cells(cells), info.area_keys, target),
        "submitted": submitted,
        "format": SNAPSHOT_FORMAT,
        "target": num(target.value),
        "targets_by_phase": dict(target.by_phase),
        "departments": {str(pk): row for pk, row in departments.items()},
        "phases": by_phase(info=info, cells=cells, target=target),
        "items": item_rows(counts, items),
    }


@transaction.atomic(durable=True)
def round_report_store(*, round: Round) -> RoundReport:
    """Store the snapshot of ``round``'s report and its counts (idempotent: the same round,
    one report), counted afresh from its stored scores: the report is being rebuilt."""
    with counted_live():
        info = round_info(round)
        cells = department_cells([info])[info.id]
        defaults = {
            "data": _snapshot(info, cells),
            "counts": round_counts(info=info, cells=cells),
            "built_at": timezone.now(),
        }
    report, _ = RoundReport.objects.update_or_create(round=round, defaults=defaults)
    return report
