"""``import_answers FILE.(csv|xlsx) --questionnaire KEY@VERSION`` (DESIGN §6.2, §6.3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from surveys.core.errors import ApplicationError
from surveys.imports.services import answers_import
from surveys.management.commands.load_questionnaire import error_of
from surveys.questionnaires.services import version_by_label


class Command(BaseCommand):
    help = (
        "Import answers from a CSV or XLSX file (DESIGN §6.2), all or nothing: "
        "any invalid row rejects the file with every problem listed by row number."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the answers file (.csv in UTF-8, or .xlsx)")
        parser.add_argument(
            "--questionnaire", required=True, metavar="KEY@VERSION", help="e.g. mlts@2017.1"
        )

    def handle(self, *args: Any, file: str, questionnaire: str, **options: Any) -> None:
        if not Path(file).is_file():
            raise CommandError(f"Cannot read {file}: no such file.")
        try:
            version = version_by_label(questionnaire)
            result = answers_import(path=file, version=version)
        except ApplicationError as exc:
            raise error_of(exc) from exc
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from exc
        self.stdout.write(f"Imported {file} into {version.label}.")
        for line in result.summary():
            self.stdout.write(line)
