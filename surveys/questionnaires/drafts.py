"""Editing a draft questionnaire version in the studio: settings, areas, items, lineage,
upload and publish. Every change bumps a revision (an edit based on an older one is a
conflict, as on the assessment page) and is recorded in the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from scoring.rules import NaPolicy
from surveys.audit.models import AuditCategory
from surveys.audit.services import audit_record, changes_of
from surveys.core.actors import Actor
from surveys.core.errors import ApplicationError
from surveys.core.i18n import LANGS
from surveys.questionnaires.lineage import OVERRIDES, lineage_problems
from surveys.questionnaires.models import Area, Item, Questionnaire, QuestionnaireVersion
from surveys.questionnaires.services import (
    CRITERIA_KEYS,
    KEY_RE,
    _canonical,
    _digest,
    criteria_digest,
    questionnaire_load,
    questionnaire_problems,
    version_copy,
    version_publish,
    version_to_dict,
)


class DraftConflict(ApplicationError):
    """Someone else saved this part of the draft since the editor loaded it."""

    def __init__(self, current: Item | Area | QuestionnaireVersion) -> None:
        super().__init__(
            "Someone else changed this since you loaded it. Choose which version to keep."
        )
        self.current = current


def _draft(version: QuestionnaireVersion) -> QuestionnaireVersion:
    locked = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if locked.is_published:
        raise ApplicationError(
            gettext("%(label)s is published and cannot change; copy it to a new draft version.")
            % {"label": locked.label}
        )
    return locked


def _check_base(current: Any, base_revision: int | None) -> None:
    if base_revision is not None and base_revision != current.revision:
        raise DraftConflict(current)


def _record(
    version: QuestionnaireVersion, by: Actor, action: str, target: str, **data: Any
) -> None:
    audit_record(
        by=by,
        category=AuditCategory.QUESTIONNAIRES,
        action=action,
        subject=version,
        target=f"{version.label} {target}".strip(),
        **data,
    )


def text_map(value: Any, current: Any = None) -> dict[str, str]:
    """A language map from the editor over the stored one: empty languages are dropped,
    text is kept as typed, so an untouched text keeps its criteria digest."""
    value = value if isinstance(value, dict) else {}
    out = {k: v for k, v in (current or {}).items() if k not in LANGS and isinstance(v, str)}
    for lang in LANGS:
        text = str(value.get(lang) or "")
        if text.strip():
            out[lang] = text
    return out


# --- versions ---------------------------------------------------------------------------


@transaction.atomic(durable=True)
def draft_create(
    *, version: QuestionnaireVersion, new_version: str, by: Actor
) -> QuestionnaireVersion:
    """Copy a published version into a new draft."""
    if not KEY_RE.match(new_version or ""):
        raise ApplicationError(
            gettext(
                "The new version must be lowercase letters, digits, '.', '_', '-' "
                "(for example 2027.1)."
            )
        )
    copy = version_copy(version=version, new_version=new_version)
    _record(copy, by, "version.copied", "", copied_from=version.label)
    return copy


@transaction.atomic(durable=True)
def draft_settings_save(
    *, version: QuestionnaireVersion, fields: dict[str, Any], base_revision: int | None, by: Actor
) -> QuestionnaireVersion:
    version = _draft(version)
    _check_base(version, base_revision)
    policy = str(fields.get("na_policy") or version.na_policy)
    if policy not in {p.value for p in NaPolicy}:
        raise ApplicationError(
            gettext("na_policy %(policy)r must be 'rescale' or 'drop'") % {"policy": policy}
        )
    try:
        max_na = int(fields.get("max_na_per_area", version.max_na_per_area))
    except (TypeError, ValueError):
        max_na = -1
    if not 0 <= max_na <= 100:
        raise ApplicationError(gettext("The N/A cap must be a whole number from 0 to 100."))
    before = _settings_of(version)
    version.title = text_map(fields.get("title", version.title), version.title)
    version.na_policy = policy
    version.max_na_per_area = max_na
    version.na_requires_approval = bool(fields.get("na_requires_approval"))
    version.revision += 1
    version.save()
    _record(version, by, "version.settings", "", changes=changes_of(before, _settings_of(version)))
    return version


def _settings_of(version: QuestionnaireVersion) -> dict[str, Any]:
    return {
        "title": version.title,
        "na_policy": version.na_policy,
        "max_na_per_area": version.max_na_per_area,
        "na_requires_approval": version.na_requires_approval,
    }


@transaction.atomic(durable=True)
def draft_upload(*, version: QuestionnaireVersion, data: Any, by: Actor) -> QuestionnaireVersion:
    """Replace a draft's content with a questionnaire file (DESIGN §6.1)."""
    version = _draft(version)
    if isinstance(data, dict):
        if data.get("key") not in (None, version.questionnaire.key):
            raise ApplicationError(
                gettext("The file is for questionnaire %(given)r, not %(key)r.")
                % {"given": data.get("key"), "key": version.questionnaire.key}
            )
        data = {**data, "key": version.questionnaire.key, "version": version.version}
    loaded, _ = questionnaire_load(data=data)
    QuestionnaireVersion.objects.filter(pk=loaded.pk).update(revision=version.revision + 1)
    loaded.refresh_from_db()
    _record(loaded, by, "version.uploaded", "")
    return loaded


