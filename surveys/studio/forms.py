"""Forms of the questionnaire studio."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from surveys.core.errors import ApplicationError
from surveys.core.guard import BadInput, json_body

MAX_FILE_BYTES = 2 * 1024 * 1024


class CopyForm(forms.Form):
    MAX_NAME = 50
    new_version = forms.CharField(
        label=gettext_lazy("New version"),
        max_length=MAX_NAME,
        help_text=gettext_lazy("for example 2027.1"),
    )


class NewQuestionnaireForm(forms.Form):
    key = forms.CharField(label=gettext_lazy("Key"), max_length=50, help_text="mlts")
    version = forms.CharField(label=gettext_lazy("First version"), max_length=50)
    title_en = forms.CharField(label=gettext_lazy("Title (English)"), max_length=200)
    title_ja = forms.CharField(
        label=gettext_lazy("Title (Japanese)"), max_length=200, required=False
    )


class FileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Questionnaire file (JSON)"))


class AreaAddForm(forms.Form):
    key = forms.CharField(label=gettext_lazy("Key"), max_length=50)
    title_en = forms.CharField(
        label=gettext_lazy("Title (English)"), max_length=200, required=False
    )
    title_ja = forms.CharField(
        label=gettext_lazy("Title (Japanese)"), max_length=200, required=False
    )


class ItemAddForm(forms.Form):
    key = forms.CharField(label=gettext_lazy("Key"), max_length=100)
    code = forms.CharField(label=gettext_lazy("Code"), max_length=20)


def read_json(form: FileForm) -> Any:
    """The uploaded questionnaire file as JSON, or a clear message."""
    if not form.is_valid():
        raise ApplicationError(_("Choose a questionnaire file (JSON) to upload."))
    upload = form.cleaned_data["file"]
    if upload.size > MAX_FILE_BYTES:
        raise ApplicationError(_("The file is larger than 2 MB."))
    try:
        return json_body(upload.read())
    except BadInput as exc:
        raise ApplicationError(
            _("The file is not valid JSON: %(error)s") % {"error": exc.message}
        ) from exc
