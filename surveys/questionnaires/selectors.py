"""Reads of questionnaire versions shared by several callers."""

from __future__ import annotations

from functools import lru_cache

from surveys.models import Item, QuestionnaireVersion


def _items_load(version_id: int) -> dict[int, Item]:
    return {
        item.pk: item
        for item in Item.objects.filter(version_id=version_id)
        .select_related("area")
        .order_by("position")
    }


_items_cached = lru_cache(maxsize=64)(_items_load)


def version_items(version: QuestionnaireVersion) -> dict[int, Item]:
    """A version's items (with their areas) by id. Published versions never change, so
    theirs are read once per process: an autosave, which runs at every choice a person
    makes, then reads no item. Callers must not change the items they get."""
    if version.is_published:
        return _items_cached(version.pk)
    return _items_load(version.pk)
