"""The authentication backend that refuses sign-ins while a lockout holds."""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The address failures are counted against (AXES_CLIENT_IP_CALLABLE).

    Behind ``LOGIN_PROXY_COUNT`` proxies, each appends the address it saw to
    X-Forwarded-For, so the client is that many entries from the right; entries further
    left are whatever the client sent, and are never trusted.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.LOGIN_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count or not forwarded[-count]:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


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
