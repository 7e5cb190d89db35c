"""Forms of the watches' pages: a watch's settings and pause, and a chat channel."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.organisation.models import Department, Product
from surveys.watches.models import ChatKind


class WatchSettingsForm(forms.Form):
    period_days = forms.IntegerField(label=_("Period (days)"), min_value=1, max_value=366)
    grace_hours = forms.IntegerField(label=_("Grace (hours)"), min_value=1, max_value=720)
    fail_after = forms.IntegerField(
        label=_("Failing after N failed posts"), min_value=1, max_value=100
    )


class WatchPauseForm(forms.Form):
    until = forms.DateField(label=_("Pause until"), widget=forms.DateInput(attrs={"type": "date"}))


class ChatChannelForm(forms.Form):
    kind = forms.ChoiceField(label=_("Chat"), choices=ChatKind.choices)
    url = forms.CharField(label=_("Incoming-webhook URL"), max_length=500)
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.order_by("name"),
        required=False,
        to_field_name="slug",
    )
    department = forms.ModelChoiceField(
        label=_("Department (with its sub-departments)"),
        queryset=Department.objects.order_by("name"),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("product")) == bool(data.get("department")):
            raise forms.ValidationError(_("Choose a product or a department, not both."))
        return data
