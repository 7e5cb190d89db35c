"""The home page: a respondent's products, the open round and their status in it.

Managers and admins see every product, paged and filterable (there may be 10,000).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from surveys.assessments.selectors import home_rows
from surveys.models import Department, Product, Round, RoundStatus
from surveys.organisation.roles import is_admin, sees_everything
from surveys.organisation.selectors import products_editable_by, products_visible_to
from surveys.reviews.selectors import queries_awaiting

PAGE_SIZE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    products = products_visible_to(request.user).select_related("department")
    query = request.GET.get("q", "").strip()
    department = request.GET.get("department", "").strip()
    if query:
        products = products.filter(Q(name__icontains=query) | Q(slug__icontains=query))
    if department:
        products = products.filter(department__slug=department)
    if request.GET.get("archived") != "1":
        products = products.filter(is_active=True, archived_at__isnull=True)
    page = Paginator(products.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    open_rounds = list(
        Round.objects.filter(status=RoundStatus.OPEN)
        .select_related("version", "questionnaire")
        .order_by("closes_on")
    )
    everything = sees_everything(request.user)
    params = request.GET.copy()
    params.pop("page", None)
    shown = list(page.object_list)
    return render(
        request,
        "surveys/home.html",
        {
            "rows": home_rows(shown, open_rounds),
            # Managers read every product but edit none: no "Fill in" they cannot use.
            "editable_ids": _editable_ids(request.user, shown),
            "page": page,
            "open_rounds": open_rounds,
            "sees_everything": everything,
            "departments": Department.objects.order_by("name") if everything else [],
            "query": query,
            "department": department,
            "querystring": params.urlencode(),
            "review_queries": queries_awaiting(request.user),
        },
    )


def _editable_ids(user: Any, shown: list[Product]) -> set[int]:
    """Which of the shown products ``user`` may fill in: all for an admin, all for a
    member (they see only their own), and for a manager only those they are a member of."""
    if is_admin(user) or not sees_everything(user):
        return {p.pk for p in shown}
    return set(
        products_editable_by(user).filter(pk__in=[p.pk for p in shown]).values_list("pk", flat=True)
    )
