from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..selectors.products import products_visible_to


@login_required
def home(request: HttpRequest) -> HttpResponse:
    products = products_visible_to(request.user).select_related("department")
    return render(request, "surveys/home.html", {"products": products})
