"""The lockout of an account across addresses (DESIGN §7): many wrong passwords for one
account from any addresses within a window (default 20 an hour) lock that account, so a
guesser who changes address still stops; nobody else's account is touched by them.

Failures are read from django-axes' failure log (one row per failed sign-in, shared by
every process through the database); lifting the lockout forgets the account's
failures within the window."""

from __future__ import annotations

from datetime import datetime

from axes.models import AccessFailureLog
from django.conf import settings
from django.db.models import Count, Max


def _recent(*, now: datetime) -> object:
    return AccessFailureLog.objects.filter(attempt_time__gt=now - settings.LOGIN_ACCOUNT_WINDOW)


def account_failures(*, username: str, now: datetime) -> int:
    return _recent(now=now).filter(username=username).count()  # type: ignore[attr-defined]


def account_locked_until(*, username: str | None, now: datetime) -> datetime | None:
    """When the account's lockout across addresses ends, or None when it is not locked:
    as soon as fewer than the limit of its failures lie within the window."""
    if not username:
        return None
    limit = settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    times = list(
        _recent(now=now)  # type: ignore[attr-defined]
        .filter(username=username)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)[:limit]
    )
    if len(times) < limit:
        return None
    return times[-1] + settings.LOGIN_ACCOUNT_WINDOW


def accounts_locked(*, now: datetime) -> list[tuple[str, int, datetime]]:
    """``(username, failures, last failure)`` of every account locked across addresses."""
    rows = (
        _recent(now=now)  # type: ignore[attr-defined]
        .exclude(username=None)
        .values("username")
        .annotate(failures=Count("id"), last=Max("attempt_time"))
        .filter(failures__gte=settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
    )
    return [(row["username"], row["failures"], row["last"]) for row in rows]


def account_failures_forget(*, username: str, now: datetime) -> int:
    """Forget the account's failures in the window; returns how many went."""
    removed, _ = _recent(now=now).filter(username=username).delete()  # type: ignore[attr-defined]
    return int(removed)
