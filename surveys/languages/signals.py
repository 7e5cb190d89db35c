"""As a person signs in, their profile's language goes into the new session, so every
page after reads it from the session the request loads anyway: no query per page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from surveys.languages.selectors import remember_person_language


@receiver(user_logged_in, dispatch_uid="surveys.languages.signed_in")
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        remember_person_language(request.session, user)
