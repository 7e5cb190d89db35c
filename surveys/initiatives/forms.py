"""The initiative form of the MLOps console: input validated with messages a user can read;
the rules of a target are checked again by ``initiative_save``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from surveys.initiatives.models import Initiative, TargetKind
from surveys.initiatives.services import InitiativeInput
from surveys.organisation.models import Department, Phase, Product
from surveys.questionnaires.models import Questionnaire


class DateInput(forms.DateInput):
    input_type = "date"


def _numbers(raw: str) -> list[str]:
    return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]


class InitiativeForm(forms.Form):
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_ja = forms.CharField(label=_("Title (Japanese)"), max_length=200, required=False)
    questionnaire = forms.ModelChoiceField(
        label=_("Questionnaire"), queryset=Questionnaire.objects.order_by("key"), empty_label=None
    )
    target_kind = forms.ChoiceField(label=_("The target reads"), choices=TargetKind.choices)
    target_key = forms.CharField(
        label=_("Area or item key"),
        max_length=100,
        required=False,
        help_text=_("For an area target an area key (monitoring), for an item an item key."),
    )
    threshold = forms.FloatField(
        label=_("At least"), min_value=0, max_value=100, help_text=_("For an item: 1, or 0.5.")
    )
    verified = forms.BooleanField(label=_("On the verified score"), required=False)
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments (and their sub-departments)"),
        queryset=Department.objects.filter(archived_at__isnull=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phases = forms.MultipleChoiceField(
        label=_("Phases"),
        choices=Phase.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    products = forms.CharField(
        label=_("Products (slugs)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Comma-separated. With no department, phase or product: every active product."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
    )
    reminder_days = forms.CharField(
        label=_("Reminders (days before the deadline)"),
        required=False,
        initial="14, 7, 1",
        help_text=_("Comma-separated, 1 to 90. Leave empty for no reminders."),
    )

    def clean_products(self) -> list[Product]:
        slugs = _numbers(self.cleaned_data.get("products") or "")
        found = {p.slug: p for p in Product.objects.filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise forms.ValidationError(
                _("No product has the slug %(slugs)s."), params={"slugs": ", ".join(unknown)}
            )
        return list(found.values())

    def clean_reminder_days(self) -> list[int]:
        days = []
        for part in _numbers(self.cleaned_data.get("reminder_days") or ""):
            if not part.isdigit() or not 1 <= int(part) <= 90:
                raise forms.ValidationError(
                    _("“%(part)s” is not a number of days from 1 to 90."), params={"part": part}
                )
            days.append(int(part))
        return days

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("deadline") and data["deadline"] <= data["starts_on"]:
            self.add_error("deadline", _("The deadline must come after the start."))
        return data

    def to_input(self) -> InitiativeInput:
        data = self.cleaned_data
        return InitiativeInput(
            title={"en": data["title_en"], "ja": data.get("title_ja") or ""},
            questionnaire=data["questionnaire"],
            target_kind=data["target_kind"],
            target_key=(data.get("target_key") or "").strip(),
            threshold=data["threshold"],
            verified=data.get("verified", False),
            departments=list(data.get("departments") or []),
            phases=list(data.get("phases") or []),
            products=data.get("products") or [],
            starts_on=data["starts_on"],
            deadline=data["deadline"],
            owner=data["owner"],
            reminder_days=data.get("reminder_days") or [],
        )


def initial_of(initiative: Initiative) -> dict[str, Any]:
    return {
        "title_en": initiative.title.get("en", ""),
        "title_ja": initiative.title.get("ja", ""),
        "questionnaire": initiative.questionnaire_id,
        "target_kind": initiative.target_kind,
        "target_key": initiative.target_key,
        "threshold": initiative.threshold,
        "verified": initiative.verified,
        "departments": list(initiative.departments.all()),
        "phases": initiative.phases,
        "products": ", ".join(p.slug for p in initiative.products.order_by("slug")),
        "starts_on": initiative.starts_on,
        "deadline": initiative.deadline,
        "owner": initiative.owner_id,
        "reminder_days": ", ".join(str(d) for d in initiative.reminder_days),
    }
