"""Pages for a product's API tokens: list, create (shown once), revoke.

Admins and the product's members manage tokens (DESIGN §7); managers only read
products, so they get 403 here; a product one cannot see is a 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from surveys.confirmations.views import confirm_page, confirmed
from surveys.core.actors import actor_of
from surveys.core.errors import ApplicationError
from surveys.organisation.access import product_managed_by
from surveys.organisation.models import Product
from surveys.organisation.selectors import products_editable_by
from surveys.tokens.models import ApiToken
from surveys.tokens.services import token_create, token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("Which pipeline uses it, e.g. “GitHub Actions nightly”."),
    )
    can_write_evidence = forms.BooleanField(
        label=gettext_lazy("Post evidence"), required=False, initial=True
    )
    can_read = forms.BooleanField(
        label=gettext_lazy("Read the product and its evidence"), required=False, initial=True
    )


def _product_page(
    request: HttpRequest, product: Product, form: TokenForm, status: int = 200
) -> HttpResponse:
    tokens = product.tokens.select_related("created_by").order_by("-created_at", "-id")
    context = {"product": product, "tokens": tokens, "form": form}
    return render(request, "tokens/product.html", context, status=status)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    products = products_editable_by(request.user).select_related("department").order_by("name")
    return render(request, "tokens/index.html", {"products": products})


@login_required
def product_tokens(request: HttpRequest, slug: str) -> HttpResponse:
    return _product_page(request, product_managed_by(request.user, slug), TokenForm())


@login_required
@require_POST
def token_new(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_managed_by(request.user, slug)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _product_page(request, product, form, status=400)
    try:
        token, raw = token_create(product=product, by=actor_of(request), **form.cleaned_data)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _product_page(request, product, form, status=400)
    # Shown in this response only: it is stored hashed and cannot be shown again.
    response = render(
        request,
        "tokens/created.html",
        {
            "product": product,
            "token": token,
            "raw": raw,
            "site_url": request.build_absolute_uri("/"),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    product = product_managed_by(request.user, slug)
    token = get_object_or_404(ApiToken, pk=pk, product=product)
    if not confirmed(request):
        return confirm_page(
            request,
            title=_("Revoke the token “%(name)s”?") % {"name": token.name},
            consequences=[
                _("Pipelines that use it can no longer post evidence; this cannot be undone."),
                _("Evidence already posted is kept."),
            ],
            button=_("Revoke"),
            back=reverse("tokens:product", args=[product.slug]),
        )
    token_revoke(token=token, by=actor_of(request))
    messages.success(request, _("Token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("tokens:product", slug=product.slug)
