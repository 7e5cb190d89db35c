"""The home page: a respondent's products, the open round and their status in it.

Managers and admins see every product, paged and filterable (there may be 10,000).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from surveys.assessments.models import Assessment, AssessmentStatus
from surveys.organisation.models import Department, Product
from surveys.organisation.roles import is_admin, sees_everything
from surveys.organisation.selectors import products_editable_by, products_visible_to
from surveys.reviews.selectors import queries_awaiting
from surveys.rounds.models import Round, RoundStatus

PAGE_SIZE = 50


@dataclass
class HomeRow:
    product: Product
    open_assessments: list[tuple[Round, Assessment | None]]
    latest: Assessment | None


def home_rows(products: Sequence[Product], open_rounds: Sequence[Round]) -> list[HomeRow]:
    """For a page of products: their status in each open round and their latest score.

    Two queries whatever the page size, so a manager paging through 10,000 products
    costs the same on every page.
    """
    ids = [p.pk for p in products]
    targeted = set(
        Round.products.through.objects.filter(
            round_id__in=[r.pk for r in open_rounds], product_id__in=ids
        ).values_list("round_id", "product_id")
    )
    in_open = {
        (a.round_id, a.product_id): a
        for a in Assessment.objects.filter(
            round_id__in=[r.pk for r in open_rounds], product_id__in=ids
        )
    }
    latest: dict[int, Assessment] = {}
    for a in (
        Assessment.objects.filter(product_id__in=ids, final_score__isnull=False)
        .exclude(status=AssessmentStatus.NOT_SUBMITTED)
        .select_related("round")
        .order_by("product_id", "-round__opens_on", "-round__id")
    ):
        latest.setdefault(a.product_id, a)
    rows = []
    for product in products:
        status = [
            (r, in_open.get((r.pk, product.pk)))
            for r in open_rounds
            if (r.pk, product.pk) in targeted or (r.pk, product.pk) in in_open
        ]
        rows.append(HomeRow(product, status, latest.get(product.pk)))
    return rows


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
