"""Watches beside answers and on the product page (DESIGN §6.7); reads only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.template.loader import render_to_string

from surveys.core.i18n import tr
from surveys.watches import selectors, states
from surveys.watches.models import WatchState
from surveys.watches.notifications import item_titles

register = template.Library()


@register.simple_tag
def item_watch(assessment: Any, item_key: str, value: Any) -> str:
    """The item's watch beside its answer, nothing where it has none (most items: the
    assessment page draws 28 of them); the product's watches are read once a page.
    (A questionnaire's preview has no assessment, so no watch.)"""
    if not getattr(assessment, "product_id", None):
        return ""
    found = getattr(assessment, "_watches_by_item", None)
    if found is None:
        found = selectors.watches_by_item(product_id=assessment.product_id)
        assessment._watches_by_item = found
    watch = found.get(item_key)
    if watch is None:
        return ""
    return render_to_string(
        "watches/_item.html",
        {
            "watch": watch,
            "claims_automated": str(value) in ("1", "1.0"),
            "down": watch.state == WatchState.DOWN,
        },
    )


@register.inclusion_tag("watches/_product.html", takes_context=True)
def product_watches(context: Any, product: Any) -> dict[str, Any]:
    user = context["request"].user
    watches = list(selectors.watches_of(product=product))
    flips = selectors.flips_timeline(product=product)
    titles = {
        key: f"{code} {tr(title)}".strip()
        for key, (code, title) in item_titles([w.item_key for w in watches]).items()
    }
    return {
        "request": context["request"],
        "product": product,
        "watches": [(w, titles.get(w.item_key, w.item_key)) for w in watches],
        "flips": [(f, titles.get(f.watch.item_key, f.watch.item_key)) for f in flips],
        "editable": selectors.products_watch_editable_by(user).filter(pk=product.pk).exists(),
        "muted": selectors.is_muted(user=user, product=product),
        "is_admin": selectors.may_manage_channels(user),
        "channels": list(selectors.chat_channels_of(product=product)),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def due(watch: Any) -> Any:
    """When the watch goes down or its pause ends (the stored due time may be earlier:
    a post moves it lazily)."""
    return states.next_due(watch)


@register.filter
def days(value: timedelta) -> int:
    return int(value / timedelta(days=1))


@register.filter
def hours(value: timedelta) -> int:
    return int(value / timedelta(hours=1))
