"""The audit page (MLOps admins): every recorded change, filterable by who, what, when."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from surveys.audit.models import AuditCategory
from surveys.organisation.access import admin_required
from surveys.pages.audit.selectors import PAGE, REVIEWS, Filters, audit_entries


class AuditFilterForm(forms.Form):
    who = forms.CharField(label=_("Who"), required=False, max_length=150)
    category = forms.ChoiceField(
        label=_("What"),
        required=False,
        choices=[("", _("Everything")), *AuditCategory.choices, (REVIEWS, _("Reviews"))],
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    before = forms.DateTimeField(required=False, widget=forms.HiddenInput)


@admin_required
@require_GET
def audit_page(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = Filters()
    if form.is_valid():
        filters = Filters(**form.cleaned_data)
    entries = audit_entries(filters) if not form.errors else []
    query = request.GET.copy()
    older = None
    if len(entries) == PAGE:
        query["before"] = entries[-1].at.isoformat()
        older = query.urlencode()
    return render(
        request,
        "audit/list.html",
        {"form": form, "entries": entries, "older": older, "today": dt.date.today()},
    )
