"""Password-reset mails are rate-limited (DESIGN §7): a few an hour for one email address,
and a bounded number from one client address, counted in the cache every process shares.

Over the limit, the page answers as always (it never tells whether an account exists)
but no mail goes out."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.core.cache import cache
from django.http import HttpRequest

from surveys.lockouts.backends import client_address

logger = logging.getLogger(__name__)

_HOUR = 3600


def _count(key: str) -> int:
    """One more request under ``key`` this hour; the count so far."""
    cache.add(key, 0, _HOUR)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, _HOUR)
        return 1


def reset_mail_allowed(*, email: str, address: str | None) -> bool:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    try:
        per_email = _count(f"password-reset:email:{digest}")
        per_address = _count(f"password-reset:address:{address or '-'}")
    except Exception:
        # Without the shared cache the limit cannot be counted: a reset mail is worth
        # more than the limit, and signing in itself stays limited by the database.
        logger.exception("Password-reset limit not counted (cache unavailable)")
        return True
    return (
        per_email <= settings.PASSWORD_RESET_MAILS_PER_EMAIL
        and per_address <= settings.PASSWORD_RESET_MAILS_PER_ADDRESS
    )


class LimitedPasswordResetForm(PasswordResetForm):
    def save(self, request: HttpRequest | None = None, **kwargs: Any) -> None:  # type: ignore[override]
        email = self.cleaned_data["email"]
        address = client_address(request) if request is not None else None
        if not reset_mail_allowed(email=email, address=address):
            logger.warning("Password-reset mail not sent: limit reached (address %s)", address)
            return
        super().save(request=request, **kwargs)


password_reset = PasswordResetView.as_view(form_class=LimitedPasswordResetForm)
