"""Reading watches, scoped to who may see them (DESIGN §6.7, §7)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from surveys.organisation.models import Product
from surveys.organisation.roles import is_admin
from surveys.organisation.selectors import (
    department_descendant_ids,
    products_editable_by,
    products_visible_to,
    token_of,
)
from surveys.trust.authentication import ci_principal_of
from surveys.watches.models import ChatChannel, Flip, Watch, WatchMute, WatchState

ALARM_STATES = (WatchState.DOWN, WatchState.FAILING)


def products_watched_by(user: Any) -> QuerySet[Product]:
    """Products whose watches ``user`` may read: as ``products_visible_to``, and for a CI
    ID token (DESIGN §6.6) the products its policies admit."""
    principal = ci_principal_of(user)
    if principal is not None:
        return Product.objects.filter(pk__in=principal.ci_product_ids)
    return products_visible_to(user)


def products_watch_editable_by(user: Any) -> QuerySet[Product]:
    """Products whose watch settings and pauses ``user`` may change: the team, admins,
    and a writing token of the product."""
    token = token_of(user)
    if token is not None:
        if not token.can_write_evidence:
            return Product.objects.none()
        return Product.objects.filter(pk=token.product_id)
    if ci_principal_of(user) is not None:
        return Product.objects.none()
    return products_editable_by(user)


def watches_of(*, product: Product) -> QuerySet[Watch]:
    return Watch.objects.filter(product=product).order_by("item_key")


def watches_by_item(*, product_id: int, keys: Iterable[str] | None = None) -> dict[str, Watch]:
    found = Watch.objects.filter(product_id=product_id)
    if keys is not None:
        found = found.filter(item_key__in=list(keys))
    return {w.item_key: w for w in found}


def flips_timeline(*, product: Product, limit: int = 50) -> list[Flip]:
    """The product's flips, newest first (reminders are not flips)."""
    return list(
        Flip.objects.filter(watch__product=product, reminder=False)
        .select_related("watch")
        .order_by("-at", "-pk")[:limit]
    )


def watches_alarming(
    *, department_id: int | None = None, state: str | None = None
) -> QuerySet[Watch]:
    """Every watch down or failing, oldest alarm first, by department (admins' page);
    archived products left out."""
    found = Watch.objects.filter(
        state__in=[state] if state else ALARM_STATES, product__is_active=True
    ).select_related("product__department")
    if department_id is not None:
        found = found.filter(product__department_id__in=department_descendant_ids({department_id}))
    return found.order_by("product__department__name", "changed_at", "pk")


def is_muted(*, user: Any, product: Product) -> bool:
    return bool(
        user.is_authenticated and WatchMute.objects.filter(user=user, product=product).exists()
    )


def chat_channels_of(*, product: Product | None = None, department: Any = None) -> QuerySet:
    if product is not None:
        return ChatChannel.objects.filter(product=product).order_by("pk")
    return ChatChannel.objects.filter(department=department).order_by("pk")


def may_manage_channels(user: Any) -> bool:
    return token_of(user) is None and is_admin(user)