@transaction.atomic(durable=True)
def file_load(*, data: Any, by: Actor) -> QuestionnaireVersion:
    """A new draft from a file; a file naming an existing version is refused here."""
    if (
        isinstance(data, dict)
        and QuestionnaireVersion.objects.filter(
            questionnaire__key=data.get("key"), version=data.get("version")
        ).exists()
    ):
        raise ApplicationError(
            gettext(
                "%(key)s@%(version)s already exists: upload into that draft from its page, "
                "or choose a new version."
            )
            % {"key": data.get("key"), "version": data.get("version")}
        )
    version, _ = questionnaire_load(data=data)
    _record(version, by, "version.loaded", "")
    return version


def _english_problems(version: QuestionnaireVersion) -> list[str]:
    """Every required text has its English: a reader whose language a text lacks is shown
    the English (DESIGN §2: text is bilingual), so a text in Japanese only shows English
    readers Japanese. The studio drops a language left blank, so blanking the English of a
    text leaves the other language alone; an empty text is one of the file rules."""
    texts: list[tuple[str, Any]] = [("title", version.title)]
    texts += [(f"area {a.key!r}: title", a.title) for a in version.areas.order_by("position")]
    for item in version.items.select_related("area").order_by("area__position", "position"):
        where = f"area {item.area.key!r}, item {item.key!r}"
        texts += [(f"{where}: title", item.title), (f"{where}: question", item.question)]
        texts += [(f"{where}: criteria {k}", item.criteria.get(k)) for k in CRITERIA_KEYS]
        if item.na_allowed:
            texts.append((f"{where}: na", item.na))
    return [f"{where}: the English text is empty" for where, text in texts if _lacks_english(text)]


def _lacks_english(text: Any) -> bool:
    if not isinstance(text, dict) or not any(str(v).strip() for v in text.values()):
        return False
    return not str(text.get("en") or "").strip()


def draft_problems(version: QuestionnaireVersion) -> list[str]:
    """What stops the draft from being published: the file rules, every required text in
    English, then the lineage rules."""
    return (
        questionnaire_problems(version_to_dict(version=version))
        + _english_problems(version)
        + lineage_problems(version)
    )


@transaction.atomic(durable=True)
def draft_publish(*, version: QuestionnaireVersion, by: Actor) -> QuestionnaireVersion:
    version = _draft(version)
    problems = draft_problems(version)
    if problems:
        raise ApplicationError(gettext("The draft cannot be published yet."), details=problems)
    content_hash = _digest(_canonical(version_to_dict(version=version)))
    QuestionnaireVersion.objects.filter(pk=version.pk).update(content_hash=content_hash)
    published = version_publish(version=version)
    _record(published, by, "version.published", "")
    return published


@transaction.atomic(durable=True)
def version_archive(*, version: QuestionnaireVersion, by: Actor) -> None:
    if not version.is_published:
        raise ApplicationError(
            gettext("Only a published version is archived; delete a draft instead.")
        )
    running = version.rounds.exclude(status="closed").order_by("opens_on").first()
    if version.archived_at is None and running is not None:
        # A round that is open or scheduled needs its version (DESIGN §4).
        raise ApplicationError(
            gettext("%(label)s is used by round %(round)s, which is not closed: it stays.")
            % {"label": version.label, "round": running.label}
        )
    version.archived_at = None if version.archived_at else timezone.now()
    version.save(update_fields=["archived_at"])
    action = "version.archived" if version.archived_at else "version.unarchived"
    _record(version, by, action, "")


@transaction.atomic(durable=True)
def draft_delete(*, version: QuestionnaireVersion, by: Actor) -> None:
    version = _draft(version)
    if version.rounds.exists():
        raise ApplicationError(
            gettext("%(label)s is used by a round and cannot be deleted.")
            % {"label": version.label}
        )
    _record(version, by, "version.deleted", "")
    version.delete()


