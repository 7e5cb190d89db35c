"""Clearing a lockout: an MLOps admin lets a person (or an address) try again at once."""

from __future__ import annotations

import logging

from axes.utils import reset
from django.db import transaction

from surveys.core.actors import Actor

logger = logging.getLogger(__name__)


@transaction.atomic(durable=True)
def lockout_clear(*, ip_address: str, username: str | None, by: Actor) -> int:
    """Forget the failed sign-ins of ``username`` from ``ip_address`` (of every account
    from that address when ``username`` is None); returns how many records went."""
    if username is None:
        removed = reset(ip=ip_address)
    else:
        removed = reset(ip=ip_address, username=username)
    logger.info(
        "Sign-in lockout cleared by %s: username=%r address=%s (%d records)",
        by,
        username,
        ip_address,
        removed,
    )
    return removed
