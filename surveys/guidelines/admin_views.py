"""Writing guidelines (MLOps admins): Markdown in English and Japanese with a live,
sanitised preview, the items that link to each page, and every revision kept."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from surveys.core.actors import actor_of
from surveys.core.errors import ApplicationError
from surveys.core.i18n import LANGS
from surveys.guidelines.models import Guideline
from surveys.guidelines.services import body_diff, guideline_save, markdown_too_long
from surveys.guidelines.views import render_markdown
from surveys.organisation.access import admin_required
from surveys.questionnaires.models import Item


def linked_items(slug: str) -> list[Item]:
    return list(
        Item.objects.filter(guideline=slug)
        .select_related("version__questionnaire")
        .order_by("-version__created_at", "position")
    )


@admin_required
def guideline_list(request: HttpRequest) -> HttpResponse:
    counts = dict(
        Item.objects.exclude(guideline="")
        .values("guideline")
        .annotate(n=Count("id"))
        .values_list("guideline", "n")
    )
    rows = [(g, counts.get(g.slug, 0)) for g in Guideline.objects.order_by("slug")]
    return render(request, "guidelines/list.html", {"rows": rows})


def _fields(request: HttpRequest) -> tuple[dict[str, str], dict[str, str]]:
    title = {lang: request.POST.get(f"title_{lang}", "") for lang in LANGS}
    body = {lang: request.POST.get(f"body_{lang}", "") for lang in LANGS}
    return title, body


@admin_required
@require_http_methods(["GET", "POST"])
def guideline_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    guideline = get_object_or_404(Guideline, slug=slug) if slug else None
    error = ""
    if request.method == "POST":
        title, body = _fields(request)
        try:
            guideline = guideline_save(
                guideline=guideline,
                slug=request.POST.get("slug", "").strip(),
                title=title,
                body=body,
                by=actor_of(request),
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Guideline saved."))
            return redirect("guidelines:edit", slug=guideline.slug)
    else:
        title = dict(guideline.title) if guideline else {}
        body = dict(guideline.body) if guideline else {}
    columns = [
        {
            "lang": lang,
            "name": "English" if lang == "en" else "日本語",
            "title": title.get(lang, ""),
            "body": body.get(lang, ""),
            "preview": _preview(body.get(lang, "")),
        }
        for lang in LANGS
    ]
    return render(
        request,
        "guidelines/edit.html",
        {
            "guideline": guideline,
            "columns": columns,
            "error": error,
            "slug": request.POST.get("slug", "") if guideline is None else guideline.slug,
            "items": linked_items(guideline.slug) if guideline else [],
        },
    )


def _preview(text: str) -> str:
    """The rendered text, or why it is not rendered (too long to be worth the work)."""
    problem = markdown_too_long(text)
    return format_html("<p>{}</p>", problem) if problem else render_markdown(text)


@admin_required
@require_POST
def guideline_preview(request: HttpRequest) -> HttpResponse:
    """The Markdown as the guideline page will show it, through the same sanitiser."""
    text = request.POST.get("markdown", "")
    problem = markdown_too_long(text)
    if problem:
        return JsonResponse(
            {"error": problem, "html": format_html("<p>{}</p>", problem)}, status=400
        )
    return JsonResponse({"html": render_markdown(text)})


@admin_required
def guideline_history(request: HttpRequest, slug: str) -> HttpResponse:
    guideline = get_object_or_404(Guideline, slug=slug)
    revisions = list(guideline.revisions.select_related("by").order_by("-number"))
    rows: list[dict[str, Any]] = []
    for index, revision in enumerate(revisions):
        older = revisions[index + 1] if index + 1 < len(revisions) else None
        rows.append(
            {"revision": revision, "diff": body_diff(older.body if older else {}, revision.body)}
        )
    return render(request, "guidelines/history.html", {"guideline": guideline, "rows": rows})
