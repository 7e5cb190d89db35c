"""The questionnaire studio (MLOps admins): versions, the draft editor, diff, preview,
publish, and the questionnaire file (DESIGN §6.1) in and out.

Every editor form works without JavaScript (a Save button, then a redirect);
``studio.js`` saves the same fields as JSON as the admin types, with revision numbers so
that two admins editing one draft see each other's changes instead of overwriting them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from surveys.audit.models import AuditEvent
from surveys.confirmations.views import confirm_page, confirmed
from surveys.core.actors import actor_of
from surveys.core.errors import ApplicationError
from surveys.core.guard import BadInput, request_json
from surveys.core.i18n import LANGS
from surveys.feedback.selectors import feedback_by_key
from surveys.names.studio import problems_by_name
from surveys.organisation.access import admin_required, wants_json
from surveys.questionnaires import drafts
from surveys.questionnaires.lineage import (
    LINEAGE_LABELS,
    OVERRIDES,
    item_lineage,
    previous_version,
    removed_items,
    version_diff,
)
from surveys.questionnaires.models import Area, Item, QuestionnaireVersion
from surveys.questionnaires.selectors import (
    draft_changes_since,
    last_event_id,
    questionnaires_overview,
    version_layout,
)
from surveys.questionnaires.services import CRITERIA_KEYS, version_to_dict
from surveys.studio.forms import (
    AreaAddForm,
    CopyForm,
    FileForm,
    ItemAddForm,
    NewQuestionnaireForm,
    read_json,
)


def _version(pk: int) -> QuestionnaireVersion:
    return get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire"), pk=pk)


def _fail(request: HttpRequest, exc: ApplicationError) -> None:
    messages.error(request, exc.message)
    for detail in exc.details or []:
        messages.error(request, str(detail))


@admin_required
@require_GET
def studio(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "questionnaires/list.html",
        {
            "rows": questionnaires_overview(),
            "file_form": FileForm(),
            "copy_form": CopyForm(),
            "new_form": NewQuestionnaireForm(),
        },
    )


@admin_required
@require_POST
def questionnaire_new(request: HttpRequest) -> HttpResponse:
    form = NewQuestionnaireForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the questionnaire a key, a first version and a title."))
        return redirect("questionnaires:studio")
    data = form.cleaned_data
    try:
        version = drafts.questionnaire_new(
            key=data["key"],
            version=data["version"],
            title={"en": data["title_en"], "ja": data["title_ja"]},
            by=actor_of(request),
        )
    except ApplicationError as exc:
        _fail(request, exc)
        return redirect("questionnaires:studio")
    messages.success(request, _("Draft %(label)s created.") % {"label": version.label})
    return redirect("questionnaires:version", pk=version.pk)


@admin_required
@require_POST
def version_load(request: HttpRequest) -> HttpResponse:
    form = FileForm(request.POST, request.FILES)
    try:
        data = read_json(form)
        version = drafts.file_load(data=data, by=actor_of(request))
    except ApplicationError as exc:
        _fail(request, exc)
        return redirect("questionnaires:studio")
    messages.success(
        request, _("Draft %(label)s created from the file.") % {"label": version.label}
    )
    return redirect("questionnaires:version", pk=version.pk)


@admin_required
@require_POST
def version_copy_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    form = CopyForm(request.POST)
    if not form.is_valid():
        name = request.POST.get("new_version", "").strip()
        if len(name) > CopyForm.MAX_NAME:
            messages.error(
                request,
                _("A version name has at most %(max)s characters (this one has %(count)s).")
                % {"max": CopyForm.MAX_NAME, "count": len(name)},
            )
        else:
            messages.error(request, _("Give the new version a name, for example 2027.1."))
        return redirect("questionnaires:studio")
    try:
        copy = drafts.draft_create(
            version=version, new_version=form.cleaned_data["new_version"], by=actor_of(request)
        )
    except ApplicationError as exc:
        _fail(request, exc)
        return redirect("questionnaires:studio")
    messages.success(request, _("Draft %(label)s created.") % {"label": copy.label})
    return redirect("questionnaires:version", pk=copy.pk)


def _js_text() -> dict[str, str]:
    return {
        "saving": _("Saving…"),
        "saved": _("Saved"),
        "failed": _("Saving failed; retrying…"),
        "session": _("Your session has ended: log in again to save."),
        "conflict": _("%(by)s changed this since you loaded it. Choose which to keep."),
        "someone": _("Someone else"),
        "keepTheirs": _("Load theirs"),
        "keepMine": _("Overwrite with mine"),
        "others": _("%(by)s changed %(what)s at %(at)s."),
        "reload": _("Reload to see their changes"),
        "valid": _("No problems: the draft can be published."),
    }


@admin_required
@require_GET
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    context: dict[str, Any] = {
        "version": version,
        "layout": version_layout(version),
        "previous": previous_version(version),
        "removed": removed_items(version),
        "rounds": version.rounds.order_by("opens_on"),
        "copy_form": CopyForm(),
        "langs": LANGS,
        "levels": CRITERIA_KEYS,
        "overrides": [(o, LINEAGE_LABELS[o]) for o in OVERRIDES],
    }
    if not version.is_published:
        context.update(
            problems=problems_by_name(version, drafts.draft_problems(version)),
            last_event=last_event_id(version),
            js_text=_js_text(),
            area_form=AreaAddForm(),
            item_form=ItemAddForm(),
            file_form=FileForm(),
            feedback=feedback_by_key(version),
        )
    return render(request, "questionnaires/version.html", context)


def _flat(request: HttpRequest) -> Mapping[str, Any]:
    if wants_json(request):
        try:
            payload = request_json(request)
        except BadInput as exc:
            raise ApplicationError(exc.message) from exc
        if not isinstance(payload, dict):
            raise ApplicationError(_("The request is not valid JSON."))
        return payload
    return request.POST


def _base(data: Mapping[str, Any]) -> int | None:
    try:
        return int(data["revision"])
    except (KeyError, TypeError, ValueError):
        return None


def _langs(data: Mapping[str, Any], name: str) -> dict[str, str]:
    return {lang: str(data.get(f"{name}.{lang}") or "") for lang in LANGS}


def item_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The editor's flat field names (``criteria.0.5.ja``) as the service's fields."""
    return {
        **{k: str(data.get(k) or "") for k in ("key", "code", "guideline", "replaces")},
        "lineage_override": str(data.get("lineage_override") or ""),
        "lineage_reason": str(data.get("lineage_reason") or ""),
        "evidence_period_days": str(data.get("evidence_period_days") or ""),
        "title": _langs(data, "title"),
        "question": _langs(data, "question"),
        "criteria": {level: _langs(data, f"criteria.{level}") for level in CRITERIA_KEYS},
        "na_allowed": data.get("na_allowed") in ("1", "on", "true", True),
        "na": _langs(data, "na"),
    }


