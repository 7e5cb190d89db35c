"""Review pages: the round's review (coverage, sample, assessments), one assessment's
review (queries, acceptance, N/A decisions), and the team's replies.

Admins act; managers read the round and assessment review pages; members of the product
reply from the assessment page. Everyone else gets 404 (a product they may not see) or 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scoring.verified import claimed_gap
from surveys.assessments.models import Answer, Assessment, AssessmentStatus
from surveys.assessments.selectors import assessment_rows, assessments_visible_to
from surveys.core.actors import actor_of
from surveys.core.errors import ApplicationError
from surveys.organisation.roles import is_admin, sees_everything
from surveys.organisation.selectors import products_editable_by
from surveys.questionnaires.models import Item
from surveys.reviews import selectors, services
from surveys.reviews.forms import (
    CommentForm,
    NaDecisionForm,
    OptionalCommentForm,
    QueryForm,
    SampleForm,
)
from surveys.reviews.models import ReviewQuery, ReviewState
from surveys.rounds.models import Round

PAGE_SIZE = 100


def _reader(request: HttpRequest) -> None:
    if not sees_everything(request.user):
        raise PermissionDenied(_("Only MLOps admins and managers see reviews."))


def _admin(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied(_("Only MLOps admins review assessments."))


def _form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _run(request: HttpRequest, action: Any, success: str) -> None:
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)


# --- rounds ------------------------------------------------------------------------------


@login_required
def review_index(request: HttpRequest) -> HttpResponse:
    _reader(request)
    rounds = (
        Round.objects.exclude(status="scheduled")
        .select_related("version")
        .order_by("-opens_on", "-pk")
    )
    return render(request, "reviews/index.html", {"rows": selectors.rounds_summary(list(rounds))})


@login_required
def round_review(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    round = get_object_or_404(Round.objects.select_related("version__questionnaire"), pk=pk)
    coverage, total = selectors.round_coverage(round)
    state = request.GET.get("state", "")
    assessments = selectors.with_previous(
        Assessment.objects.filter(round=round, status=AssessmentStatus.SUBMITTED)
        .select_related("product__department", "round__version", "review")
        .order_by("product__name", "pk"),
        round,
    )
    if state == ReviewState.ACCEPTED:
        assessments = assessments.filter(selectors.accepted_q())
    elif state == ReviewState.QUERIED:
        assessments = assessments.filter(review__state=ReviewState.QUERIED)
    elif state == ReviewState.UNREVIEWED:
        assessments = assessments.exclude(selectors.accepted_q()).exclude(
            review__state=ReviewState.QUERIED
        )
    page = Paginator(assessments, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    states = selectors.review_states_of(shown)
    raws = selectors.raw_finals([a.pk for a in shown])
    pending = selectors.pending_na_of(shown)
    awaiting = selectors.awaiting_reviewer_of([a.pk for a in shown])
    rows = [
        {
            "assessment": a,
            "state": states[a.pk],
            "state_label": ReviewState(states[a.pk]).label,
            "raw": raws.get(a.pk),
            "pending_na": pending.get(a.pk, 0),
            "awaiting": awaiting.get(a.pk, 0),
            "gap": claimed_gap(a.final_score, a.verified_score),
        }
        for a in shown
    ]
    return render(
        request,
        "reviews/round.html",
        {
            "round": round,
            "coverage": coverage,
            "total": total,
            "picks": selectors.round_picks(round),
            "na_counts": selectors.na_counts(round),
            "requires_approval": selectors.requires_approval(round),
            "rows": rows,
            "page": page,
            "state": state,
            "states": ReviewState.choices,
            "sample_form": SampleForm(),
            "is_admin": is_admin(request.user),
        },
    )


@require_POST
@login_required
def sample_draw(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    round = get_object_or_404(Round, pk=pk)
    form = SampleForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _run(
            request,
            lambda: services.sample_draw(
                round=round,
                size=form.cleaned_data["size"],
                seed=form.cleaned_data["seed"],
                by=actor_of(request),
            ),
            _("The sample is drawn: its picks are listed below."),
        )
    return redirect("reviews:round", pk=pk)


# --- one assessment ----------------------------------------------------------------------


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    return get_object_or_404(assessments_visible_to(request.user), pk=pk)


def _item_choices(assessment: Assessment) -> list[tuple[int, str]]:
    return [
        (item.pk, item.code)
        for item in Item.objects.filter(version_id=assessment.round.version_id).order_by("position")
    ]


@login_required
def assessment_review(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    _reader(request)
    review = selectors.assessment_review(assessment, request.user)
    return render(
        request,
        "reviews/assessment.html",
        {
            "assessment": assessment,
            "product": assessment.product,
            "round": assessment.round,
            "areas": assessment_rows(assessment),
            "review": review,
            "state_label": ReviewState(review.state).label,
            "reviewable": assessment.status == AssessmentStatus.SUBMITTED,
            "is_admin": review.is_admin,
            "query_form": QueryForm(item_choices=_item_choices(assessment)),
            "na_form": NaDecisionForm(),
        },
    )


def _back_to_review(pk: int) -> HttpResponse:
    return redirect("reviews:assessment", pk=pk)


@require_POST
@login_required
def query_create(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    _admin(request)
    form = QueryForm(request.POST, item_choices=_item_choices(assessment))
    if not form.is_valid():
        _form_errors(request, form)
        return _back_to_review(pk)
    items = list(Item.objects.filter(pk__in=form.cleaned_data["items"]).order_by("position"))
    _run(
        request,
        lambda: services.review_query(
            assessment=assessment,
            items=items,
            comment=form.cleaned_data["comment"],
            by=actor_of(request),
        ),
        _("The team is asked; they are told by email and on their home page."),
    )
    return _back_to_review(pk)


@require_POST
@login_required
def review_accept(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    _admin(request)
    form = OptionalCommentForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back_to_review(pk)
    _run(
        request,
        lambda: services.review_accept(
            assessment=assessment, by=actor_of(request), comment=form.cleaned_data["comment"]
        ),
        _("The assessment is accepted."),
    )
    return _back_to_review(pk)


def _query(request: HttpRequest, pk: int) -> ReviewQuery:
    visible = assessments_visible_to(request.user)
    return get_object_or_404(
        ReviewQuery.objects.select_related("assessment__round", "item"),
        pk=pk,
        assessment__in=visible,
    )


@require_POST
@login_required
def query_reply(request: HttpRequest, pk: int) -> HttpResponse:
    query = _query(request, pk)
    if not products_editable_by(request.user).filter(pk=query.assessment.product_id).exists():
        raise PermissionDenied(_("Only the product's members can reply to this query."))
    form = CommentForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _run(
            request,
            lambda: services.review_query_reply(
                query=query, comment=form.cleaned_data["comment"], by=actor_of(request)
            ),
            _("Your reply is sent to the reviewer."),
        )
    url = reverse("assessment", args=[query.assessment_id])
    return redirect(f"{url}#item-{query.item_id}")


def _query_step(
    request: HttpRequest, pk: int, form_class: Any, step: Any, done: str
) -> HttpResponse:
    """An admin's step on one query: validate the comment, run the service, go back."""
    query = _query(request, pk)
    _admin(request)
    form = form_class(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        comment = form.cleaned_data["comment"]
        _run(request, lambda: step(query=query, by=actor_of(request), comment=comment), done)
    return _back_to_review(query.assessment_id)


@require_POST
@login_required
def query_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _query_step(
        request,
        pk,
        OptionalCommentForm,
        services.review_query_resolve,
        _("The query is resolved."),
    )


@require_POST
@login_required
def query_requery(request: HttpRequest, pk: int) -> HttpResponse:
    return _query_step(
        request,
        pk,
        CommentForm,
        services.review_query_requery,
        _("The query is sent back to the team."),
    )


@require_POST
@login_required
def na_decide(request: HttpRequest, pk: int) -> HttpResponse:
    answer = get_object_or_404(
        Answer.objects.select_related("assessment__round__version", "item"),
        pk=pk,
        assessment__in=assessments_visible_to(request.user),
    )
    _admin(request)
    form = NaDecisionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    elif form.cleaned_data["decision"] == "approve":
        _run(
            request,
            lambda: services.na_approve(
                answer=answer,
                by=actor_of(request),
                comment=form.cleaned_data["comment"],
                expires_on=form.cleaned_data["expires_on"],
                rounds=form.cleaned_data["rounds"],
            ),
            _("The N/A is approved."),
        )
    else:
        _run(
            request,
            lambda: services.na_reject(
                answer=answer, by=actor_of(request), comment=form.cleaned_data["comment"]
            ),
            _("The N/A is rejected: the item is unanswered and the team is told."),
        )
    return _back_to_review(answer.assessment_id)
