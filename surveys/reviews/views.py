"""Review pages: MLOps admins query, resolve and accept; the product's team replies
beside each queried item on its assessment page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mlopsscore.errors import ApplicationError
from surveys.assessments.selectors import assessment_rows, assessments_visible_to
from surveys.models import Assessment, AssessmentStatus, Item, ReviewQuery, Round
from surveys.organisation.access import admin_required
from surveys.organisation.selectors import products_editable_by
from surveys.reviews import services
from surveys.reviews.selectors import queries_by_item, submitted_for_review


@admin_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    rounds = list(
        Round.objects.filter(assessments__status=AssessmentStatus.SUBMITTED)
        .distinct()
        .order_by("-opens_on")
    )
    selected = next((r for r in rounds if str(r.pk) == request.GET.get("round")), None)
    selected = selected or (rounds[0] if rounds else None)
    rows = list(submitted_for_review(selected.pk)) if selected else []
    return render(
        request, "reviews/list.html", {"rounds": rounds, "selected": selected, "rows": rows}
    )


@admin_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment.objects.select_related("round", "product"), pk=pk)
    return render(
        request,
        "reviews/detail.html",
        {
            "assessment": assessment,
            "areas": assessment_rows(assessment),
            "queries": queries_by_item(assessment),
        },
    )


def _back(assessment: Assessment) -> HttpResponse:
    return redirect("reviews:detail", pk=assessment.pk)


@admin_required
@require_POST
def review_query_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment, pk=pk)
    ids = [int(i) for i in request.POST.getlist("item") if i.isdigit()]
    items = list(Item.objects.filter(pk__in=ids, version_id=assessment.round.version_id))
    try:
        services.review_query(
            assessment=assessment,
            items=items,
            comment=request.POST.get("comment", ""),
            by=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The team is asked about %(n)d answer(s).") % {"n": len(items)})
    return _back(assessment)


@admin_required
@require_POST
def review_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment, pk=pk)
    try:
        services.review_accept(assessment=assessment, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Accepted."))
    return _back(assessment)


@admin_required
@require_POST
def query_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    query = get_object_or_404(ReviewQuery.objects.select_related("assessment"), pk=pk)
    if request.POST.get("action") == "requery":
        try:
            services.review_query(
                assessment=query.assessment,
                items=[query.item],
                comment=request.POST.get("text", ""),
                by=request.user,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        services.query_resolve(query=query, by=request.user, text=request.POST.get("text", ""))
    return _back(query.assessment)


@login_required
@require_POST
def query_reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The product's team (or an admin) answers a query, from the assessment page."""
    query = get_object_or_404(
        ReviewQuery.objects.filter(assessment__in=assessments_visible_to(request.user)), pk=pk
    )
    if not products_editable_by(request.user).filter(pk=query.assessment.product_id).exists():
        raise PermissionDenied(_("Only the product's team replies to a query."))
    try:
        services.query_reply(query=query, text=request.POST.get("text", ""), by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Reply sent to the reviewer."))
    return redirect(reverse("assessment", args=[query.assessment_id]) + f"#item-{query.item_id}")
