"""Each person's time zone (issue 14, point 7): pages and emails show local times.

``Profile.time_zone`` holds an IANA name; empty means the organisation's zone
(``ORGANISATION_TIME_ZONE``). The middleware activates it for the request. The zone is
kept in the session for a few minutes, so a page or an autosave does not read the
profile every time; a change shows within ``REFRESH_SECONDS``.
"""

from __future__ import annotations

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
    """A person's time zone (for emails, which have no request)."""
    from surveys.models import Profile

    name = (
        Profile.objects.filter(user_id=user.pk).values_list("time_zone", flat=True).first()
        if getattr(user, "pk", None)
        else ""
    )
    return zone(name or "")


class TimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.activate(self._zone(request))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def _zone(self, request: HttpRequest) -> zoneinfo.ZoneInfo:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
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
