"""A person's language and time zone, for what is sent to them (emails, chat)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from surveys.organisation.models import Language
from surveys.organisation.timezones import zone


def user_language(user: Any) -> str:
    """The language of a user's emails (``Profile.language``; English without a profile)."""
    try:
        return str(user.profile.language or Language.EN)
    except ObjectDoesNotExist:
        return str(Language.EN)


def user_zone(user: Any) -> zoneinfo.ZoneInfo:
    """The time zone a user's emails show times in (``Profile.time_zone``, else the
    organisation's)."""
    try:
        return zone(user.profile.time_zone or "")
    except ObjectDoesNotExist:
        return zone("")