# --- positions --------------------------------------------------------------------------


def _renumber(version: QuestionnaireVersion) -> None:
    """Areas 0..n, and items numbered in area order (the respondent's page order)."""
    areas = list(version.areas.order_by("position", "pk"))
    for index, area in enumerate(areas):
        area.position = index
    Area.objects.bulk_update(areas, ["position"])
    items = list(version.items.order_by("area__position", "position", "pk"))
    for index, item in enumerate(items):
        item.position = index
    Item.objects.bulk_update(items, ["position"])


def _swap(rows: list[Any], row: Any, direction: str) -> bool:
    index = [r.pk for r in rows].index(row.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rows):
        return False
    rows[index].position, rows[other].position = rows[other].position, rows[index].position
    type(row).objects.bulk_update([rows[index], rows[other]], ["position"])
    return True


# --- areas ------------------------------------------------------------------------------


def _check_area_key(version: QuestionnaireVersion, key: str, exclude: int | None = None) -> None:
    if not KEY_RE.match(key or ""):
        raise ApplicationError(
            gettext("area %(key)r: key must be lowercase letters, digits, '.', '_', '-'")
            % {"key": key}
        )
    if version.areas.filter(key=key).exclude(pk=exclude or 0).exists():
        raise ApplicationError(
            gettext("area %(key)r: the key is used by another area") % {"key": key}
        )


@transaction.atomic(durable=True)
def area_add(*, version: QuestionnaireVersion, key: str, title: Any, by: Actor) -> Area:
    version = _draft(version)
    key = (key or "").strip()
    _check_area_key(version, key)
    position = (version.areas.aggregate(m=Max("position"))["m"] or 0) + 1
    area = Area.objects.create(version=version, key=key, position=position, title=text_map(title))
    _renumber(version)
    _record(version, by, "area.added", key)
    return area


@transaction.atomic(durable=True)
def area_save(*, area: Area, fields: dict[str, Any], base_revision: int | None, by: Actor) -> Area:
    version = _draft(area.version)
    area = Area.objects.select_for_update().get(pk=area.pk)
    _check_base(area, base_revision)
    key = str(fields.get("key", area.key)).strip()
    _check_area_key(version, key, exclude=area.pk)
    before = {"key": area.key, "title": area.title}
    area.key, area.title = key, text_map(fields.get("title", area.title), area.title)
    area.revision += 1
    area.save()
    after = {"key": area.key, "title": area.title}
    _record(version, by, "area.changed", key, area=area.pk, changes=changes_of(before, after))
    return area


@transaction.atomic(durable=True)
def area_remove(*, area: Area, by: Actor) -> None:
    version = _draft(area.version)
    _record(
        version, by, "area.removed", area.key, items=list(area.items.values_list("key", flat=True))
    )
    area.delete()
    _renumber(version)


@transaction.atomic(durable=True)
def area_move(*, area: Area, direction: str, by: Actor) -> None:
    version = _draft(area.version)
    if _swap(list(version.areas.order_by("position")), area, direction):
        _renumber(version)
        _record(version, by, "area.moved", area.key, direction=direction)


# --- items ------------------------------------------------------------------------------


def _check_item_identity(
    version: QuestionnaireVersion, key: str, code: str, exclude: int | None
) -> None:
    if not KEY_RE.match(key or ""):
        raise ApplicationError(
            gettext("item %(key)r: key %(key)r must be lowercase letters, digits, '.', '_', '-'")
            % {"key": key}
        )
    if not code:
        raise ApplicationError(gettext("item %(key)r: code is missing") % {"key": key})
    others = version.items.exclude(pk=exclude or 0)
    if others.filter(key=key).exists():
        raise ApplicationError(
            gettext("item %(key)r: key is also used by another item") % {"key": key}
        )
    if (other := others.filter(code=code).first()) is not None:
        raise ApplicationError(
            gettext("item %(key)r: code %(code)r is also used by item %(key2)r")
            % {"key": key, "code": code, "key2": other.key}
        )


@transaction.atomic(durable=True)
def item_add(*, area: Area, key: str, code: str, by: Actor) -> Item:
    version = _draft(area.version)
    key, code = (key or "").strip(), (code or "").strip()
    _check_item_identity(version, key, code, None)
    last = area.items.aggregate(m=Max("position"))["m"]
    criteria: dict[str, dict[str, str]] = {level: {} for level in CRITERIA_KEYS}
    item = Item.objects.create(
        version=version,
        area=area,
        key=key,
        code=code,
        position=(last if last is not None else 10_000) + 1,
        title={},
        question={},
        criteria=criteria,
        criteria_digest=criteria_digest(criteria, None),
    )
    _renumber(version)
    _record(version, by, "item.added", code, item=item.pk, key=key)
    return item


