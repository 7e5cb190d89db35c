"""Reads of CI evidence shared by the API and the pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from surveys.models import Evidence, Item, Product


def item_keys_known(keys: Iterable[str]) -> set[str]:
    """Those of ``keys`` that are the key of an item of some questionnaire version."""
    wanted = set(keys)
    if not wanted:
        return set()
    return set(
        Item.objects.filter(key__in=wanted).values_list("key", flat=True).distinct().order_by()
    )


def evidence_of_product(
    *, product: Product, item: str | None = None, since: datetime | None = None
) -> QuerySet[Evidence]:
    """A product's evidence, newest observation first."""
    rows = Evidence.objects.filter(product=product)
    if item:
        rows = rows.filter(item_key=item)
    if since is not None:
        rows = rows.filter(observed_at__gte=since)
    return rows.select_related("product", "origin").order_by("-observed_at", "-id")
