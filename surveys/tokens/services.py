"""API tokens of a product: created (shown once, stored hashed) and revoked."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from surveys.audit.models import AuditCategory
from surveys.audit.services import audit_record
from surveys.core.actors import Actor
from surveys.core.errors import ApplicationError
from surveys.organisation.models import Product
from surveys.tokens.authentication import token_generate
from surveys.tokens.models import ApiToken


@transaction.atomic(durable=True)
def token_create(
    *,
    product: Product,
    name: str,
    can_write_evidence: bool = True,
    can_read: bool = True,
    by: Actor = None,
) -> tuple[ApiToken, str]:
    """A new token of ``product``; returns it with its raw value, which is never stored."""
    name = name.strip()
    if not name:
        raise ApplicationError(
            gettext("Give the token a name (for example the pipeline that uses it).")
        )
    if len(name) > 100:
        raise ApplicationError(gettext("A token name has at most 100 characters."))
    if not (can_write_evidence or can_read):
        raise ApplicationError(gettext("A token needs at least one scope: write evidence or read."))
    raw, prefix, key_hash = token_generate()
    token = ApiToken(
        product=product,
        name=name,
        prefix=prefix,
        key_hash=key_hash,
        can_write_evidence=can_write_evidence,
        can_read=can_read,
        created_by=by if getattr(by, "pk", None) else None,
    )
    token.full_clean()
    token.save()
    audit_record(
        by=by,
        category=AuditCategory.TOKENS,
        action="token.created",
        subject=token,
        target=f"{product.slug}: {name} ({prefix}…)",
        read=can_read,
        write_evidence=can_write_evidence,
    )
    return token, raw


@transaction.atomic(durable=True)
def token_revoke(*, token: ApiToken, by: Actor = None) -> ApiToken:
    """Revoke ``token`` for good; revoking twice keeps the first revocation time."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    if revoked:
        audit_record(
            by=by,
            category=AuditCategory.TOKENS,
            action="token.revoked",
            subject=token,
            target=f"{token.product.slug}: {token.name} ({token.prefix}…)",
        )
    return token
