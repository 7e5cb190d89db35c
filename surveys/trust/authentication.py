"""``Authorization: Bearer <JWT>``: a CI platform's ID token instead of a stored token.

Listed before the stored-token authentication; it takes only bearer values shaped
like a JWT (three dot-separated parts), which stored tokens never are.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .oidc import TokenRefused, token_verify
from .services import TrustedIdentity, identity_accept


class CiPrincipal(AnonymousUser):
    """The pipeline behind an ID token: authenticated, no person, no roles."""

    def __init__(self, trusted: TrustedIdentity) -> None:
        super().__init__()
        self.ci_identity = trusted.identity
        self.ci_product_ids = trusted.product_ids

    @property
    def is_authenticated(self) -> bool:  # type: ignore[override]
        return True

    def __str__(self) -> str:
        return f"{self.ci_identity.issuer} {self.ci_identity.subject}"


def ci_principal_of(user: Any) -> CiPrincipal | None:
    return user if isinstance(user, CiPrincipal) else None


class OidcAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[CiPrincipal, TrustedIdentity] | None:
        parts = authentication.get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != b"bearer" or parts[1].count(b".") != 2:
            return None
        try:
            raw = parts[1].decode("ascii")
            trusted = identity_accept(token=token_verify(raw))
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("The bearer value is not a JWT.") from exc
        except TokenRefused as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from exc
        return CiPrincipal(trusted), trusted

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class OidcScheme(OpenApiAuthenticationExtension):
    """How the API docs describe a CI ID token (drf-spectacular)."""

    target_class = OidcAuthentication
    name = "ciIdToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The ID token the CI platform issues to the job (GitHub Actions "
            "`id-token: write`, GitLab `id_tokens:`), admitted by a trust policy of the "
            "product. Only `POST /api/v1/evidence/` and `GET /api/v1/products/SLUG/gate/` "
            "accept it; see docs/ci.md.",
        }
