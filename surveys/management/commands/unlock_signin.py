"""``manage.py unlock_signin NAME [--address ADDRESS]``: lift a sign-in lockout (DESIGN §7)."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.lockouts.services import lockout_clear


class Command(BaseCommand):
    help = (
        "Let an account sign in again at once: at every address (and lift its lockout "
        "across addresses), or only at --address."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The account's user name.")
        parser.add_argument("--address", help="Only the lockout at this IP address.")

    def handle(self, *args: Any, **options: Any) -> None:
        address = options["address"]
        if address is not None:
            try:
                address = str(ipaddress.ip_address(address.strip()))
            except ValueError as exc:
                raise CommandError(f"{address!r} is not an IP address.") from exc
        removed = lockout_clear(ip_address=address, username=options["username"], by=None)
        where = f"from {address}" if address else "from every address"
        self.stdout.write(
            f"{options['username']} may sign in {where} again ({removed} records cleared)."
        )