def _item_fields(item: Item) -> dict[str, Any]:
    return {
        "key": item.key,
        "code": item.code,
        "title": item.title,
        "question": item.question,
        "criteria": item.criteria,
        "na": item.na,
        "guideline": item.guideline,
        "replaces": item.replaces,
        "lineage_override": item.lineage_override,
        "lineage_reason": item.lineage_reason,
        "evidence_period_days": item.evidence_period_days,
    }


def _evidence_period(raw: Any, current: int) -> int:
    """How often CI should post for the item (DESIGN §6.1, §6.7); blank keeps it."""
    if raw in (None, ""):
        return current
    try:
        days = int(str(raw).strip())
    except ValueError:
        days = 0
    if not 1 <= days <= 366:
        raise ApplicationError(
            gettext("The evidence period is a whole number of days, from 1 to 366.")
        )
    return days


@transaction.atomic(durable=True)
def item_save(*, item: Item, fields: dict[str, Any], base_revision: int | None, by: Actor) -> Item:
    """Save the editor's fields of one item; criteria reworded changes its digest, and so
    its automatic lineage to ``changed``."""
    version = _draft(item.version)
    item = Item.objects.select_for_update().get(pk=item.pk)
    _check_base(item, base_revision)
    key = str(fields.get("key", item.key)).strip()
    code = str(fields.get("code", item.code)).strip()
    _check_item_identity(version, key, code, item.pk)
    override = str(fields.get("lineage_override") or "")
    if override and override not in OVERRIDES:
        raise ApplicationError(
            gettext("Lineage %(override)r must be one of %(choices)s.")
            % {"override": override, "choices": ", ".join(OVERRIDES)}
        )
    replaces = str(fields.get("replaces") or "").strip()
    if replaces and (not KEY_RE.match(replaces) or replaces == key):
        raise ApplicationError(
            gettext("item %(key)r: replaces %(replaces)r must be the key of an earlier item")
            % {"key": key, "replaces": replaces}
        )
    period = _evidence_period(fields.get("evidence_period_days"), item.evidence_period_days)
    before = _item_fields(item)
    criteria = fields["criteria"] if isinstance(fields.get("criteria"), dict) else {}
    item.key, item.code = key, code
    item.title = text_map(fields.get("title"), item.title)
    item.question = text_map(fields.get("question"), item.question)
    item.criteria = {
        level: text_map(criteria.get(level), (item.criteria or {}).get(level))
        for level in CRITERIA_KEYS
    }
    item.na = text_map(fields.get("na"), item.na) if fields.get("na_allowed") else None
    item.guideline = str(fields.get("guideline") or "").strip()
    item.replaces = replaces
    item.lineage_override = override
    item.lineage_reason = str(fields.get("lineage_reason") or "").strip()
    item.evidence_period_days = period
    item.criteria_digest = criteria_digest(item.criteria, item.na)
    item.revision += 1
    item.save()
    changes = changes_of(before, _item_fields(item))
    _record(version, by, "item.changed", item.code, item=item.pk, changes=changes)
    return item


@transaction.atomic(durable=True)
def item_remove(*, item: Item, by: Actor) -> None:
    version = _draft(item.version)
    _record(version, by, "item.removed", item.code, key=item.key)
    item.delete()
    _renumber(version)


@transaction.atomic(durable=True)
def item_move(*, item: Item, direction: str, by: Actor) -> None:
    version = _draft(item.version)
    if _swap(list(item.area.items.order_by("position")), item, direction):
        _renumber(version)
        _record(version, by, "item.moved", item.code, direction=direction)


@transaction.atomic(durable=True)
def questionnaire_new(*, key: str, version: str, title: Any, by: Actor) -> QuestionnaireVersion:
    """A new questionnaire with an empty first draft, to be written in the studio."""
    key, version = (key or "").strip(), (version or "").strip()
    if not KEY_RE.match(key) or not KEY_RE.match(version):
        raise ApplicationError(
            gettext("Key and version must be lowercase letters, digits, '.', '_' or '-'.")
        )
    if Questionnaire.objects.filter(key=key).exists():
        raise ApplicationError(
            gettext("Questionnaire %(key)s exists already: copy one of its versions.")
            % {"key": key}
        )
    questionnaire = Questionnaire.objects.create(key=key, title=text_map(title))
    draft = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, version=version, title=text_map(title)
    )
    _record(draft, by, "version.created", "")
    return draft
