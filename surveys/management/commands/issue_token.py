"""``manage.py issue_token --product SLUG [--name NAME] [--read-only]``: prints the token once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.core.errors import ApplicationError
from surveys.organisation.models import Product
from surveys.tokens.services import token_create


class Command(BaseCommand):
    help = "Create an API token for a product and print it (it is shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--product", required=True, help="The product's slug.")
        parser.add_argument("--name", default="ci", help="What uses the token (default: ci).")
        parser.add_argument(
            "--read-only", action="store_true", help="May read, but not post evidence."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        product = Product.objects.filter(slug=options["product"]).first()
        if product is None:
            raise CommandError(f"No product with slug {options['product']!r}.")
        try:
            token, raw = token_create(
                product=product,
                name=options["name"],
                can_write_evidence=not options["read_only"],
                can_read=True,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(
            f"Token {token.name!r} of {product.slug} (prefix {token.prefix}). "
            "Store it now: it is not shown again."
        )
        self.stdout.write(raw)
