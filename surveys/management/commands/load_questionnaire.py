"""``load_questionnaire FILE.json [--publish]`` (DESIGN §6.1, §6.3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from surveys.core.errors import ApplicationError
from surveys.questionnaires.models import QuestionnaireVersion
from surveys.questionnaires.services import questionnaire_load


def error_of(exc: ApplicationError) -> CommandError:
    """The service's message with every problem it found, one a line."""
    details = exc.details if isinstance(exc.details, list) else []
    return CommandError("\n".join([exc.message, *(f"  {line}" for line in details)]))


def _existing(data: Any) -> QuestionnaireVersion | None:
    if not isinstance(data, dict):
        return None
    key, number = data.get("key"), data.get("version")
    if not isinstance(key, str) or not isinstance(number, str):
        return None
    return QuestionnaireVersion.objects.filter(questionnaire__key=key, version=number).first()


class Command(BaseCommand):
    help = "Load a questionnaire version from a JSON file (DESIGN §6.1); --publish publishes it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the questionnaire file (JSON)")
        parser.add_argument(
            "--publish", action="store_true", help="publish the version once it is loaded"
        )

    def handle(self, *args: Any, file: str, publish: bool, **options: Any) -> None:
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file} is not UTF-8 text.") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{file} is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}."
            ) from exc
        before = _existing(data)
        was_published = before is not None and before.is_published
        try:
            version, created = questionnaire_load(data=data, publish=publish)
        except ApplicationError as exc:
            raise error_of(exc) from exc
        areas, items = version.areas.count(), version.items.count()
        if was_published:
            what = "Kept"
            why = "already published with identical content; nothing changed"
        else:
            what = "Created" if created else "Replaced the draft"
            why = f"{areas} areas, {items} items, {version.status}"
        self.stdout.write(f"{what} {version.label}: {why}.")
