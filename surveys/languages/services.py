"""Changing a person's language from the header's switch."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from surveys.languages.selectors import KNOWN, SESSION_KEY
from surveys.organisation.models import Profile


@transaction.atomic
def person_language_set(*, user: Any, code: str, session: Any = None) -> None:
    """The person's profile (pages and emails) and their session follow the switch."""
    if code not in KNOWN:
        return
    Profile.objects.update_or_create(user=user, defaults={"language": code})
    if session is not None:
        session[SESSION_KEY] = [user.pk, code]
