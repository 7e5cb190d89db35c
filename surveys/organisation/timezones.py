"""Each person's time zone: pages and emails show local times.

``Profile.time_zone`` holds an IANA name; empty means the organisation's zone
(``ORGANISATION_TIME_ZONE``). The middleware activates it for the request, lazily: the
profile is read only when the page shows a time, and then kept in the session for a few
minutes, so most pages and autosaves read nothing for it. Round days (opening, closing)
stay in the server's zone (``TIME_ZONE``) whoever acts.
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

SESSION_KEY = "mlopsscore_tz"
REFRESH_SECONDS = 300


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone called ``name``, or the organisation's when the name is empty or unknown."""
    return _known(name) or zoneinfo.ZoneInfo(settings.ORGANISATION_TIME_ZONE)


@lru_cache(maxsize=256)
def _known(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def user_time_zone(user: Any) -> zoneinfo.ZoneInfo:
    """A person's time zone, read from their profile."""
    from surveys.organisation.models import Profile

    name = (
        Profile.objects.filter(user_id=user.pk).values_list("time_zone", flat=True).first()
        if getattr(user, "pk", None)
        else ""
    )
    return zone(name or "")


class LazyZone(dt.tzinfo):
    """A time zone found on first use: a request that shows no time reads no profile."""

    def __init__(self, find: Callable[[], zoneinfo.ZoneInfo]) -> None:
        self._find = find
        self._zone: zoneinfo.ZoneInfo | None = None

    def resolved(self) -> zoneinfo.ZoneInfo:
        if self._zone is None:
            self._zone = self._find()
        return self._zone

    def utcoffset(self, when: dt.datetime | None) -> dt.timedelta | None:
        return self.resolved().utcoffset(when and when.replace(tzinfo=None))

    def dst(self, when: dt.datetime | None) -> dt.timedelta | None:
        return self.resolved().dst(when and when.replace(tzinfo=None))

    def tzname(self, when: dt.datetime | None) -> str | None:
        return self.resolved().tzname(when and when.replace(tzinfo=None))

    def fromutc(self, when: dt.datetime) -> dt.datetime:
        real = self.resolved()
        return real.fromutc(when.replace(tzinfo=real))

    def __repr__(self) -> str:
        return f"LazyZone({self._zone!r})"


class TimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.activate(LazyZone(lambda: self._zone(request)))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def _zone(self, request: HttpRequest) -> zoneinfo.ZoneInfo:
        user = getattr(request, "user", None)
        # A CI token is no person (no pk): it has no zone and must not start a session.
        if (
            user is None
            or not user.is_authenticated
            or getattr(user, "pk", None) is None
            or not hasattr(request, "session")
        ):
            return zone("")
        kept = request.session.get(SESSION_KEY)
        now = time.time()
        if isinstance(kept, list) and len(kept) == 3 and kept[0] == user.pk:
            _pk, name, at = kept
            if now - at < REFRESH_SECONDS:
                return zone(str(name))
        found = user_time_zone(user)
        request.session[SESSION_KEY] = [user.pk, found.key, now]
        return found
