"""Questionnaire files (DESIGN §6.1): validate, load, publish, copy, and write back out."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from scoring.rules import DEFAULT_MAX_NA_PER_AREA, NaPolicy
from surveys.core.errors import ApplicationError
from surveys.core.i18n import as_text_map
from surveys.questionnaires.models import (
    Area,
    Item,
    Questionnaire,
    QuestionnaireVersion,
    VersionStatus,
)

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
CRITERIA_KEYS = ("0", "0.5", "1")
DEFAULT_EVIDENCE_PERIOD_DAYS = 7  # DESIGN §6.1


def _text_problem(value: Any, where: str) -> str | None:
    if isinstance(value, str):
        return None if value.strip() else f"{where} is empty"
    if isinstance(value, dict):
        if not value:
            return f"{where} is an empty language map"
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            return f"{where} must map language codes to strings"
        if not any(v.strip() for v in value.values()):
            return f"{where} is empty"
        return None
    return f'{where} must be a string or a language map like {{"en": ..., "ja": ...}}'


def _item_problems(item: Any, where: str) -> list[str]:
    if not isinstance(item, dict):
        return [f"{where}: must be an object"]
    problems = []
    key = item.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        problems.append(f"{where}: key {key!r} must be lowercase letters, digits, '.', '_', '-'")
    if not isinstance(item.get("code"), str) or not item["code"].strip():
        problems.append(f"{where}: code is missing")
    for field in ("title", "question"):
        if field not in item:
            problems.append(f"{where}: {field} is missing")
        elif problem := _text_problem(item[field], f"{where}: {field}"):
            problems.append(problem)
    criteria = item.get("criteria")
    if not isinstance(criteria, dict):
        problems.append(f'{where}: criteria must be an object with "0", "0.5" and "1"')
    else:
        for level in CRITERIA_KEYS:
            if level not in criteria:
                problems.append(f"{where}: criteria for {level} is missing")
            elif problem := _text_problem(criteria[level], f"{where}: criteria {level}"):
                problems.append(problem)
        extra = sorted(set(criteria) - set(CRITERIA_KEYS))
        if extra:
            problems.append(f"{where}: criteria has unknown levels {extra}")
    if item.get("na") is not None and (problem := _text_problem(item["na"], f"{where}: na")):
        problems.append(problem)
    replaces = item.get("replaces")
    if replaces is not None and not (isinstance(replaces, str) and KEY_RE.match(replaces)):
        problems.append(
            f"{where}: replaces {replaces!r} must be the key of an earlier item or null"
        )
    elif replaces is not None and replaces == key:
        problems.append(f"{where}: an item cannot replace itself")
    guideline = item.get("guideline")
    if guideline is not None and not (isinstance(guideline, str) and KEY_RE.match(guideline)):
        problems.append(f"{where}: guideline {guideline!r} must be a guideline slug or null")
    period = item.get("evidence_period_days", DEFAULT_EVIDENCE_PERIOD_DAYS)
    if isinstance(period, bool) or not isinstance(period, int) or not 1 <= period <= 366:
        problems.append(
            f"{where}: evidence_period_days {period!r} must be a whole number of days, 1 to 366"
        )
    return problems


def questionnaire_problems(data: Any) -> list[str]:
    """Every problem of a questionnaire file, each naming the area and item at fault."""
    if not isinstance(data, dict):
        return ["the file must hold one JSON object"]
    problems: list[str] = []
    for field in ("key", "version"):
        if not isinstance(data.get(field), str) or not KEY_RE.match(data[field]):
            problems.append(f"{field} is missing or not lowercase letters, digits, '.', '_', '-'")
    if "title" not in data:
        problems.append("title is missing")
    elif problem := _text_problem(data["title"], "title"):
        problems.append(problem)
    if data.get("na_policy", "rescale") not in {p.value for p in NaPolicy}:
        problems.append(f"na_policy {data['na_policy']!r} must be 'rescale' or 'drop'")
    max_na = data.get("max_na_per_area", DEFAULT_MAX_NA_PER_AREA)
    if isinstance(max_na, bool) or not isinstance(max_na, int) or max_na < 0:
        problems.append(f"max_na_per_area {max_na!r} must be a whole number, 0 or more")
    if not isinstance(data.get("na_requires_approval", False), bool):
        problems.append("na_requires_approval must be true or false")
    areas = data.get("areas")
    if not isinstance(areas, list) or not areas:
        return [*problems, "areas must be a non-empty list"]
    seen_areas: set[str] = set()
    seen_keys: dict[str, str] = {}
    seen_codes: dict[str, str] = {}
    for a_index, area in enumerate(areas, start=1):
        if not isinstance(area, dict):
            problems.append(f"area {a_index}: must be an object")
            continue
        a_key = area.get("key")
        a_where = f"area {a_key!r}" if isinstance(a_key, str) else f"area {a_index}"
        if not isinstance(a_key, str) or not KEY_RE.match(a_key):
            problems.append(f"{a_where}: key must be lowercase letters, digits, '.', '_', '-'")
        elif a_key in seen_areas:
            problems.append(f"{a_where}: the key is used by another area")
        else:
            seen_areas.add(a_key)
        if "title" not in area:
            problems.append(f"{a_where}: title is missing")
        elif problem := _text_problem(area["title"], f"{a_where}: title"):
            problems.append(problem)
        items = area.get("items")
        if not isinstance(items, list) or not items:
            problems.append(f"{a_where}: items must be a non-empty list")
            continue
        for i_index, item in enumerate(items, start=1):
            key = item.get("key") if isinstance(item, dict) else None
            where = (
                f"{a_where}, item {key!r}" if isinstance(key, str) else f"{a_where}, item {i_index}"
            )
            problems.extend(_item_problems(item, where))
            if isinstance(key, str):
                if key in seen_keys:
                    problems.append(f"{where}: key is also used in {seen_keys[key]}")
                seen_keys.setdefault(key, a_where)
            code = item.get("code") if isinstance(item, dict) else None
            if isinstance(code, str):
                if code in seen_codes:
                    problems.append(f"{where}: code {code!r} is also used by {seen_codes[code]}")
                seen_codes.setdefault(code, where)
    return problems


def _period_of(item: dict[str, Any]) -> dict[str, int]:
    """``evidence_period_days`` (DESIGN §6.1) when it is not the default: files without it
    keep their content hash."""
    days = item.get("evidence_period_days", DEFAULT_EVIDENCE_PERIOD_DAYS)
    return {} if days == DEFAULT_EVIDENCE_PERIOD_DAYS else {"evidence_period_days": days}


def _canonical(data: dict[str, Any]) -> dict[str, Any]:
    """The file's meaning with defaults filled in and texts as language maps."""

    def item(it: dict[str, Any]) -> dict[str, Any]:
        return {
            "key": it["key"],
            "code": it["code"].strip(),
            "title": as_text_map(it["title"]),
            "question": as_text_map(it["question"]),
            "criteria": {level: as_text_map(it["criteria"][level]) for level in CRITERIA_KEYS},
            "na": None if it.get("na") is None else as_text_map(it["na"]),
            "guideline": it.get("guideline") or None,
            # Optional keys enter the meaning only when set, so files without them keep
            # the content hash they were published with.
            **({"replaces": it["replaces"]} if it.get("replaces") else {}),
            **_period_of(it),
        }

    return {
        "key": data["key"],
        "version": data["version"],
        "title": as_text_map(data["title"]),
        "na_policy": data.get("na_policy", NaPolicy.RESCALE.value),
        "max_na_per_area": data.get("max_na_per_area", DEFAULT_MAX_NA_PER_AREA),
        **({"na_requires_approval": True} if data.get("na_requires_approval") else {}),
        "areas": [
            {
                "key": a["key"],
                "title": as_text_map(a["title"]),
                "items": [item(it) for it in a["items"]],
            }
            for a in data["areas"]
        ],
    }


