from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from surveys.core.errors import ApplicationError
from surveys.guidelines.services import guidelines_load


class Command(BaseCommand):
    help = "Load guideline pages (<slug>.md and <slug>.ja.md) from a directory."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "directory", nargs="?", default=str(Path(settings.BASE_DIR) / "fixtures" / "guidelines")
        )

    def handle(self, *args: Any, directory: str, **options: Any) -> None:
        try:
            loaded = guidelines_load(directory=Path(directory))
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Loaded {len(loaded)} guidelines: {', '.join(g.slug for g in loaded)}")
