"""``manage.py trust_ci --product SLUG --issuer URL --claim NAME=VALUE [--claim ...]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.core.errors import ApplicationError
from surveys.organisation.models import Product
from surveys.trust.services import policy_create


class Command(BaseCommand):
    help = (
        "Trust CI ID tokens of ISSUER whose claims match every --claim (* is a wildcard) "
        "to post evidence for the product (DESIGN §6.6)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--product", required=True, help="The product's slug.")
        parser.add_argument("--issuer", required=True, help="One of EVIDENCE_OIDC_ISSUERS.")
        parser.add_argument(
            "--claim",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A claim condition, e.g. repository=acme/ads-ctr; repeat for more.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        product = Product.objects.filter(slug=options["product"]).first()
        if product is None:
            raise CommandError(f"No product with slug {options['product']!r}.")
        try:
            policy = policy_create(
                product=product, issuer=options["issuer"], conditions=options["claim"]
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Trust policy {policy.pk} of {product.slug}: {policy.issuer} "
            f"with {policy.conditions_text}"
        )
