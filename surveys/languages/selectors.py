"""Which language a signed-in person reads, kept in their session for a few minutes so
most requests read no profile (as ``mlopsscore.timezones`` does for the time zone)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from surveys.models import Profile

SESSION_KEY = "mlopsscore_lang"
REFRESH_SECONDS = 300
KNOWN = {code for code, _ in settings.LANGUAGES}


def person_language(request: HttpRequest) -> str | None:
    """The language of the signed-in person's profile; None for a visitor, a CI token or
    a person without a profile, whose language comes from the switch's cookie or the
    browser's Accept-Language."""
    user: Any = getattr(request, "user", None)
    if (
        user is None
        or not user.is_authenticated
        or getattr(user, "pk", None) is None
        or not hasattr(request, "session")
    ):
        return None
    kept = request.session.get(SESSION_KEY)
    now = time.time()
    if isinstance(kept, list) and len(kept) == 3 and kept[0] == user.pk:
        _pk, code, at = kept
        if now - at < REFRESH_SECONDS:
            return str(code) if code in KNOWN else None
    code = Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    code = code if code in KNOWN else ""
    request.session[SESSION_KEY] = [user.pk, code, now]
    return code or None
