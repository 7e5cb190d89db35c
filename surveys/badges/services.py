"""Badge keys of a product: created (shown once, stored hashed) and revoked (DESIGN §6.9)."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from surveys.audit.models import AuditCategory
from surveys.audit.services import audit_record
from surveys.badges import cache as badge_cache
from surveys.badges.models import BadgeKey
from surveys.badges.selectors import key_hash
from surveys.core.errors import ApplicationError
from surveys.organisation.models import Product


@transaction.atomic
def badge_key_create(*, product: Product, name: str = "", by: Any = None) -> tuple[BadgeKey, str]:
    """A new badge key of ``product``; returns it with its raw value, never stored."""
    name = name.strip()
    if len(name) > 100:
        raise ApplicationError(gettext("A badge key name has at most 100 characters."))
    prefix = secrets.token_hex(4)
    raw = f"b{prefix}{secrets.token_urlsafe(18)}"
    key = BadgeKey.objects.create(
        product=product,
        name=name,
        prefix=prefix,
        key_hash=key_hash(raw),
        created_by=by if getattr(by, "pk", None) else None,
    )
    audit_record(
        by=by,
        category=AuditCategory.TOKENS,
        action="badge_key.created",
        subject=key,
        target=f"{product.slug}: badge {name or prefix} ({prefix}…)",
    )
    return key, raw


@transaction.atomic
def badge_key_revoke(*, key: BadgeKey, by: Any = None) -> None:
    """Revoke a key: its badge answers 404 from the next request on."""
    claimed = BadgeKey.objects.filter(pk=key.pk, revoked_at=None).update(revoked_at=timezone.now())
    if not claimed:
        return
    audit_record(
        by=by,
        category=AuditCategory.TOKENS,
        action="badge_key.revoked",
        subject=key,
        target=f"{key.product.slug}: badge {key.name or key.prefix} ({key.prefix}…)",
    )
    transaction.on_commit(lambda: badge_cache.key_forget(key.key_hash))
