"""Pages for a product's trust policies: which CI ID tokens may post its evidence.

Admins and the product's members manage them (DESIGN §6.6), as they manage tokens.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
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

from .models import TrustPolicy
from .services import policy_create, policy_delete


class PolicyForm(forms.Form):
    issuer = forms.ChoiceField(label=gettext_lazy("Issuer"))
    conditions = forms.CharField(
        label=gettext_lazy("Claim conditions"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy(
            "One claim=value per line; * matches anything, e.g. repository=acme/ads-ctr "
            "and ref=refs/heads/main."
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [(url, url) for url in settings.EVIDENCE_OIDC_ISSUERS]
        self.fields["issuer"].choices = choices  # type: ignore[attr-defined]


def _page(
    request: HttpRequest, product: Product, form: PolicyForm, status: int = 200
) -> HttpResponse:
    context = {
        "product": product,
        "policies": product.trust_policies.select_related("created_by").order_by("id"),
        "issuers": settings.EVIDENCE_OIDC_ISSUERS,
        "audience": settings.EVIDENCE_OIDC_AUDIENCE,
        # The evidence these policies admitted, with its verified origin (DESIGN §6.6).
        "recent": product.evidence.filter(origin__isnull=False)
        .select_related("origin")
        .order_by("-received_at", "-id")[:20],
        "form": form,
    }
    return render(request, "trust/product.html", context, status=status)


@login_required
def product_policies(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, product_managed_by(request.user, slug), PolicyForm())


@login_required
@require_POST
def policy_new(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_managed_by(request.user, slug)
    form = PolicyForm(request.POST)
    if not form.is_valid():
        return _page(request, product, form, status=400)
    lines = [line for line in form.cleaned_data["conditions"].splitlines() if line.strip()]
    try:
        policy_create(
            product=product,
            issuer=form.cleaned_data["issuer"],
            conditions=lines,
            by=actor_of(request),
        )
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _page(request, product, form, status=400)
    messages.success(request, _("Trust policy added."))
    return redirect("trust:product", slug=product.slug)


@login_required
@require_POST
def policy_delete_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    product = product_managed_by(request.user, slug)
    policy = get_object_or_404(TrustPolicy, pk=pk, product=product)
    if not confirmed(request):
        return confirm_page(
            request,
            title=_("Remove this trust policy of %(name)s?") % {"name": product.name},
            consequences=[
                _("CI jobs that only this policy admits can no longer post evidence."),
                _("Evidence already posted is kept."),
            ],
            button=_("Remove"),
            back=reverse("trust:product", args=[product.slug]),
        )
    policy_delete(policy=policy)
    messages.success(request, _("Trust policy removed."))
    return redirect("trust:product", slug=product.slug)
