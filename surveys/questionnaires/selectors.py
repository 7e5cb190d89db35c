"""Reads of questionnaires: the studio's overview, a version's items for the pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _

from surveys.audit.models import AuditEvent
from surveys.core.i18n import LANGS
from surveys.questionnaires.lineage import ItemLineage, item_lineage, previous_version
from surveys.questionnaires.models import Item, Questionnaire, QuestionnaireVersion


@dataclass
class VersionRow:
    version: QuestionnaireVersion
    rounds: list[str]

    @property
    def state(self) -> str:
        if self.version.archived_at:
            return "archived"
        return self.version.status


@dataclass
class QuestionnaireRow:
    questionnaire: Questionnaire
    versions: list[VersionRow] = field(default_factory=list)


def questionnaires_overview() -> list[QuestionnaireRow]:
    """Every questionnaire with its versions and the rounds using each (two queries)."""
    rows: dict[int, QuestionnaireRow] = {}
    versions = QuestionnaireVersion.objects.select_related("questionnaire").prefetch_related(
        "rounds"
    )
    for version in versions.order_by("questionnaire__key", "created_at", "pk"):
        row = rows.setdefault(version.questionnaire_id, QuestionnaireRow(version.questionnaire))
        labels = [r.label for r in sorted(version.rounds.all(), key=lambda r: r.opens_on)]
        row.versions.append(VersionRow(version, labels))
    return list(rows.values())


TEXT_ROWS = (
    ("title", _("Title"), False),
    ("question", _("Question"), True),
    ("criteria.0", _("Criteria for 0"), True),
    ("criteria.0.5", _("Criteria for 0.5"), True),
    ("criteria.1", _("Criteria for 1"), True),
    ("na", _("N/A applies when"), True),
)
LANG_NAMES = {"en": "English", "ja": "日本語"}


@dataclass
class ItemBlock:
    item: Item
    lineage: ItemLineage

    @property
    def text_rows(self) -> list[dict[str, Any]]:
        """The bilingual texts of the editor, one row per text, a cell per language."""
        criteria = self.item.criteria or {}
        texts = {
            "title": self.item.title,
            "question": self.item.question,
            "criteria.0": criteria.get("0"),
            "criteria.0.5": criteria.get("0.5"),
            "criteria.1": criteria.get("1"),
            "na": self.item.na,
        }
        return [
            {
                "name": name,
                "label": label,
                "multiline": multiline,
                "cells": [
                    {
                        "field": f"{name}.{lang}",
                        "lang": lang,
                        "lang_name": LANG_NAMES[lang],
                        "value": (texts[name] or {}).get(lang, ""),
                    }
                    for lang in LANGS
                ],
            }
            for name, label, multiline in TEXT_ROWS
        ]


@dataclass
class AreaBlock:
    area: Any
    items: list[ItemBlock]


def version_layout(version: QuestionnaireVersion) -> list[AreaBlock]:
    """The version's areas in order, each with its items and their lineage."""
    before = previous_version(version)
    previous = {i.key: i for i in before.items.all()} if before else {}
    items: dict[int, list[ItemBlock]] = {}
    for item in version.items.order_by("position"):
        items.setdefault(item.area_id, []).append(ItemBlock(item, item_lineage(item, previous)))
    return [AreaBlock(area, items.get(area.pk, [])) for area in version.areas.order_by("position")]


def last_event_id(version: QuestionnaireVersion) -> int:
    latest = (
        AuditEvent.objects.filter(subject_type="questionnaireversion", subject_id=version.pk)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return latest or 0


def draft_changes_since(version: QuestionnaireVersion, after: int, user: Any) -> list[AuditEvent]:
    """Changes other people made to the draft since event ``after``."""
    return list(
        AuditEvent.objects.filter(
            subject_type="questionnaireversion", subject_id=version.pk, id__gt=after
        )
        .exclude(by=user)
        .select_related("by")
        .order_by("id")[:50]
    )


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
