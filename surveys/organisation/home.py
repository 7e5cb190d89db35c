"""The home page: a respondent's products, the open round and their status in it.

Managers and admins see every product, paged and filterable (there may be 10,000).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from surveys.assessments.selectors import home_rows
from surveys.models import Department, Round, RoundStatus
from surveys.organisation.roles import sees_everything
from surveys.organisation.selectors import products_visible_to
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
    return render(
        request,
        "surveys/home.html",
        {
            "rows": home_rows(list(page.object_list), open_rounds),
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
