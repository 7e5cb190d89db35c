"""The answers import page (MLOps admins): upload, dry run, confirm."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from mlopsscore.errors import ApplicationError
from surveys.imports.staging import answers_confirm, answers_dry_run
from surveys.models import QuestionnaireVersion, VersionStatus
from surveys.organisation.access import admin_required


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
            result, version = answers_confirm(staged_id=request.POST["staged"], by=request.user)
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
                by=request.user,
            )
        except ApplicationError as exc:
            context["problems"] = exc.details or [exc.message]
            context["summary"] = exc.message
        else:
            context.update(result=result, staged=staged, version=form.cleaned_data["version"])
    return render(request, "imports/answers.html", context)
