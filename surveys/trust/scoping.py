"""Which products a CI identity may post for: those whose policies its token matched."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import PermissionDenied

from surveys.organisation.models import Product

from .authentication import CiPrincipal


def refuse_unadmitted_products(records: list[Any], principal: CiPrincipal) -> None:
    """403 when a record names a product no policy matched by the token admits."""
    slugs = {
        r["product"] for r in records if isinstance(r, dict) and isinstance(r.get("product"), str)
    }
    admitted = set(
        Product.objects.filter(pk__in=principal.ci_product_ids).values_list("slug", flat=True)
    )
    others = sorted(slugs - admitted)
    if others:
        raise PermissionDenied(
            f"No trust policy of {', '.join(repr(s) for s in others[:5])} admits this token "
            f"(issuer {principal.ci_identity.issuer}, subject {principal.ci_identity.subject})."
        )
