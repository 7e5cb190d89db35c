"""Which accounts and addresses are locked out now, and until when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

from surveys.lockouts.accounts import account_locked_until, accounts_locked


@dataclass(frozen=True)
class Lockout:
    username: str
    ip_address: str | None  # None: the account is locked from every address
    failures: int
    until: datetime


def _cool_off() -> timedelta:
    return get_cool_off() or timedelta(0)


def lockout_retry_at(*, now: datetime) -> datetime:
    """When a lockout that was (re)started by a failure at ``now`` ends."""
    return now + _cool_off()


def lockouts_current(*, now: datetime | None = None) -> list[Lockout]:
    """Accounts locked out from every address, then accounts locked out at one address,
    newest first (DESIGN §7: an address alone is never locked)."""
    now = now or timezone.now()
    cool_off = _cool_off()
    recent = AccessAttempt.objects.filter(attempt_time__gt=now - cool_off)
    limit = settings.AXES_FAILURE_LIMIT
    per_account = (
        recent.values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=limit)
    )
    accounts = [
        Lockout(row["username"] or "", row["ip_address"], row["failures"], row["last"] + cool_off)
        for row in per_account
    ]
    everywhere = [
        Lockout(
            username,
            None,
            failures,
            account_locked_until(username=username, now=now)
            or last + settings.LOGIN_ACCOUNT_WINDOW,
        )
        for username, failures, last in accounts_locked(now=now)
    ]
    return sorted(everywhere, key=lambda x: x.until, reverse=True) + sorted(
        accounts, key=lambda x: x.until, reverse=True
    )
