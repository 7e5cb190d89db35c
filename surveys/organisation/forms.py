"""Forms of the organisation pages (MLOps admins)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.organisation.models import Department, Language, Phase
from surveys.organisation.services import ROLES


def _departments() -> Any:
    return Department.objects.filter(archived_at__isnull=True).order_by("name")


def _say_when_too_long(form: forms.Form) -> None:
    """A browser silently cuts a pasted text at ``maxlength``; without it the form says
    "at most 200 characters (it has 1000)" and the person keeps what they typed."""
    for field in form.fields.values():
        field.widget.attrs.pop("maxlength", None)


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ModelChoiceField(
        label=_("Inside"), queryset=_departments(), required=False, empty_label=_("(top level)")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = _departments()  # type: ignore[attr-defined]
        _say_when_too_long(self)


class ProductForm(forms.Form):
    slug = forms.SlugField(label=_("Slug"), max_length=100)
    name = forms.CharField(label=_("Name"), max_length=200)
    department = forms.ModelChoiceField(label=_("Department"), queryset=_departments())
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments()  # type: ignore[attr-defined]
        _say_when_too_long(self)


class MemberForm(forms.Form):
    person = forms.CharField(
        label=_("Username or email address"),
        max_length=254,
        help_text=_("Someone new is invited by email and chooses a password."),
    )


ROLE_LABELS = {"respondent": _("Respondent"), "manager": _("Manager"), "admin": _("MLOps admin")}


class PersonForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[(r, ROLE_LABELS[r]) for r in ROLES])
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    time_zone = forms.CharField(
        label=_("Time zone"), max_length=64, required=False, help_text=_("for example Asia/Tokyo")
    )

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        if value and value not in zoneinfo.available_timezones():
            raise forms.ValidationError(_("Not a time zone (for example Asia/Tokyo)."))
        return value


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=[(r, ROLE_LABELS[r]) for r in ROLES])


class BulkForm(forms.Form):
    file = forms.FileField(label=_("Products and members (CSV or XLSX)"))
