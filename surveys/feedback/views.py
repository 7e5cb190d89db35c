"""Feedback on items (DESIGN §5): left from the assessment page, answered by an admin
from the studio, and the report of the items with most feedback per round."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from surveys.assessments.selectors import assessments_visible_to
from surveys.core.errors import ApplicationError
from surveys.feedback.forms import FeedbackForm, ResolveForm
from surveys.feedback.models import ItemFeedback
from surveys.feedback.selectors import feedback_report
from surveys.feedback.services import feedback_leave, feedback_resolve
from surveys.organisation.access import admin_required
from surveys.organisation.roles import sees_everything
from surveys.organisation.selectors import product_editable_by, token_of
from surveys.questionnaires.models import Item, Questionnaire, QuestionnaireVersion
from surveys.rounds.models import Round


@login_required
@require_POST
def feedback_new(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    assessment = get_object_or_404(assessments_visible_to(request.user), pk=pk)
    if not product_editable_by(request.user, assessment.product_id):
        raise PermissionDenied(_("Only the product's members and MLOps admins leave feedback."))
    item = get_object_or_404(Item, pk=item_id, version_id=assessment.round.version_id)
    form = FeedbackForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            feedback_leave(assessment=assessment, item=item, by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Thank you: your feedback is kept for the next version."))
            return redirect(f"{reverse('assessment', args=[assessment.pk])}#item-{item.pk}")
    # The form again, with what was typed and why it was refused: nothing is lost.
    context = {"assessment": assessment, "item": item, "form": form, "error": error}
    return render(request, "feedback/retry.html", context, status=400)


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("feedback:report")


@admin_required
@require_POST
def feedback_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_object_or_404(ItemFeedback.objects.select_related("item__version"), pk=pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Mark the feedback addressed or declined."))
        return redirect(_back(request))
    version_id = form.cleaned_data["version"]
    version = QuestionnaireVersion.objects.filter(pk=version_id).first() if version_id else None
    try:
        feedback_resolve(
            feedback=feedback,
            status=form.cleaned_data["status"],
            version=version,
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Feedback on %(key)s answered.") % {"key": feedback.item_key})
    return redirect(_back(request))


@require_GET
def feedback_report_view(request: HttpRequest) -> HttpResponse:
    """Managers and admins: feedback speaks about the questionnaire, not one product."""
    if not request.user.is_authenticated or token_of(request.user) is not None:
        return redirect_to_login(request.get_full_path())
    if not sees_everything(request.user):
        raise PermissionDenied(_("Only managers and MLOps admins read the feedback report."))
    blocks = []
    for questionnaire in Questionnaire.objects.order_by("key"):
        rounds = Round.objects.filter(questionnaire=questionnaire).order_by("-opens_on")
        rows = feedback_report(rounds.select_related("version"))
        if rows:
            blocks.append((questionnaire, rows))
    return render(request, "feedback/report.html", {"blocks": blocks})
