"""The product scorecard: every product the reader may see, one row each.

The figures come from the latest closed round (or the closed round chosen on the page);
the change is against the closed round before it, never against an open round. Sorting,
filtering and paging happen in the database, so a page of 10,000 products reads only
the rows it shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from reports.figures.movement import previous_closed
from reports.figures.selectors import RoundInfo, Scope
from surveys.assessments.models import AreaScore, Assessment
from surveys.organisation.models import Product
from surveys.organisation.selectors import products_visible_to

PER_PAGE = 100
# Sort keys of the page and the columns they order by.
SORTS = {
    "name": "name",
    "department": "department__name",
    "phase": "phase",
    "final": "final",
    "verified": "verified",
    "gap": "gap",
    "change": "change",
    "status": "open_status",
    "activity": "last_activity",
}
# A band as a filter on the final score (DESIGN §3: upper bounds inclusive).
BAND_FILTERS: dict[str, Q] = {
    "0": Q(final=0),
    "(0,1]": Q(final__gt=0, final__lte=1),
    "(1,2]": Q(final__gt=1, final__lte=2),
    "(2,3]": Q(final__gt=2, final__lte=3),
    "(3,5]": Q(final__gt=3, final__lte=5),
    ">5": Q(final__gt=5),
    "none": Q(final__isnull=True),
}


@dataclass(frozen=True)
class Rounds:
    """The rounds a scorecard reads: its closed round, the one before, and an open one."""

    current: RoundInfo | None
    previous: RoundInfo | None
    open: RoundInfo | None


def rounds_for(
    rounds: Sequence[RoundInfo], rows: Sequence[dict[str, Any]], label: str | None
) -> Rounds:
    """The chosen closed round (else the latest closed one with scores) and its neighbours."""
    closed = [
        info
        for info, row in zip(rounds, rows, strict=True)
        if not info.is_provisional and row["scored"]
    ]
    current = next((info for info in closed if info.label == label), None)
    if current is None and closed:
        current = closed[-1]
    open_rounds = [
        info
        for info, row in zip(rounds, rows, strict=True)
        if info.is_provisional and row["targeted"]
    ]
    return Rounds(
        current=current,
        previous=previous_closed(rounds, current) if current else None,
        open=open_rounds[-1] if open_rounds else None,
    )


def _of_round(round_id: int | None, field: str) -> Subquery | None:
    if round_id is None:
        return None
    return Subquery(
        Assessment.objects.filter(product_id=OuterRef("pk"), round_id=round_id).values(field)[:1]
    )


def scorecard_queryset(
    *, user: Any, scope: Scope, rounds: Rounds, search: str = "", band: str = "", sort: str = "name"
) -> QuerySet[Product]:
    """The reader's products (DESIGN §7) within the page's scope, annotated and ordered."""
    from django.db.models import FloatField, Value
    from django.db.models.functions import Cast

    current = rounds.current.id if rounds.current else None
    previous = rounds.previous.id if rounds.previous else None
    # A typed NULL: PostgreSQL cannot subtract two untyped NULLs (no round to compare).
    null = Cast(Value(None), FloatField())
    qs = (
        products_visible_to(user)
        .filter(scope.q())
        .select_related("department")
        .annotate(
            final=_of_round(current, "final_score") or null,
            verified=_of_round(current, "verified_score") or null,
            previous_final=_of_round(previous, "final_score") or null,
            open_status=_of_round(rounds.open.id if rounds.open else None, "status") or Value(""),
            last_activity=Subquery(
                Assessment.objects.filter(product_id=OuterRef("pk"))
                .order_by("-updated_at")
                .values("updated_at")[:1]
            ),
        )
        .annotate(change=F("final") - F("previous_final"), gap=F("final") - F("verified"))
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(slug__icontains=search))
    if band in BAND_FILTERS:
        qs = qs.filter(BAND_FILTERS[band])
    descending = sort.startswith("-")
    column = SORTS.get(sort.lstrip("-"), "name")
    order = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    return qs.order_by(order, "name", "pk")


def bottlenecks_of(*, round_id: int | None, product_ids: Sequence[int]) -> dict[int, list[str]]:
    """Product id → the keys of its areas whose score is its final score (ties: several)."""
    if round_id is None or not product_ids:
        return {}
    out: dict[int, list[str]] = {}
    for product_id, key in (
        AreaScore.objects.filter(
            assessment__round_id=round_id,
            assessment__product_id__in=list(product_ids),
            score=F("assessment__final_score"),
        )
        .order_by("assessment__product_id", "id")
        .values_list("assessment__product_id", "area_key")
    ):
        out.setdefault(product_id, []).append(key)
    return out


def scorecard_chunks(
    qs: QuerySet[Product], round_id: int | None, size: int = 2000
) -> Iterator[tuple[Product, list[str]]]:
    """Every row with its bottleneck areas, read in chunks (for the CSV export)."""
    batch: list[Product] = []
    for product in qs.iterator(chunk_size=size):
        batch.append(product)
        if len(batch) == size:
            yield from _with_bottlenecks(batch, round_id)
            batch = []
    yield from _with_bottlenecks(batch, round_id)


def _with_bottlenecks(
    batch: list[Product], round_id: int | None
) -> Iterator[tuple[Product, list[str]]]:
    areas = bottlenecks_of(round_id=round_id, product_ids=[p.pk for p in batch])
    for product in batch:
        yield product, areas.get(product.pk, [])
