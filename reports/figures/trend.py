"""The trend report of DESIGN §5 and its JSON document of §6.4, from value counts.

``reports.figures.tallies`` counts stored scores per round and value in a few GROUP BY queries;
the figures (``figures_from``) are computed exactly from those counts, for the trend and
for every breakdown alike. Bands come from ``scoring.rules.band_of``: no scoring rule is
re-implemented here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.conf import settings
from django.utils.translation import gettext

from reports.figures import selectors, small_groups
from reports.figures.caching import one_reading
from reports.figures.selectors import EVERYTHING, RoundInfo, Scope
from reports.figures.tallies import RoundCells, merged, round_cells
from scoring.figures import figure
from surveys.core.errors import ApplicationError


def num(value: Any) -> float | None:
    """A figure as JSON carries it (``scoring.figures.figure``)."""
    return figure(value)


@dataclass(frozen=True)
class Target:
    """The score a product should reach. Per-phase targets apply unless one was asked for."""

    value: float
    by_phase: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def resolve(cls, requested: float | None) -> Target:
        if requested is not None:
            if not math.isfinite(requested):
                raise ApplicationError(gettext("The target must be a finite number."))
            return cls(float(requested))
        return cls(float(settings.SCORE_TARGET), dict(settings.SCORE_TARGETS_BY_PHASE))


def baseline_of(rounds: list[RoundInfo], label: str | None) -> RoundInfo | None:
    if not rounds:
        if label:
            raise ApplicationError(
                gettext("Unknown baseline round %(label)r: this questionnaire has none.")
                % {"label": label}
            )
        return None
    if not label:
        return rounds[0]
    for info in rounds:
        if info.label == label:
            return info
    known = ", ".join(info.label for info in rounds)
    raise ApplicationError(
        gettext("Unknown baseline round %(label)r. Rounds: %(known)s.")
        % {"label": label, "known": known}
    )


def round_head(info: RoundInfo) -> dict[str, Any]:
    return {
        "label": info.label,
        "date": info.opens_on.isoformat(),
        "status": info.status,
        "version": info.version_label,
    }


# The exact keys of DESIGN §6.4, in order.
ROUND_KEYS = (
    "label",
    "date",
    "status",
    "version",
    "targeted",
    "scored",
    "final",
    "areas",
    "bands",
    "meeting_target",
    "cohort",
)


def as_document_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in ROUND_KEYS}


def figures_from(cells: RoundCells, area_keys: Iterable[str], target: Target) -> dict[str, Any]:
    """The figures of ``figures`` computed from value counts (``reports.figures.tallies``)."""
    total = merged(cells)
    finals = total.final
    scored = finals.n
    if target.by_phase:
        meeting = sum(
            count
            for phase, cell in cells.items()
            for value, count in cell.final.items()
            if value >= target.by_phase.get(phase, target.value)
        )
    else:
        meeting = sum(count for value, count in finals.items() if value >= target.value)
    keys = list(area_keys)
    return {
        "targeted": total.targeted,
        "scored": scored,
        "response_rate": num(scored / total.targeted) if total.targeted else None,
        "final": {
            "mean": num(finals.mean()),
            "median": num(finals.median()),
            "p25": num(finals.quantile(0.25)),
            "p75": num(finals.quantile(0.75)),
        },
        "areas": {k: num(total.areas[k].mean()) if k in total.areas else None for k in keys},
        "bands": finals.bands(),
        "meeting_target": int(meeting),
        "verified": {
            "mean": num(total.verified.mean()),
            "areas": {
                k: num(total.areas_verified[k].mean()) if k in total.areas_verified else None
                for k in keys
            },
        },
    }


def cohort_from(cells: RoundCells) -> dict[str, Any]:
    finals = merged(cells).final
    return {"scored": finals.n, "mean": num(finals.mean()), "median": num(finals.median())}


@dataclass
class Trend:
    """Everything the pages and exports need; ``document()`` is the JSON of DESIGN §6.4.

    The rows come from value counts; the per-assessment frames (for breakdowns and the
    workbook) are read only when asked for.
    """

    questionnaire: str
    target: Target
    baseline: RoundInfo | None
    rounds: list[RoundInfo]
    rows: list[dict[str, Any]]
    scope: Scope = EVERYTHING
    _frames: tuple[pd.DataFrame, pd.DataFrame] | None = None

    def _load(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        if self._frames is None:
            ids = [info.id for info in self.rounds]
            self._frames = (
                selectors.assessment_frame(round_ids=ids, scope=self.scope),
                selectors.area_score_frame(round_ids=ids, scope=self.scope),
            )
        return self._frames

    @property
    def assessments(self) -> pd.DataFrame:
        return self._load()[0]

    @property
    def area_scores(self) -> pd.DataFrame:
        return self._load()[1]

    def document(self) -> dict[str, Any]:
        return {
            "questionnaire": self.questionnaire,
            "target": num(self.target.value),
            "baseline": self.baseline.label if self.baseline else None,
            "rounds": [as_document_row(row) for row in self.rows],
        }


def trend_build(
    *,
    questionnaire: str,
    baseline: str | None = None,
    target: float | None = None,
    scope: Scope = EVERYTHING,
) -> Trend:
    """Count the stored scores of every round of ``questionnaire`` and compute the trend."""
    q = selectors.questionnaire_get(questionnaire)
    rounds = selectors.rounds_of(q)
    base = baseline_of(rounds, baseline)
    resolved = Target.resolve(target)
    with one_reading():
        cells = round_cells(rounds, scope=scope)
        cohort = round_cells(rounds, scope=scope, cohort_of=base) if base is not None else {}
    rows = [
        # DESIGN §7: a respondent's trend leaves out rounds of fewer than 3 other products.
        small_groups.whole(
            {
                **round_head(info),
                **figures_from(cells.get(info.id, {}), info.area_keys, resolved),
                "cohort": cohort_from(cohort.get(info.id, {})),
            },
            info,
            scope,
        )
        for info in rounds
    ]
    return Trend(q.key, resolved, base, rounds, rows, scope)


def trend_document(
    *,
    questionnaire: str,
    baseline: str | None = None,
    target: float | None = None,
    scope: Scope = EVERYTHING,
) -> dict[str, Any]:
    """The JSON document of DESIGN §6.4, freshly computed from stored scores."""
    return trend_build(
        questionnaire=questionnaire, baseline=baseline, target=target, scope=scope
    ).document()
