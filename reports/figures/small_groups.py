"""Small groups (DESIGN §7): aggregates shown to a respondent leave out any group of fewer
than 3 scored products other than their own, so no figure reveals another product's
score. The group's counts (targeted, scored) stay; its scores are withheld and marked
``suppressed`` so the page and the export say why a figure is missing.

A group of the respondent's own products only reveals nothing about anyone else, and is
shown. Managers and admins (scopes without ``listed_product_ids``) see every figure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from reports.figures.selectors import RoundInfo, Scope
from surveys.assessments.models import Assessment

MIN_OTHERS = 3
_SCORE_KEYS = ("mean", "median", "p25", "p75")


def applies(scope: Scope) -> bool:
    """A respondent's scope: they may list some products' rows, not every product's."""
    return scope.listed_product_ids is not None


def own_scored(info: RoundInfo, scope: Scope) -> list[tuple[int | None, str]]:
    """(department, phase) of each of the reader's own products scored in the round,
    within the scope's phase."""
    if not scope.listed_product_ids:
        return []
    rows = Assessment.objects.filter(
        round_id=info.id,
        product_id__in=sorted(scope.listed_product_ids),
        final_score__isnull=False,
    )
    if scope.phase:
        rows = rows.filter(product__phase=scope.phase)
    return list(rows.values_list("product__department_id", "product__phase"))


def hidden(figures: Mapping[str, Any], own: int) -> bool:
    others = (figures.get("scored") or 0) - own
    return 0 < others < MIN_OTHERS


def withheld(figures: Mapping[str, Any]) -> dict[str, Any]:
    """The figures with every score taken out, marked ``suppressed``."""
    out = dict(figures)
    if "final" in out:
        out["final"] = {**out["final"], **dict.fromkeys(_SCORE_KEYS)}
    if "areas" in out:
        out["areas"] = dict.fromkeys(out["areas"] or {})
    if "bands" in out:
        out["bands"] = dict.fromkeys(out["bands"] or {}, None)
    if "meeting_target" in out:
        out["meeting_target"] = None
    if "verified" in out:
        verified = out["verified"] or {}
        out["verified"] = {"mean": None, "areas": dict.fromkeys(verified.get("areas") or {})}
    if isinstance(out.get("cohort"), dict):
        out["cohort"] = {**out["cohort"], "mean": None, "median": None}
    out["suppressed"] = True
    return out


def by_department(
    figures: Mapping[int, dict[str, Any]],
    info: RoundInfo,
    scope: Scope,
    ancestors: Mapping[int, list[int]],
) -> dict[int, dict[str, Any]]:
    """Department figures (each with its sub-departments) as the respondent may see them."""
    if not applies(scope):
        return dict(figures)
    own: Counter[int] = Counter()
    for department_id, _phase in own_scored(info, scope):
        if department_id is None:
            continue
        for owner in ancestors.get(department_id, [department_id]):
            own[owner] += 1
    return {pk: withheld(f) if hidden(f, own[pk]) else f for pk, f in figures.items()}


def by_phase(
    figures: Mapping[str, dict[str, Any]], info: RoundInfo, scope: Scope
) -> dict[str, dict[str, Any]]:
    if not applies(scope):
        return dict(figures)
    own = Counter(phase for _department, phase in _within(info, scope))
    return {p: withheld(f) if hidden(f, own[p]) else f for p, f in figures.items()}


def whole(figures: dict[str, Any], info: RoundInfo, scope: Scope) -> dict[str, Any]:
    """The scope's figures for one round (a trend row) as the respondent may see them."""
    if not applies(scope) or not hidden(figures, len(_within(info, scope))):
        return figures
    return withheld(figures)


def _within(info: RoundInfo, scope: Scope) -> list[tuple[int | None, str]]:
    ids = scope.department_ids
    return [(d, p) for d, p in own_scored(info, scope) if ids is None or d in ids]
