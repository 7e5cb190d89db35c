"""Lineage (DESIGN §2): how the items of a version relate to the version before it, the
diff an admin reads before publishing, and what carrying an answer forward means."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from surveys.core.i18n import LANGS
from surveys.questionnaires.models import Item, QuestionnaireVersion, VersionStatus

SAME, CHANGED, NEW, REPLACES = "same", "changed", "new", "replaces"
LINEAGE_LABELS = {
    SAME: _("same"),
    CHANGED: _("changed"),
    NEW: _("new"),
    REPLACES: _("replaces"),
}
OVERRIDES = (SAME, CHANGED, NEW)


def previous_version(version: QuestionnaireVersion) -> QuestionnaireVersion | None:
    """The version lineage is measured against: the one it was copied from, else the
    newest other published version of the same questionnaire created before it."""
    if version.copied_from_id:
        return version.copied_from
    return (
        QuestionnaireVersion.objects.filter(
            questionnaire_id=version.questionnaire_id,
            status=VersionStatus.PUBLISHED,
            created_at__lte=version.created_at,
        )
        .exclude(pk=version.pk)
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class ItemLineage:
    kind: str  # same, changed, new or replaces
    automatic: str  # what the texts alone say
    replaces: str = ""
    reason: str = ""

    @property
    def overridden(self) -> bool:
        return self.kind != self.automatic and self.kind != REPLACES

    @property
    def label(self) -> str:
        if self.kind == REPLACES:
            return f"{LINEAGE_LABELS[REPLACES]} {self.replaces}"
        return str(LINEAGE_LABELS[self.kind])


def automatic_lineage(item: Item, previous: Mapping[str, Item]) -> str:
    before = previous.get(item.key)
    if before is None:
        return NEW
    return SAME if before.criteria_digest == item.criteria_digest else CHANGED


def item_lineage(item: Item, previous: Mapping[str, Item]) -> ItemLineage:
    automatic = automatic_lineage(item, previous)
    if item.replaces:
        return ItemLineage(REPLACES, automatic, item.replaces, item.lineage_reason)
    return ItemLineage(item.lineage_override or automatic, automatic, "", item.lineage_reason)


def lineage_problems(version: QuestionnaireVersion) -> list[str]:
    """Lineage rules a draft must meet before it is published (on top of the file rules)."""
    before = previous_version(version)
    previous_keys = set(before.items.values_list("key", flat=True)) if before else set()
    problems = []
    for item in version.items.order_by("position"):
        where = f"item {item.key!r}"
        if item.replaces and item.replaces not in previous_keys:
            label = before.label if before else "an earlier version"
            problems.append(f"{where}: replaces {item.replaces!r}, which is not an item of {label}")
        # "Replaces" is a lineage of its own (DESIGN §2, §6.1); only a hand-set one needs a why.
        if item.lineage_override and not item.lineage_reason.strip():
            problems.append(f"{where}: give a reason for setting its lineage by hand")
    return problems


# --- diff -------------------------------------------------------------------------------

TEXT_FIELDS = ("title", "question", "criteria.0", "criteria.0.5", "criteria.1", "na")


def _texts(item: Item) -> dict[str, dict[str, str]]:
    criteria = item.criteria or {}
    return {
        "title": item.title or {},
        "question": item.question or {},
        "criteria.0": criteria.get("0") or {},
        "criteria.0.5": criteria.get("0.5") or {},
        "criteria.1": criteria.get("1") or {},
        "na": item.na or {},
    }


@dataclass
class TextChange:
    field: str
    lang: str
    old: str
    new: str


@dataclass
class DiffEntry:
    kind: str  # added, removed, changed, replaced
    new: Item | None
    old: Item | None
    lineage: ItemLineage | None = None
    changes: list[TextChange] = field(default_factory=list)


def text_changes(old: Item | None, new: Item | None) -> list[TextChange]:
    before = _texts(old) if old else {}
    after = _texts(new) if new else {}
    changes = []
    for name in TEXT_FIELDS:
        for lang in LANGS:
            a = (before.get(name) or {}).get(lang, "")
            b = (after.get(name) or {}).get(lang, "")
            if a != b:
                changes.append(TextChange(name, lang, a, b))
    for name in ("code", "guideline"):
        a, b = getattr(old, name, "") or "", getattr(new, name, "") or ""
        if a != b:
            changes.append(TextChange(name, "", a, b))
    return changes


@dataclass
class VersionDiff:
    previous: QuestionnaireVersion | None
    entries: list[DiffEntry]
    settings: list[TextChange]

    def of(self, kind: str) -> list[DiffEntry]:
        return [e for e in self.entries if e.kind == kind]

    @property
    def added(self) -> list[DiffEntry]:
        return self.of("added")

    @property
    def removed(self) -> list[DiffEntry]:
        return self.of("removed")

    @property
    def changed(self) -> list[DiffEntry]:
        return self.of("changed")

    @property
    def replaced(self) -> list[DiffEntry]:
        return self.of("replaced")

    @property
    def unchanged(self) -> int:
        return sum(1 for e in self.entries if e.kind == "unchanged")


def _settings(version: QuestionnaireVersion) -> dict[str, str]:
    out = {f"title.{lang}": (version.title or {}).get(lang, "") for lang in LANGS}
    out["na_policy"] = version.na_policy
    out["max_na_per_area"] = str(version.max_na_per_area)
    out["na_requires_approval"] = "yes" if version.na_requires_approval else "no"
    return out


def version_diff(version: QuestionnaireVersion) -> VersionDiff:
    """Added, removed, changed and replaced items against the previous version."""
    before = previous_version(version)
    old_items = {i.key: i for i in before.items.order_by("position")} if before else {}
    new_items = list(version.items.order_by("position"))
    entries = []
    for item in new_items:
        lineage = item_lineage(item, old_items)
        old = old_items.get(item.key)
        if lineage.kind == REPLACES:
            source = old_items.get(item.replaces)
            entries.append(DiffEntry("replaced", item, source, lineage, text_changes(source, item)))
        elif old is None:
            entries.append(DiffEntry("added", item, None, lineage, text_changes(None, item)))
        else:
            changes = text_changes(old, item)
            kind = "changed" if changes or lineage.kind != SAME else "unchanged"
            entries.append(DiffEntry(kind, item, old, lineage, changes))
    keys = {i.key for i in new_items}
    for key, old in old_items.items():
        if key not in keys:
            entries.append(DiffEntry("removed", None, old))
    settings = []
    if before is not None:
        a, b = _settings(before), _settings(version)
        settings = [TextChange(k, "", a[k], b[k]) for k in a if a[k] != b[k]]
    return VersionDiff(before, entries, settings)


def removed_items(version: QuestionnaireVersion) -> list[tuple[Item, list[str]]]:
    """Items of the previous version missing from this one, with the keys replacing them."""
    diff = version_diff(version)
    replaced_by: dict[str, list[str]] = {}
    for entry in diff.replaced:
        if entry.new is not None:
            replaced_by.setdefault(entry.new.replaces, []).append(entry.new.key)
    return [(e.old, replaced_by.get(e.old.key, [])) for e in diff.removed if e.old is not None]
