"""Clearing a lockout: an MLOps admin lets a person try again at once."""

from __future__ import annotations

import logging

from axes.utils import reset
from django.db import transaction
from django.utils import timezone

from surveys.core.actors import Actor
from surveys.lockouts.accounts import account_failures_forget

logger = logging.getLogger(__name__)


@transaction.atomic(durable=True)
def lockout_clear(*, ip_address: str | None, username: str | None, by: Actor) -> int:
    """Forget failed sign-ins, and the lockouts they made; returns how many records went.

    ``username`` and ``ip_address``: that account at that address. ``username`` alone:
    the account at every address, and its lockout across addresses (DESIGN §7).
    ``ip_address`` alone: every account's failures from that address.
    """
    if username is None and ip_address is None:
        return 0
    if username is None:
        removed = reset(ip=ip_address)
    elif ip_address is None:
        removed = reset(username=username)
        removed += account_failures_forget(username=username, now=timezone.now())
    else:
        removed = reset(ip=ip_address, username=username)
    logger.info(
        "Sign-in lockout cleared by %s: username=%r address=%s (%d records)",
        by.get_username() if by is not None else "the command line",
        username,
        ip_address,
        removed,
    )
    return removed
