"""What a product's evidence help page shows: the version its team answers, the items to
post for, and this deployment's own addresses (never example.com)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from surveys.organisation.models import Product
from surveys.questionnaires.models import Item, QuestionnaireVersion, VersionStatus
from surveys.rounds.models import Round


@dataclass(frozen=True)
class EvidenceHelp:
    product: Product
    version: QuestionnaireVersion | None
    items: list[Item]
    example: Item | None  # the item the snippets post for
    site_url: str
    endpoint: str
    issuers: list[str]
    audience: str


def _version_of(product: Product) -> QuestionnaireVersion | None:
    """The version of the product's latest round, else the newest published one."""
    latest = (
        Round.objects.filter(products=product).select_related("version").order_by("-opens_on")
    ).first()
    if latest is not None:
        return latest.version
    return (
        QuestionnaireVersion.objects.filter(
            status=VersionStatus.PUBLISHED, archived_at__isnull=True
        )
        .order_by("-published_at", "-pk")
        .first()
    )


def evidence_help_of(product: Product, item_key: str = "") -> EvidenceHelp:
    version = _version_of(product)
    items: list[Any] = (
        list(version.items.select_related("area").order_by("area__position", "position"))
        if version is not None
        else []
    )
    return EvidenceHelp(
        product=product,
        version=version,
        items=items,
        example=next((i for i in items if i.key == item_key), items[0] if items else None),
        site_url=settings.SITE_URL,
        endpoint=f"{settings.SITE_URL}/api/v1/evidence/",
        issuers=list(settings.EVIDENCE_OIDC_ISSUERS),
        audience=settings.EVIDENCE_OIDC_AUDIENCE,
    )
