"""``dump_questionnaire KEY@VERSION [-o FILE]``: a version back in the format of DESIGN §6.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from surveys.core.errors import ApplicationError
from surveys.questionnaires.services import CRITERIA_KEYS, version_by_label, version_to_dict

LANGUAGE_ORDER = ("en", "ja")


def _ordered_text(value: Any) -> Any:
    # PostgreSQL's jsonb does not keep key order; write language maps en, ja, then others.
    if not isinstance(value, dict):
        return value
    first = [lang for lang in LANGUAGE_ORDER if lang in value]
    return {lang: value[lang] for lang in [*first, *sorted(set(value) - set(first))]}


def ordered(data: dict[str, Any]) -> dict[str, Any]:
    """The file with its maps in the order people write them (criteria 0, 0.5, 1)."""
    for area in data["areas"]:
        area["title"] = _ordered_text(area["title"])
        for item in area["items"]:
            for field in ("title", "question", "na"):
                item[field] = _ordered_text(item[field])
            criteria = item["criteria"]
            levels = [level for level in CRITERIA_KEYS if level in criteria]
            item["criteria"] = {
                level: _ordered_text(criteria[level])
                for level in [*levels, *sorted(set(criteria) - set(levels))]
            }
    data["title"] = _ordered_text(data["title"])
    return data


class Command(BaseCommand):
    help = "Write a questionnaire version as a JSON file (DESIGN §6.1), to stdout or -o FILE."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("label", metavar="KEY@VERSION", help="for example mlts@2017.1")
        parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (UTF-8)")

    def handle(self, *args: Any, label: str, output: str | None, **options: Any) -> None:
        try:
            version = version_by_label(label)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        text = json.dumps(ordered(version_to_dict(version=version)), ensure_ascii=False, indent=2)
        if output is None:
            self.stdout.write(text)
            return
        try:
            Path(output).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror or exc}.") from exc
        self.stderr.write(f"Wrote {version.label} to {output}.")
