"""Bearer tokens for CI pipelines: ``Authorization: Bearer mlops_<prefix>_<secret>``.

Only a SHA-256 of the token is stored. A request authenticated this way carries the
token in ``request.auth`` and no user, so views scope it to the token's product.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from surveys.core.joined import Joined, column, join, table
from surveys.organisation.models import Product
from surveys.tokens.models import ApiToken

TOKEN_PREFIX = "mlops_"


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_generate() -> tuple[str, str, str]:
    """A new token as (raw, prefix, hash). The raw value is shown once and never stored."""
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return raw, prefix, token_hash(raw)


class TokenUser(AnonymousUser):
    """The machine behind a token: authenticated, but no person and no roles."""

    def __init__(self, token: ApiToken) -> None:
        super().__init__()
        self.token = token

    @property
    def is_authenticated(self) -> bool:  # type: ignore[override]
        return True

    def __str__(self) -> str:
        return f"token {self.token.prefix}"


def token_by_hash(key_hash: str) -> ApiToken | None:
    """The token with this hash and its product, or None: one statement written once per
    process (``surveys.core.joined``), since every CI post asks it first."""
    sql, joined = _token_read()
    found = joined.read(sql, [key_hash])
    if found is None:
        return None
    (token, product), _ = found
    token.product = product
    return token


@lru_cache(maxsize=1)
def _token_read() -> tuple[str, Joined]:
    joined = Joined([(ApiToken, "t"), (Product, "p")])
    sql = (
        f"SELECT {joined.columns} FROM {table(ApiToken)} t "
        f"{join(Product, 'p', 't.' + column(ApiToken, 'product'))} "
        f"WHERE t.{column(ApiToken, 'key_hash')} = %s"
    )
    return sql, joined


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[TokenUser, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if not parts or parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: use 'Bearer <token>'."
            )
        token = token_by_hash(token_hash(parts[1]))
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token has been revoked.")
        now = timezone.now()
        # Record the last use at most once a minute, so a busy pipeline does not write per call.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return TokenUser(token), token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the API docs describe a product token (drf-spectacular)."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token of one product: `Authorization: Bearer mlops_…`. "
            "Create it on the product's Tokens page or with `manage.py issue_token`.",
        }
