"""The authentication backend that refuses sign-ins while a lockout holds."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, for sign-ins that come through a request.

    ``authenticate()`` called without a request (a shell, a management command, a test)
    has no address to count failures of, so it is let through to the next backend
    instead of failing; every sign-in a visitor can attempt (the login page, the Django
    admin) passes its request.
    """

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
