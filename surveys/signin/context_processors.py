"""What the sign-in page offers: the company provider, local passwords, or both."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def signin(request: HttpRequest) -> dict[str, Any]:
    return {
        "signin_oidc": bool(settings.OIDC_RP_CLIENT_ID),
        "signin_provider": settings.OIDC_PROVIDER_NAME,
        "signin_passwords": settings.LOCAL_PASSWORDS,
    }
