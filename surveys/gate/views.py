"""The admins' pages of the release gate (DESIGN §6.8) and of a guideline's required and
recommended requirements (DESIGN §2)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from surveys.core.errors import ApplicationError
from surveys.core.i18n import LANGS
from surveys.gate.selectors import phase_target
from surveys.gate.services import gate_policy_save, guideline_requirements_save
from surveys.guidelines.models import GateBasis, Guideline
from surveys.guidelines.release import gate_items, gate_policies
from surveys.guidelines.views import render_markdown
from surveys.organisation.access import admin_required
from surveys.organisation.models import Phase


@admin_required
def gate_settings(request: HttpRequest) -> HttpResponse:
    items = gate_items()
    known = {item.key for item in items}
    phases = [
        {
            "phase": phase,
            "label": label,
            "policy": policy,
            "target": phase_target(phase),
            "others": [key for key in policy.required_items if key not in known],
        }
        for (phase, label), policy in zip(Phase.choices, gate_policies().values(), strict=True)
    ]
    return render(
        request,
        "gate/settings.html",
        {"phases": phases, "items": items, "bases": GateBasis.choices},
    )


@admin_required
@require_POST
def gate_phase_save(request: HttpRequest, phase: str) -> HttpResponse:
    if phase not in Phase.values:
        raise Http404
    try:
        gate_policy_save(
            phase=phase,
            basis=request.POST.get("basis", ""),
            required_items=request.POST.getlist("items"),
            by=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The release gate of %(phase)s is saved.") % {"phase": Phase(phase).label},
        )
    return redirect(f"/gate/#phase-{phase}")


@admin_required
@require_http_methods(["GET", "POST"])
def guideline_requirements(request: HttpRequest, slug: str) -> HttpResponse:
    guideline = get_object_or_404(Guideline, slug=slug)
    error = ""
    if request.method == "POST":
        required = {lang: request.POST.get(f"required_{lang}", "") for lang in LANGS}
        recommended = {lang: request.POST.get(f"recommended_{lang}", "") for lang in LANGS}
        try:
            guideline_requirements_save(
                guideline=guideline, required=required, recommended=recommended, by=request.user
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Requirements saved."))
            return redirect("gate:guideline", slug=slug)
    else:
        required, recommended = dict(guideline.required), dict(guideline.recommended)
    columns = [
        {
            "lang": lang,
            "name": "English" if lang == "en" else "日本語",
            "required": required.get(lang, ""),
            "recommended": recommended.get(lang, ""),
            "preview_required": render_markdown(required.get(lang, "")),
            "preview_recommended": render_markdown(recommended.get(lang, "")),
        }
        for lang in LANGS
    ]
    return render(
        request,
        "gate/requirements.html",
        {"guideline": guideline, "columns": columns, "error": error},
        status=400 if error else 200,
    )