def item_flat(item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {
        k: getattr(item, k)
        for k in ("key", "code", "guideline", "replaces", "lineage_override", "lineage_reason")
    }
    out["evidence_period_days"] = item.evidence_period_days
    for name, value in (("title", item.title), ("question", item.question), ("na", item.na)):
        for lang in LANGS:
            out[f"{name}.{lang}"] = (value or {}).get(lang, "")
    for level in CRITERIA_KEYS:
        for lang in LANGS:
            out[f"criteria.{level}.{lang}"] = (item.criteria or {}).get(level, {}).get(lang, "")
    out["na_allowed"] = item.na is not None
    return out


def _last_editor(version: QuestionnaireVersion, **data: Any) -> str:
    event = (
        AuditEvent.objects.filter(subject_type="questionnaireversion", subject_id=version.pk)
        .filter(**{f"data__{k}": v for k, v in data.items()})
        .select_related("by")
        .order_by("-id")
        .first()
    )
    if event is None or event.by is None:
        return ""
    return event.by.get_full_name() or event.by.username


def _saved_json(version: QuestionnaireVersion, revision: int, **extra: Any) -> JsonResponse:
    return JsonResponse(
        {
            "revision": revision,
            "problems": problems_by_name(version, drafts.draft_problems(version)),
            "event": last_event_id(version),
            **extra,
        }
    )


def _action_redirect(obj: Area | Item) -> HttpResponse:
    anchor = f"#area-{obj.pk}" if isinstance(obj, Area) else f"#item-{obj.pk}"
    return redirect(reverse("questionnaires:version", args=[obj.version_id]) + anchor)


@admin_required
@require_POST
def settings_save(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    try:
        data = _flat(request)
        fields = {
            "title": _langs(data, "title"),
            "na_policy": data.get("na_policy"),
            "max_na_per_area": data.get("max_na_per_area"),
            "na_requires_approval": data.get("na_requires_approval") in ("1", "on", "true", True),
        }
        version = drafts.draft_settings_save(
            version=version, fields=fields, base_revision=_base(data), by=actor_of(request)
        )
    except drafts.DraftConflict as conflict:
        current: Any = conflict.current
        theirs = {f"title.{lang}": (current.title or {}).get(lang, "") for lang in LANGS}
        theirs.update(
            na_policy=current.na_policy,
            max_na_per_area=current.max_na_per_area,
            na_requires_approval=current.na_requires_approval,
        )
        return _conflict(request, version, current.revision, theirs, "version")
    except ApplicationError as exc:
        return _error(request, version, exc)
    if wants_json(request):
        return _saved_json(version, version.revision)
    messages.success(request, _("Saved."))
    return redirect("questionnaires:version", pk=version.pk)


def _conflict(
    request: HttpRequest, version: QuestionnaireVersion, revision: int, theirs: dict, what: Any
) -> HttpResponse:
    by = _last_editor(version) if what == "version" else _last_editor(version, **what)
    message = _("%(by)s changed this since you loaded it. Choose which to keep.") % {
        "by": by or _("Someone else")
    }
    if wants_json(request):
        return JsonResponse(
            {"error": message, "conflict": True, "revision": revision, "theirs": theirs, "by": by},
            status=409,
        )
    messages.error(request, message + " " + _("Your change was not saved."))
    return redirect("questionnaires:version", pk=version.pk)


def _error(
    request: HttpRequest, version: QuestionnaireVersion, exc: ApplicationError
) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"error": exc.message, "details": exc.details}, status=400)
    _fail(request, exc)
    return redirect("questionnaires:version", pk=version.pk)


