"""``export_report --questionnaire KEY [--baseline ROUND] [--target X] --format json|xlsx``.

JSON is the document of DESIGN §6.4, printed to stdout unless ``-o`` names a file.
The workbook's Answers sheet holds one round: ``--answers-round LABEL``, by default the
latest round with any assessment (every round's answers: the CSV download).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.figures.trend import trend_build
from surveys.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Export the trend report of a questionnaire as JSON (DESIGN §6.4) or an Excel workbook."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--questionnaire", required=True, help="Questionnaire key, e.g. mlts")
        parser.add_argument(
            "--baseline", help="Label of the cohort's baseline round (default: the first)"
        )
        parser.add_argument(
            "--target", type=float, help="Target score (default: SCORE_TARGET, 2.0)"
        )
        parser.add_argument("--format", required=True, choices=["json", "xlsx"])
        parser.add_argument("-o", "--output", help="File to write (JSON default: stdout)")
        parser.add_argument(
            "--answers-round",
            help="xlsx: label of the round on the Answers sheet "
            "(default: the latest round with any assessment)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            trend = trend_build(
                questionnaire=options["questionnaire"],
                baseline=options["baseline"],
                target=options["target"],
            )
            if options["format"] == "json":
                self._write_json(trend.document(), options["output"])
            else:
                self._write_xlsx(trend, options["output"], options["answers_round"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

    def _write_json(self, document: dict[str, Any], output: str | None) -> None:
        text = json.dumps(document, ensure_ascii=False, indent=2)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        else:
            self.stdout.write(text)

    def _write_xlsx(self, trend: Any, output: str | None, answers_round: str | None) -> None:
        from reports.exports.workbook import answers_round_of, workbook_write

        if not output:
            raise CommandError("--format xlsx needs -o FILE.xlsx")
        answers_round_of(trend, answers_round)  # an unknown label fails before the file opens
        with open(output, "wb") as handle:
            workbook_write(trend=trend, out=handle, answers_round=answers_round)
        self.stderr.write(f"Wrote {output}")
