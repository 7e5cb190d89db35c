"""The import pages (MLOps admins): answers files and the organisation file, each uploaded,
dry run, then confirmed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from surveys.core.actors import actor_of
from surveys.core.errors import ApplicationError
from surveys.imports.organisation import bulk_apply, bulk_plan
from surveys.imports.staging import answers_confirm, answers_dry_run
from surveys.organisation.access import admin_required
from surveys.organisation.forms import BulkForm
from surveys.questionnaires.models import QuestionnaireVersion, VersionStatus
from surveys.uploads.services import upload_stage, upload_take


class AnswersFileForm(forms.Form):
    version = forms.ModelChoiceField(
        label=gettext_lazy("Questionnaire version"),
        queryset=QuestionnaireVersion.objects.none(),
        empty_label=None,
    )
    file = forms.FileField(label=gettext_lazy("Answers file (CSV or XLSX)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = (  # type: ignore[attr-defined]
            QuestionnaireVersion.objects.filter(status=VersionStatus.PUBLISHED)
            .select_related("questionnaire")
            .order_by("questionnaire__key", "-created_at")
        )


@admin_required
@require_http_methods(["GET", "POST"])
def answers_import_page(request: HttpRequest) -> HttpResponse:
    form = AnswersFileForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and request.POST.get("staged"):
        try:
            result, version = answers_confirm(
                staged_id=request.POST["staged"], by=actor_of(request)
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            context["problems"] = exc.details or []
        else:
            messages.success(
                request,
                _("Imported into %(label)s: %(rows)d rows, %(answers)d answers changed.")
                % {"label": version.label, "rows": result.rows, "answers": result.answers_changed},
            )
            return redirect("imports:answers")
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result, staged = answers_dry_run(
                version=form.cleaned_data["version"],
                content=upload.read(),
                name=upload.name,
                by=actor_of(request),
            )
        except ApplicationError as exc:
            context["problems"] = exc.details or [exc.message]
            context["summary"] = exc.message
        else:
            context.update(result=result, staged=staged, version=form.cleaned_data["version"])
    return render(request, "imports/answers.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
def organisation_bulk_page(request: HttpRequest) -> HttpResponse:
    """Upload → dry run (what will change, or every problem by row) → confirm."""
    form = BulkForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and request.POST.get("staged"):
        try:
            with transaction.atomic():
                staged = upload_take(
                    pk=request.POST["staged"], by=actor_of(request), kind="organisation"
                )
                plan = bulk_apply(content=bytes(staged.content), by=actor_of(request))
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
            context["problems"] = getattr(exc, "details", None) or []
        else:
            messages.success(
                request, _("Applied: %(count)d change(s).") % {"count": len(plan.changes)}
            )
            return redirect("imports:organisation")
    elif request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        try:
            plan = bulk_plan(content)
        except ApplicationError as exc:
            context["problems"] = [exc.message]
        else:
            context["plan"] = plan
            if not plan.problems:
                context["staged"] = upload_stage(
                    by=actor_of(request),
                    kind="organisation",
                    name=form.cleaned_data["file"].name,
                    content=content,
                )
            context["problems"] = plan.problems
    return render(request, "organisation/bulk.html", context)
