"""``first_run``: load the questionnaire and guidelines of a new deployment (DESIGN §8)."""

from typing import Any

from django.core.management.base import BaseCommand

from surveys.firstrun.services import first_run_load


class Command(BaseCommand):
    help = (
        "Load the ML Test Score questionnaire (published) and the guideline pages when the "
        "database has none; a second run changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = first_run_load()
        if done.questionnaire:
            self.stdout.write(f"Loaded and published the questionnaire {done.questionnaire}.")
        else:
            self.stdout.write("A questionnaire is already there; left as it is.")
        if done.guidelines:
            self.stdout.write(f"Loaded {done.guidelines} guideline pages.")
        else:
            self.stdout.write("Guideline pages are already there; left as they are.")
