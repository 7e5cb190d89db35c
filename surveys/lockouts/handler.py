"""django-axes' database handler, with the lockout of an account across addresses.

axes counts failures per account and address (``AXES_LOCKOUT_PARAMETERS``); an account
tried from many addresses is locked by ``surveys.lockouts.accounts`` (DESIGN §7)."""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from django.utils import timezone

from surveys.lockouts.accounts import account_locked_until


class LockoutHandler(AxesDatabaseHandler):
    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials)
        return account_locked_until(username=username, now=timezone.now()) is not None

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        username = get_client_username(request, credentials)
        if account_locked_until(username=username, now=timezone.now()) is not None:
            # The failure just logged reached the limit across addresses: this answer is
            # already the lockout page.
            request.axes_locked_out = True
            request.axes_credentials = credentials
