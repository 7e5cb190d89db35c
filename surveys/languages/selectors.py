"""Which language a signed-in person reads: their profile's, put in their session as
they sign in (``signals``) or switch (``services``), so pages read no profile."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from surveys.organisation.models import Profile

SESSION_KEY = "mlopsscore_lang"
KNOWN = {code for code, _ in settings.LANGUAGES}


def remember_person_language(session: Any, user: Any) -> str:
    """Reads the person's profile language into the session ("" without a profile)."""
    code = Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    code = code if code in KNOWN else ""
    session[SESSION_KEY] = [user.pk, code]
    return code


def person_language(request: HttpRequest) -> str | None:
    """The signed-in person's language; None for a visitor, a CI token or a person
    without a profile, whose language comes from the switch's cookie or the browser's
    Accept-Language."""
    user: Any = getattr(request, "user", None)
    if (
        user is None
        or not user.is_authenticated
        or getattr(user, "pk", None) is None
        or not hasattr(request, "session")
    ):
        return None
    kept = request.session.get(SESSION_KEY)
    if isinstance(kept, list) and len(kept) == 2 and kept[0] == user.pk:
        code = kept[1]
    else:  # a session from before this rule: read the profile once
        code = remember_person_language(request.session, user)
    return code if code in KNOWN else None
