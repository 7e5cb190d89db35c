"""The evidence help pages: one per product, and a list of the reader's products."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from surveys.cihelp.selectors import evidence_help_of
from surveys.organisation.selectors import products_visible_to, token_of


def _products(request: HttpRequest) -> object:
    if token_of(request.user) is not None:  # a CI token reads the API, not these pages
        raise Http404
    return products_visible_to(request.user).filter(archived_at__isnull=True).order_by("name")


@login_required
def evidence_help_index(request: HttpRequest) -> HttpResponse:
    """The reader's products; with only one, straight to its page."""
    products = list(_products(request))  # type: ignore[call-overload]
    if len(products) == 1:
        return redirect("help-evidence-product", slug=products[0].slug)
    return render(request, "cihelp/index.html", {"products": products})


@login_required
def evidence_help_product(request: HttpRequest, slug: str) -> HttpResponse:
    product = _products(request).filter(slug=slug).first()  # type: ignore[attr-defined]
    if product is None:
        raise Http404
    item_key = str(request.GET.get("item", ""))[:100]
    return render(
        request, "cihelp/product.html", {"help": evidence_help_of(product, item_key=item_key)}
    )
