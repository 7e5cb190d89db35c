"""The README badge (``/badges/SLUG.svg?key=KEY``) and the pages where a product's members
and admins create and revoke its keys (DESIGN §6.9). Managers read products only: 403."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from surveys.badges.models import BadgeKey
from surveys.badges.selectors import badge_of, key_product
from surveys.badges.services import badge_key_create, badge_key_revoke
from surveys.core.errors import ApplicationError
from surveys.organisation.access import product_managed_by
from surveys.organisation.models import Product

# READMEs are fetched through image proxies: let them keep the drawing a few minutes.
BADGE_HEADERS = {
    "Cache-Control": "public, max-age=300",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}
SVG = "image/svg+xml; charset=utf-8"


@require_safe
def badge(request: HttpRequest, slug: str) -> HttpResponse:
    """404 without a live key of this product: a badge says nothing to a stranger."""
    found = key_product(request.GET.get("key", ""))
    if found is None or found[1] != slug:
        raise Http404
    svg = badge_of(found[0], request.GET.get("lang", "en"))
    return HttpResponse(svg, content_type=SVG, headers=BADGE_HEADERS)


class BadgeKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name (optional)"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Where the badge is shown, e.g. “README of acme/ads-ctr”."),
    )


def _page(request: HttpRequest, product: Product, form: BadgeKeyForm, status: int = 200) -> Any:
    keys = BadgeKey.objects.filter(product=product).select_related("created_by")
    return render(
        request,
        "badges/keys.html",
        {"product": product, "keys": keys, "form": form},
        status=status,
    )


@login_required
def badge_keys(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, product_managed_by(request.user, slug), BadgeKeyForm())


@login_required
@require_POST
def badge_key_new(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_managed_by(request.user, slug)
    form = BadgeKeyForm(request.POST)
    if not form.is_valid():
        return _page(request, product, form, status=400)
    try:
        key, raw = badge_key_create(
            product=product, name=form.cleaned_data["name"], by=request.user
        )
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _page(request, product, form, status=400)
    url = request.build_absolute_uri(reverse("badges:badge", args=[product.slug]))
    # Shown in this response only: the key is stored hashed and cannot be shown again.
    response = render(
        request,
        "badges/created.html",
        {"product": product, "key": key, "url": f"{url}?key={raw}"},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def badge_key_revoke_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    product = product_managed_by(request.user, slug)
    key = get_object_or_404(BadgeKey, pk=pk, product=product)
    badge_key_revoke(key=key, by=request.user)
    messages.success(request, _("The badge key %(prefix)s… is revoked.") % {"prefix": key.prefix})
    return redirect("badges:keys", slug=product.slug)
