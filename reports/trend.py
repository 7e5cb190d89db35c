"""The trend report of DESIGN §5 and its JSON document of §6.4, computed with pandas.

Rows come from ``reports.selectors`` in a few set-based queries; everything below the
fetch is plain pandas over stored scores, so the figures of 10,000 products × 20
rounds are a handful of group-bys. Bands come from ``scoring.rules.band_of``: no
scoring rule is re-implemented here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.conf import settings
from django.utils.translation import gettext

from mlopsscore.errors import ApplicationError
from scoring.bands import BAND_KEYS, band_of
from scoring.figures import figure

from . import selectors
from .selectors import EVERYTHING, RoundInfo, Scope


def num(value: Any) -> float | None:
    """A figure as JSON carries it (``scoring.figures.figure``)."""
    return figure(value)


def mean_of(values: pd.Series) -> float | None:
    """The mean with an exactly rounded sum (``math.fsum``), so the 4th decimal never
    depends on the order the values were added in."""
    if values.empty:
        return None
    return math.fsum(values.tolist()) / len(values)


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

    def meeting(self, finals: pd.Series, phases: pd.Series) -> int:
        if not len(finals):
            return 0
        if self.by_phase:
            targets = phases.map(lambda p: self.by_phase.get(p, self.value))
            return int((finals >= targets.astype("float64")).sum())
        return int((finals >= self.value).sum())


def final_stats(finals: pd.Series) -> dict[str, float | None]:
    """Mean, median and quartiles (linear interpolation, the pandas default)."""
    if finals.empty:
        return {"mean": None, "median": None, "p25": None, "p75": None}
    return {
        "mean": num(mean_of(finals)),
        "median": num(finals.median()),
        "p25": num(finals.quantile(0.25)),
        "p75": num(finals.quantile(0.75)),
    }


def band_counts(finals: Iterable[float]) -> dict[str, int]:
    """How many finals fall in each band; ``band_of`` asked once per distinct score."""
    counts = dict.fromkeys(BAND_KEYS, 0)
    tally = pd.Series(finals, dtype="float64").value_counts(sort=False)
    for final, n in zip(tally.index.tolist(), tally.tolist(), strict=True):
        counts[band_of(float(final)).key] += int(n)
    return counts


def area_means(
    area_rows: pd.DataFrame, area_keys: Iterable[str], column: str = "score"
) -> dict[str, float | None]:
    """Each area's mean stored score; assessments where the area has no score are left out."""
    rows = area_rows.dropna(subset=[column])
    means = {key: mean_of(group[column]) for key, group in rows.groupby("area_key", observed=True)}
    return {key: num(means.get(key)) for key in area_keys}


def figures(
    assessments: pd.DataFrame,
    area_rows: pd.DataFrame,
    area_keys: Iterable[str],
    target: Target,
) -> dict[str, Any]:
    """The figures of one round over some assessments (all products, a department, ...)."""
    scored = assessments[assessments["final"].notna()]
    finals = scored["final"]
    scored_area_rows = area_rows[area_rows["assessment_id"].isin(scored["id"])]
    targeted = len(assessments)
    return {
        "targeted": targeted,
        "scored": len(scored),
        "response_rate": num(len(scored) / targeted) if targeted else None,
        "final": final_stats(finals),
        "areas": area_means(scored_area_rows, area_keys),
        "bands": band_counts(finals),
        "meeting_target": target.meeting(finals, scored["phase"]),
        "verified": {
            "mean": num(mean_of(scored["verified"].dropna())),
            "areas": area_means(scored_area_rows, area_keys, "verified"),
        },
    }


def cohort_figures(scored: pd.DataFrame, cohort: set[int]) -> dict[str, Any]:
    finals = scored.loc[scored["product_id"].isin(cohort), "final"]
    return {
        "scored": len(finals),
        "mean": num(mean_of(finals)),
        "median": num(finals.median()) if len(finals) else None,
    }


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


def trend_rows(
    *,
    rounds: list[RoundInfo],
    assessments: pd.DataFrame,
    area_scores: pd.DataFrame,
    baseline: RoundInfo | None,
    target: Target,
) -> list[dict[str, Any]]:
    """Per round: its head, its full figures, and the cohort's (extra keys included)."""
    scored_all = assessments[assessments["final"].notna()]
    cohort: set[int] = set()
    if baseline is not None:
        cohort = set(scored_all.loc[scored_all["round_id"] == baseline.id, "product_id"])
    by_round = dict(iter(assessments.groupby("round_id")))
    areas_by_round = area_scores.merge(
        assessments[["id", "round_id"]], left_on="assessment_id", right_on="id"
    )
    area_groups = dict(iter(areas_by_round.groupby("round_id")))
    empty = assessments.iloc[0:0]
    empty_areas = areas_by_round.iloc[0:0]
    rows = []
    for info in rounds:
        frame = by_round.get(info.id, empty)
        row = {
            **round_head(info),
            **figures(frame, area_groups.get(info.id, empty_areas), info.area_keys, target),
            "cohort": cohort_figures(frame[frame["final"].notna()], cohort),
        }
        rows.append(row)
    return rows


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


@dataclass
class Trend:
    """Everything the pages and exports need; ``document()`` is the JSON of DESIGN §6.4."""

    questionnaire: str
    target: Target
    baseline: RoundInfo | None
    rounds: list[RoundInfo]
    rows: list[dict[str, Any]]
    assessments: pd.DataFrame
    area_scores: pd.DataFrame

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
    """Fetch the stored scores of every round of ``questionnaire`` and compute the trend."""
    q = selectors.questionnaire_get(questionnaire)
    rounds = selectors.rounds_of(q)
    base = baseline_of(rounds, baseline)
    resolved = Target.resolve(target)
    round_ids = [info.id for info in rounds]
    assessments = selectors.assessment_frame(round_ids=round_ids, scope=scope)
    area_scores = selectors.area_score_frame(round_ids=round_ids, scope=scope)
    rows = trend_rows(
        rounds=rounds,
        assessments=assessments,
        area_scores=area_scores,
        baseline=base,
        target=resolved,
    )
    return Trend(q.key, resolved, base, rounds, rows, assessments, area_scores)


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
