"""Bottleneck analytics.

The final score is the minimum of the area scores, so the area that sets it is the real
lever. Per round: how many products each area caps (a product whose two areas tie at
its minimum counts for both), and the items that appear most often in products' "next
steps" (``scoring.rules.next_steps``: no rule is re-implemented here).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, F

from reports.figures import stored
from reports.figures.caching import closed_cached, closed_cached_rounds
from reports.figures.selectors import EVERYTHING, RoundInfo, Scope
from scoring.rules import next_steps
from surveys.assessments.models import Answer, AreaScore
from surveys.assessments.scores import _layout_cached
from surveys.assessments.selectors import submitted_field


def capped_by_round(
    rounds: Sequence[RoundInfo], scope: Scope = EVERYTHING
) -> dict[int, Counter[str]]:
    """``capped_counts`` of every round, closed rounds' from the cache (keyed by when
    their report was built) or their stored counts, the others counted live."""

    def from_stored(infos: list[RoundInfo]) -> dict[int, Counter[str]]:
        found = stored.stored(stored.CAPPED, infos)
        return {pk: stored.capped_of(capped, scope) for pk, capped in found.items()}

    return closed_cached_rounds(
        "capped",
        rounds,
        scope,
        lambda ids: capped_counts(round_ids=ids, scope=scope),
        from_stored=from_stored,
    )


def capped_counts(
    *, round_ids: Sequence[int], scope: Scope = EVERYTHING
) -> dict[int, Counter[str]]:
    """Round id → area key → how many scored products that area caps (one query)."""
    rows = (
        AreaScore.objects.filter(
            assessment__round_id__in=list(round_ids),
            assessment__final_score__isnull=False,
            score=F("assessment__final_score"),
        )
        .filter(scope.q("assessment__product__"))
        .values_list("assessment__round_id", "area_key")
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[int, Counter[str]] = {pk: Counter() for pk in round_ids}
    for round_id, key, n in rows:
        out[round_id][key] += n
    return out


def capped_by_department(
    *, info: RoundInfo, scope: Scope, ancestors: dict[int, list[int]]
) -> dict[int, Counter[str]]:
    """One round: department id (with its sub-departments) → area key → products capped
    (a closed round's from the cache, keyed by when its report was built)."""

    def from_stored() -> dict[int, Counter[str]] | None:
        found = stored.stored(stored.CAPPED, [info])
        return stored.capped_by_department_of(found[info.id], scope) if found else None

    found = closed_cached(
        "capped-departments",
        info,
        scope,
        lambda: _capped_by_department(round_id=info.id, scope=scope),
        from_stored=from_stored,
    )
    out: dict[int, Counter[str]] = {}
    for department_id, counts in found.items():
        for dept in ancestors.get(department_id, [department_id]):
            out.setdefault(dept, Counter()).update(counts)
    return out


def capped_by_group(*, round_id: int) -> dict[str, Counter[str]]:
    """One round's ``capped_counts`` by group of products (``stored.group_key``: each
    product's own department and phase), as the round's report stores them."""
    rows = (
        AreaScore.objects.filter(
            assessment__round_id=round_id,
            assessment__final_score__isnull=False,
            score=F("assessment__final_score"),
        )
        .values_list("assessment__product__department_id", "assessment__product__phase", "area_key")
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[str, Counter[str]] = {}
    for department_id, phase, key, n in rows:
        out.setdefault(stored.group_key(department_id, phase), Counter())[key] += n
    return out


def _capped_by_department(*, round_id: int, scope: Scope) -> dict[int, Counter[str]]:
    rows = (
        AreaScore.objects.filter(
            assessment__round_id=round_id,
            assessment__final_score__isnull=False,
            score=F("assessment__final_score"),
        )
        .filter(scope.q("assessment__product__"))
        .values_list("assessment__product__department_id", "area_key")
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[int, Counter[str]] = {}
    for department_id, key, n in rows:
        out.setdefault(department_id, Counter())[key] += n
    return out


def next_steps_of(info: RoundInfo, scope: Scope = EVERYTHING) -> tuple[Counter[str], int]:
    """``next_step_counts``, kept in the cache for a closed round (its answers never change
    but through a re-score, which rebuilds its report and so changes the key), and read
    from its stored counts when the cache does not hold it."""

    def from_stored() -> tuple[Counter[str], int] | None:
        found = stored.stored(stored.NEXT_STEPS, [info])
        return stored.next_steps_of(found[info.id], scope) if found else None

    return closed_cached(
        "next-steps",
        info,
        scope,
        lambda: next_step_counts(info=info, scope=scope),
        from_stored=from_stored,
    )


def next_step_counts(
    *, info: RoundInfo, scope: Scope = EVERYTHING, limit: int = 5
) -> tuple[Counter[str], int]:
    """How many scored products of one round have each item among their next steps, and
    how many products were looked at (their answers read in one query)."""
    found = _next_step_counts(info=info, scope=scope, limit=limit, grouped=False)
    return found.get("", (Counter(), 0))


def next_steps_by_group(*, info: RoundInfo, limit: int = 5) -> dict[str, dict[str, Any]]:
    """``next_step_counts`` of one round by group of products (``stored.group_key``), as
    the round's report stores them."""
    found = _next_step_counts(info=info, scope=EVERYTHING, limit=limit, grouped=True)
    return {
        key: {"items": dict(counts), "products": products}
        for key, (counts, products) in found.items()
    }


def _next_step_counts(
    *, info: RoundInfo, scope: Scope, limit: int, grouped: bool
) -> dict[str, tuple[Counter[str], int]]:
    layout = _layout_cached(info.version_id)
    position = {
        item_id: (area, n) for area, items in layout.areas for n, (item_id, _) in enumerate(items)
    }
    rows = (
        Answer.objects.filter(assessment__round_id=info.id, assessment__final_score__isnull=False)
        .filter(scope.q("assessment__product__"))
        .order_by("assessment_id")
        .annotate(submitted=submitted_field("value"))
        .values_list(
            "assessment_id",
            "item_id",
            "submitted",
            "assessment__product__department_id",
            "assessment__product__phase",
        )
    )
    out: dict[str, tuple[Counter[str], int]] = {}
    for pairs, department_id, phase in _by_assessment(rows.iterator(chunk_size=5000)):
        group = stored.group_key(department_id, phase) if grouped else ""
        counts, products = out.get(group, (Counter(), 0))
        out[group] = (counts, products + 1)
        areas: dict[str, list[tuple[str, str | None]]] = {
            key: [(item_key, None) for _, item_key in items] for key, items in layout.areas
        }
        for item_id, value in pairs:
            if item_id in position:
                area, n = position[item_id]
                areas[area][n] = (areas[area][n][0], value)
        for step in next_steps(areas, layout.policy, limit=limit):
            counts[step.item_key] += 1
    return out


def _by_assessment(
    rows: Iterable[tuple[int, int, str | None, int, str]],
) -> Iterable[tuple[list[tuple[int, str | None]], int, str]]:
    """Each assessment's (item id, value) pairs, with its product's department and phase."""
    current: int | None = None
    batch: list[tuple[int, str | None]] = []
    place: tuple[int, str] = (0, "")
    for assessment_id, item_id, value, department_id, phase in rows:
        if assessment_id != current and batch:
            yield batch, *place
            batch = []
        current = assessment_id
        place = (department_id, phase)
        batch.append((item_id, value))
    if batch:
        yield batch, *place


def capped_rows(
    rounds: Sequence[RoundInfo], counts: dict[int, Counter[str]], rows: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per round: scored products and, per area, how many it caps and their share."""
    out = []
    for info, row in zip(rounds, rows, strict=True):
        scored = row["scored"]
        tally = counts.get(info.id, Counter())
        out.append(
            {
                "info": info,
                "scored": scored,
                "areas": {
                    key: {
                        "n": tally.get(key, 0),
                        "share": tally.get(key, 0) / scored if scored else None,
                    }
                    for key in info.area_keys
                },
            }
        )
    return out