def _digest(value: Any) -> str:
    return hashlib.sha256(
        json.dumps(value, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def criteria_digest(criteria: dict[str, Any], na: Any) -> str:
    return _digest({"criteria": criteria, "na": na})


@transaction.atomic
def questionnaire_load(*, data: Any, publish: bool = False) -> tuple[QuestionnaireVersion, bool]:
    """Create or replace a draft version from a file; returns (version, created).

    A published version is never replaced: loading it again is accepted only when the
    content is identical.
    """
    problems = questionnaire_problems(data)
    if problems:
        raise ApplicationError(gettext("The questionnaire file is invalid."), details=problems)
    canonical = _canonical(data)
    content_hash = _digest(canonical)
    questionnaire, _ = Questionnaire.objects.get_or_create(
        key=canonical["key"], defaults={"title": canonical["title"]}
    )
    existing = QuestionnaireVersion.objects.filter(
        questionnaire=questionnaire, version=canonical["version"]
    ).first()
    if existing is not None and existing.is_published:
        if existing.content_hash != content_hash:
            raise ApplicationError(
                gettext(
                    "%(version)s is already published with different content; "
                    "published versions never change. Load it under a new version."
                )
                % {"version": existing.label}
            )
        return existing, False
    if existing is not None:
        existing.areas.all().delete()  # a draft: replace its content
        version = existing
        for field in ("title", "na_policy", "max_na_per_area"):
            setattr(version, field, canonical[field])
        version.na_requires_approval = canonical.get("na_requires_approval", False)
        version.content_hash = content_hash
        version.save()
    else:
        version = QuestionnaireVersion.objects.create(
            questionnaire=questionnaire,
            version=canonical["version"],
            title=canonical["title"],
            na_policy=canonical["na_policy"],
            max_na_per_area=canonical["max_na_per_area"],
            na_requires_approval=canonical.get("na_requires_approval", False),
            content_hash=content_hash,
        )
    _create_content(version, canonical["areas"])
    if publish:
        version_publish(version=version)
    return version, existing is None


def _create_content(version: QuestionnaireVersion, areas: list[dict[str, Any]]) -> None:
    position = 0
    for a_pos, area_data in enumerate(areas):
        area = Area.objects.create(
            version=version, key=area_data["key"], position=a_pos, title=area_data["title"]
        )
        items = []
        for it in area_data["items"]:
            items.append(
                Item(
                    version=version,
                    area=area,
                    key=it["key"],
                    code=it["code"],
                    position=position,
                    title=it["title"],
                    question=it["question"],
                    criteria=it["criteria"],
                    na=it["na"],
                    guideline=it["guideline"] or "",
                    replaces=it.get("replaces", ""),
                    evidence_period_days=it.get(
                        "evidence_period_days", DEFAULT_EVIDENCE_PERIOD_DAYS
                    ),
                    criteria_digest=criteria_digest(it["criteria"], it["na"]),
                )
            )
            position += 1
        Item.objects.bulk_create(items)


@transaction.atomic
def version_publish(*, version: QuestionnaireVersion) -> QuestionnaireVersion:
    claimed = QuestionnaireVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT).update(
        status=VersionStatus.PUBLISHED, published_at=timezone.now()
    )
    if not claimed:
        raise ApplicationError(
            gettext("%(version)s is already published.") % {"version": version.label}
        )
    version.refresh_from_db()
    return version


@transaction.atomic
def version_copy(*, version: QuestionnaireVersion, new_version: str) -> QuestionnaireVersion:
    """Editing a published version means copying it to a new draft."""
    data = version_to_dict(version=version)
    data["version"] = new_version
    # The copy's lineage is against ``version``: what that one replaced is history.
    for area in data["areas"]:
        for item in area["items"]:
            item.pop("replaces", None)
    if QuestionnaireVersion.objects.filter(
        questionnaire=version.questionnaire, version=new_version
    ).exists():
        raise ApplicationError(
            gettext("%(version)s already exists.")
            % {"version": f"{version.questionnaire.key}@{new_version}"}
        )
    copy, _ = questionnaire_load(data=data)
    QuestionnaireVersion.objects.filter(pk=copy.pk).update(copied_from=version)
    copy.refresh_from_db()
    return copy


def version_to_dict(*, version: QuestionnaireVersion) -> dict[str, Any]:
    """The version in the file format of DESIGN §6.1 (round-trips through the loader)."""
    items_by_area: dict[int, list[Item]] = {}
    for item in version.items.order_by("position"):
        items_by_area.setdefault(item.area_id, []).append(item)
    return {
        "key": version.questionnaire.key,
        "version": version.version,
        "title": version.title,
        "na_policy": version.na_policy,
        "max_na_per_area": version.max_na_per_area,
        **({"na_requires_approval": True} if version.na_requires_approval else {}),
        "areas": [
            {
                "key": area.key,
                "title": area.title,
                "items": [
                    {
                        "key": it.key,
                        "code": it.code,
                        "title": it.title,
                        "question": it.question,
                        "criteria": it.criteria,
                        "na": it.na,
                        "guideline": it.guideline or None,
                        **({"replaces": it.replaces} if it.replaces else {}),
                        **_period_of({"evidence_period_days": it.evidence_period_days}),
                    }
                    for it in items_by_area.get(area.pk, [])
                ],
            }
            for area in version.areas.order_by("position")
        ],
    }


def version_by_label(label: str) -> QuestionnaireVersion:
    """``mlts@2017.1`` → the version, or a clear error."""
    key, sep, number = label.partition("@")
    if not sep or not key or not number:
        raise ApplicationError(
            gettext("%(label)r is not KEY@VERSION (for example mlts@2017.1).") % {"label": label}
        )
    version = (
        QuestionnaireVersion.objects.select_related("questionnaire")
        .filter(questionnaire__key=key, version=number)
        .first()
    )
    if version is None:
        raise ApplicationError(
            gettext("No questionnaire version %(label)s; load it first.") % {"label": label}
        )
    return version