@admin_required
@require_POST
def area_add(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    form = AreaAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new area a key."))
        return redirect("questionnaires:version", pk=version.pk)
    data = form.cleaned_data
    try:
        area = drafts.area_add(
            version=version,
            key=data["key"],
            title={"en": data["title_en"], "ja": data["title_ja"]},
            by=actor_of(request),
        )
    except ApplicationError as exc:
        return _error(request, version, exc)
    return _action_redirect(area)


@admin_required
@require_POST
def area_edit(request: HttpRequest, pk: int) -> HttpResponse:
    area = get_object_or_404(Area.objects.select_related("version__questionnaire"), pk=pk)
    action = request.POST.get("action", "save")
    try:
        if action == "remove":
            drafts.area_remove(area=area, by=actor_of(request))
            return redirect("questionnaires:version", pk=area.version_id)
        if action in ("up", "down"):
            drafts.area_move(area=area, direction=action, by=actor_of(request))
            return _action_redirect(area)
        data = _flat(request)
        area = drafts.area_save(
            area=area,
            fields={"key": data.get("key", area.key), "title": _langs(data, "title")},
            base_revision=_base(data),
            by=actor_of(request),
        )
    except drafts.DraftConflict as conflict:
        current: Any = conflict.current
        theirs = {
            "key": current.key,
            **{f"title.{lang}": current.title.get(lang, "") for lang in LANGS},
        }
        return _conflict(request, area.version, current.revision, theirs, {"area": area.pk})
    except ApplicationError as exc:
        return _error(request, area.version, exc)
    if wants_json(request):
        return _saved_json(area.version, area.revision)
    return _action_redirect(area)


@admin_required
@require_POST
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    area = get_object_or_404(Area.objects.select_related("version__questionnaire"), pk=pk)
    form = ItemAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new item a key and a code."))
        return _action_redirect(area)
    try:
        item = drafts.item_add(
            area=area,
            key=form.cleaned_data["key"],
            code=form.cleaned_data["code"],
            by=actor_of(request),
        )
    except ApplicationError as exc:
        return _error(request, area.version, exc)
    return _action_redirect(item)


@admin_required
@require_POST
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item.objects.select_related("version__questionnaire"), pk=pk)
    action = request.POST.get("action", "save")
    try:
        if action == "remove":
            drafts.item_remove(item=item, by=actor_of(request))
            return _action_redirect(item.area)
        if action in ("up", "down"):
            drafts.item_move(item=item, direction=action, by=actor_of(request))
            return _action_redirect(item)
        data = _flat(request)
        item = drafts.item_save(
            item=item, fields=item_fields(data), base_revision=_base(data), by=actor_of(request)
        )
    except drafts.DraftConflict as conflict:
        current: Any = conflict.current
        return _conflict(
            request, item.version, current.revision, item_flat(current), {"item": item.pk}
        )
    except ApplicationError as exc:
        return _error(request, item.version, exc)
    if wants_json(request):
        before = previous_version(item.version)
        previous = {i.key: i for i in before.items.all()} if before else {}
        lineage = item_lineage(item, previous)
        return _saved_json(item.version, item.revision, lineage=lineage.label)
    messages.success(request, _("Saved %(code)s.") % {"code": item.code})
    return _action_redirect(item)


