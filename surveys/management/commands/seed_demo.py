import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from surveys.demo import seed as demo


class Command(BaseCommand):
    help = (
        "Seed a demo organisation: the ML Test Score questionnaire, departments, products, "
        "years of half-yearly rounds (the last one open) and demo users, whose logins it "
        "prints. Does nothing when the demo exists, unless --reset."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--products", type=int, default=len(demo.SMALL_PRODUCTS), help="how many products"
        )
        parser.add_argument(
            "--rounds",
            type=int,
            default=10,
            help="how many half-yearly rounds up to today, the last one open (default 10)",
        )
        parser.add_argument("--reset", action="store_true", help="remove the demo and seed again")

    def handle(self, *args: Any, products: int, rounds: int, reset: bool, **options: Any) -> None:
        if products < 1 or rounds < 2:
            raise CommandError("Use at least 1 product and 2 rounds.")
        if demo.demo_exists() and not reset:
            self.stdout.write("Demo data already present; nothing to do (use --reset to rebuild).")
            self.stdout.write(demo.logins_text(demo.DEMO_USERS))
            return
        if reset:
            demo.demo_reset()
            self.stdout.write("Removed the previous demo data.")
        call_command("load_guidelines", stdout=self.stdout)
        start = time.perf_counter()
        summary = demo.demo_seed(
            products=products, rounds=rounds, log=lambda line: self.stdout.write(f"  {line}")
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {summary.departments} departments, {summary.products} products, "
                f"{len(summary.rounds)} rounds ({summary.rounds[0]} … {summary.rounds[-1]}), "
                f"{summary.assessments} assessments, {summary.answers} answers, "
                f"{summary.evidence} evidence records in {time.perf_counter() - start:.1f} s."
            )
        )
        self.stdout.write(demo.logins_text(summary.users))
