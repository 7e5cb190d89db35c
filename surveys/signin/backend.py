"""The OpenID Connect backend (mozilla-django-oidc) with this app's rules for accounts."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .roles import user_roles_sync

logger = logging.getLogger(__name__)


def _groups(claims: dict[str, Any]) -> list[str]:
    value = claims.get(settings.OIDC_GROUPS_CLAIM, [])
    if isinstance(value, str):
        return [value]
    return [str(group) for group in value] if isinstance(value, list) else []


def username_for(email: str, claims: Any = None) -> str:
    """The new account's username: the email itself, made unique if it is taken."""
    users = get_user_model().objects
    base = email.lower()[:140]
    name, n = base, 1
    while users.filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


class CompanyOidcBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims: dict[str, Any]) -> bool:
        # Accounts are keyed by email: only an address the provider verified may sign in.
        verified = bool(claims.get("email")) and claims.get("email_verified") is True
        if not verified:
            logger.warning("OIDC sign-in refused: no verified email for sub %s", claims.get("sub"))
        return verified

    def get_username(self, claims: dict[str, Any]) -> str:
        return username_for(claims["email"], claims)

    def create_user(self, claims: dict[str, Any]) -> Any:
        user = super().create_user(claims)
        return self.update_user(user, claims)

    def update_user(self, user: Any, claims: dict[str, Any]) -> Any:
        user.first_name = str(claims.get("given_name") or claims.get("name") or "")[:150]
        user.last_name = str(claims.get("family_name") or "")[:150]
        user.save(update_fields=["first_name", "last_name"])
        roles = user_roles_sync(user=user, groups=_groups(claims))
        logger.info("OIDC sign-in of %s: roles %s", user.username, sorted(roles) or "none")
        return user
