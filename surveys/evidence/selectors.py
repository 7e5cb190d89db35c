"""Reads of CI evidence shared by the API and the pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from surveys.evidence.models import Evidence
from surveys.organisation.models import Product
from surveys.questionnaires.models import Item, VersionStatus


class _PublishedKeys:
    """Item keys of published versions, remembered by the process: a published version
    can be neither changed nor deleted, so a key once seen there stays known. A pipeline
    posting for the same items saves a query per post."""

    def __init__(self) -> None:
        self.keys: frozenset[str] = frozenset()

    def add(self, keys: Iterable[str]) -> None:
        self.keys = self.keys | frozenset(keys)  # one assignment: safe between threads

    def clear(self) -> None:
        self.keys = frozenset()


PUBLISHED_KEYS = _PublishedKeys()


def item_keys_known(keys: Iterable[str]) -> set[str]:
    """Those of ``keys`` that are the key of an item of some questionnaire version."""
    wanted = set(keys)
    if not wanted or wanted <= PUBLISHED_KEYS.keys:
        return wanted
    rows = (
        Item.objects.filter(key__in=wanted)
        .values_list("key", "version__status")
        .distinct()
        .order_by()
    )
    known = set()
    published = set()
    for key, status in rows:
        known.add(key)
        if status == VersionStatus.PUBLISHED:
            published.add(key)
    if published:
        PUBLISHED_KEYS.add(published)
    return known


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
