"""Writes of the reports app: the snapshot of a closed round's report.

When a round closes, its figures are stored (``RoundReport.data``) so pages serve a
closed round from its snapshot instead of recomputing it: its row of the trend, and
its department, phase and item breakdowns. The trend JSON of DESIGN §6.4 is still
computed afresh from stored scores; a closed round's scores only change through an
explicit re-scoring, which stores the snapshot again.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from reports.figures import selectors
from reports.figures.breakdowns import ancestors_map, by_department, by_phase, item_rows
from reports.figures.selectors import RoundInfo
from reports.figures.tallies import department_cells, phase_cells
from reports.figures.trend import Target, figures_from, num, round_head
from surveys.assessments.models import Assessment, AssessmentStatus
from surveys.rounds.models import Round, RoundReport

SNAPSHOT_FORMAT = 1


def round_info(round: Round) -> RoundInfo:
    infos = [info for info in selectors.rounds_of(round.questionnaire) if info.id == round.pk]
    return infos[0]


def round_snapshot(*, round: Round) -> dict[str, Any]:
    """The full report of one round, from its stored scores (a few queries)."""
    info = round_info(round)
    cells = department_cells([info], fresh=True)[info.id]  # its report is being rebuilt
    target = Target.resolve(None)
    ancestors = ancestors_map(selectors.departments_tree())
    counts = selectors.item_value_counts(round_ids=[round.pk])[round.pk]
    items = selectors.items_of({round.version_id}).get(round.version_id, [])
    departments = by_department(info=info, cells=cells, ancestors=ancestors, target=target)
    submitted = Assessment.objects.filter(round=round, status=AssessmentStatus.SUBMITTED).count()
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
    """Store the snapshot of ``round``'s report (idempotent: the same round, one report)."""
    report, _ = RoundReport.objects.update_or_create(
        round=round, defaults={"data": round_snapshot(round=round), "built_at": timezone.now()}
    )
    return report
