"""``report_rebuild [--questionnaire KEY]``: store again the report of every closed round.

A closed round's figures are read from the counts stored with its report (DESIGN §5); a
report stored before those counts existed (or in another format) is read by counting
stored scores instead. Run this once after a deploy that changes the stored format.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reports.figures.services import round_report_store
from surveys.rounds.models import Round, RoundStatus


class Command(BaseCommand):
    help = "Store again the report (figures and counts) of every closed round."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--questionnaire", help="Only this questionnaire's rounds (its key)")

    def handle(self, *args: Any, **options: Any) -> None:
        rounds = Round.objects.filter(status=RoundStatus.CLOSED).select_related(
            "questionnaire", "version"
        )
        if options["questionnaire"]:
            rounds = rounds.filter(questionnaire__key=options["questionnaire"])
        for round in rounds.order_by("questionnaire_id", "opens_on", "id"):
            round_report_store(round=round)
            self.stdout.write(f"{round.questionnaire.key} {round.label}: report stored")