@admin_required
@require_GET
def draft_changes(request: HttpRequest, pk: int) -> HttpResponse:
    """Changes others made since the editor's last known event (polled by studio.js)."""
    version = _version(pk)
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        after = 0
    events = draft_changes_since(version, after, request.user)
    return JsonResponse(
        {
            "event": max([after, *[e.id for e in events]]),
            "changes": [
                {
                    "by": e.by.get_full_name() or e.by.username if e.by else "",
                    "what": e.target,
                    "at": e.at.strftime("%H:%M"),
                    "item": e.data.get("item"),
                }
                for e in events
            ],
        }
    )


@admin_required
@require_GET
def version_diff_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    return render(
        request,
        "questionnaires/diff.html",
        {"version": version, "diff": version_diff(version), "removed": removed_items(version)},
    )


@admin_required
@require_POST
def version_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    try:
        drafts.draft_publish(version=version, by=actor_of(request))
    except ApplicationError as exc:
        details = exc.details if isinstance(exc.details, list) else []
        _fail(request, ApplicationError(exc.message, details=problems_by_name(version, details)))
        return redirect("questionnaires:version", pk=version.pk)
    messages.success(request, _("%(label)s is published.") % {"label": version.label})
    return redirect("questionnaires:version", pk=version.pk)


@admin_required
@require_POST
def version_archive_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    back = reverse("questionnaires:version", args=[version.pk])
    if version.archived_at is None and not confirmed(request):
        return confirm_page(
            request,
            title=_("Archive %(label)s?") % {"label": version.label},
            consequences=[
                _("New rounds can no longer use it; closed rounds keep it and their scores."),
                _("You can unarchive it later."),
            ],
            button=_("Archive"),
            back=back,
        )
    try:
        drafts.version_archive(version=version, by=actor_of(request))
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        done = _("%(label)s is archived.") if version.archived_at else _("%(label)s is unarchived.")
        messages.success(request, done % {"label": version.label})
    return redirect(back)


@admin_required
@require_POST
def version_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    if not confirmed(request):
        return confirm_page(
            request,
            title=_("Delete the draft %(label)s?") % {"label": version.label},
            consequences=[_("The draft and every change made to it are deleted for good.")],
            button=_("Delete"),
            back=reverse("questionnaires:version", args=[version.pk]),
        )
    try:
        drafts.draft_delete(version=version, by=actor_of(request))
    except ApplicationError as exc:
        _fail(request, exc)
        return redirect("questionnaires:version", pk=version.pk)
    messages.success(request, _("Draft %(label)s deleted.") % {"label": version.label})
    return redirect("questionnaires:studio")


@admin_required
@require_GET
def version_download(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    body = json.dumps(version_to_dict(version=version), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"{version.questionnaire.key}-{version.version}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin_required
@require_POST
def version_upload(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    try:
        data = read_json(FileForm(request.POST, request.FILES))
        drafts.draft_upload(version=version, data=data, by=actor_of(request))
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The draft now holds the uploaded file."))
    return redirect("questionnaires:version", pk=version.pk)
