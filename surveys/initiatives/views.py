"""Initiative pages: the MLOps console's list and form (admins), and each initiative's
page with its burn-up (admins and managers: it shows every product in scope)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from surveys.core.errors import ApplicationError
from surveys.core.i18n import tr
from surveys.initiatives.forms import InitiativeForm, initial_of
from surveys.initiatives.models import Initiative
from surveys.initiatives.selectors import (
    Progress,
    initiative_count,
    initiative_progress,
    initiatives_visible_to,
)
from surveys.initiatives.services import initiative_save
from surveys.organisation.access import admin_required
from surveys.organisation.roles import is_admin, sees_everything
from surveys.organisation.selectors import token_of


def _overseer(request: HttpRequest) -> HttpResponse | None:
    """Admins and managers only: the page shows every product in scope (DESIGN §7)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if token_of(request.user) is not None or not sees_everything(request.user):
        raise PermissionDenied(_("Only MLOps admins and managers may open this page."))
    return None


def initiative_list(request: HttpRequest) -> HttpResponse:
    refused = _overseer(request)
    if refused:
        return refused
    rows = []
    for initiative in initiatives_visible_to(request.user):
        if initiative.result is not None:
            met, size = len(initiative.result.get("met", [])), initiative.result.get("in_scope", 0)
        else:
            met, size = initiative_count(initiative)  # no burn-up, no steps: a count
        rows.append({"initiative": initiative, "met": met, "size": size})
    return render(
        request,
        "initiatives/list.html",
        {"rows": rows, "can_edit": is_admin(request.user)},
    )


def burn_up_chart(progress: Progress) -> dict[str, Any]:
    """The burn-up as a Plotly figure (plain JSON) with its data as a table."""
    days = [day.isoformat() for day in progress.days]
    initiative = progress.initiative
    figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("Products meeting the target"),
                "x": days,
                "y": progress.counts,
                "line": {"shape": "hv", "width": 3},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("Products in scope"),
                "x": [initiative.starts_on.isoformat(), initiative.deadline.isoformat()],
                "y": [progress.scope_size, progress.scope_size],
                "line": {"dash": "dot"},
            },
        ],
        "layout": {
            "xaxis": {
                "title": {"text": _("Day")},
                "type": "date",
                "range": [initiative.starts_on.isoformat(), initiative.deadline.isoformat()],
            },
            "yaxis": {"title": {"text": _("Products")}, "rangemode": "tozero"},
            "shapes": [
                {
                    "type": "line",
                    "x0": initiative.deadline.isoformat(),
                    "x1": initiative.deadline.isoformat(),
                    "y0": 0,
                    "y1": 1,
                    "yref": "paper",
                    "line": {"dash": "dash", "color": "#b00020"},
                }
            ],
            "margin": {"l": 50, "r": 20, "t": 30, "b": 50},
            "legend": {"orientation": "h", "y": 1.1},
            "height": 340,
        },
    }
    return {
        "id": "burn-up",
        "data_id": "burn-up-data",
        "title": _("Burn-up"),
        "figure": figure,
        "headers": [_("Day"), _("Products meeting the target")],
        "rows": [[day, count] for day, count in zip(days, progress.counts, strict=True)],
    }


def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    refused = _overseer(request)
    if refused:
        return refused
    initiative = get_object_or_404(initiatives_visible_to(request.user), pk=pk)
    progress = initiative_progress(initiative)
    return render(
        request,
        "initiatives/detail.html",
        {
            "initiative": initiative,
            "title": tr(initiative.title),
            "progress": progress,
            "chart": burn_up_chart(progress),
            "can_edit": is_admin(request.user) and initiative.frozen_at is None,
        },
    )


@admin_required
@require_http_methods(["GET", "POST"])
def initiative_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    initiative = get_object_or_404(Initiative, pk=pk) if pk else None
    if initiative is not None and initiative.frozen_at is not None:
        messages.error(request, _("This initiative's result is recorded: it no longer changes."))
        return redirect("initiatives:detail", pk=initiative.pk)
    if request.method == "POST":
        form = InitiativeForm(request.POST)
        if form.is_valid():
            try:
                initiative = initiative_save(
                    initiative=initiative, data=form.to_input(), by=request.user
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Initiative saved."))
                return redirect("initiatives:detail", pk=initiative.pk)
    else:
        form = InitiativeForm(
            initial=initial_of(initiative) if initiative else {"owner": request.user.pk}
        )
    return render(request, "initiatives/edit.html", {"form": form, "initiative": initiative})
