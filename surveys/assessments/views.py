"""The assessment page: answer, save as you go, resolve conflicts, submit.

``/assessments/<id>/`` is a normal form (no JavaScript needed); ``assessment.js`` saves
each change through ``answer_save`` and updates the score panel from its JSON.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from surveys.assessments.carried import carried_answers_confirm
from surveys.assessments.models import Answer, Assessment, AssessmentStatus
from surveys.assessments.selectors import (
    answer_value_label,
    assessment_seen_by,
    edit_refusal,
    score_panel,
)
from surveys.assessments.services import (
    AnswerConflict,
    answer_set,
    assessment_discard,
    assessment_submit,
)
from surveys.core.actors import actor_of
from surveys.core.errors import ApplicationError
from surveys.core.guard import BadInput, request_json
from surveys.core.i18n import tr
from surveys.questionnaires.models import Item
from surveys.questionnaires.selectors import version_items


def visible(request: HttpRequest, pk: int) -> Assessment:
    """The assessment, or 404 for anyone who may not see its product. Read as the
    autosave reads it (one statement with the person's rights, kept for the request)."""
    assessment = assessment_seen_by(request.user, pk)
    if assessment is None:
        raise Http404
    return assessment


def require_editable(request: HttpRequest, assessment: Assessment) -> None:
    """403 with the reason when the person may not change the assessment now; the
    services apply the same rule again under the round's lock."""
    refusal = edit_refusal(request.user, assessment)
    if refusal:
        raise PermissionDenied(refusal)


def _answer_json(answer: Answer) -> dict[str, Any]:
    return {
        "item": answer.item_id,
        "value": answer.value,
        "label": answer_value_label(answer.value),
        "na_reason": answer.na_reason,
        "note": answer.note,
        "evidence_url": answer.evidence_url,
        "revision": answer.revision,
        "by": (answer.updated_by.get_full_name() or answer.updated_by.username)
        if answer.updated_by
        else "",
        "at": answer.updated_at.isoformat(),
    }


_FORM_FIELDS = (("v", "value"), ("r", "na_reason"), ("n", "note"), ("e", "evidence_url"))


def _form_revision(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        base = int(raw)
    except ValueError:
        return 0
    return base if 0 <= base <= _MAX_REVISION else 0


def answers_save_form(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """The no-JavaScript path: save every item whose named fields differ from what is stored."""
    items = Item.objects.filter(version_id=assessment.round.version_id).order_by("position")
    stored = {a.item_id: a for a in Answer.objects.filter(assessment=assessment)}
    saved, problems = 0, []
    for item in items:
        answer = stored.get(item.pk)
        current = {
            "value": answer.value if answer else None,
            "na_reason": answer.na_reason if answer else "",
            "note": answer.note if answer else "",
            "evidence_url": answer.evidence_url if answer else "",
        }
        # A field the form does not name keeps what is stored: a partial POST (or an
        # unchecked radio) changes nothing it does not mention.
        fields: dict[str, Any] = {
            name: request.POST[f"{prefix}-{item.pk}"]
            if f"{prefix}-{item.pk}" in request.POST
            else current[name]
            for prefix, name in _FORM_FIELDS
        }
        fields["value"] = fields["value"] or None
        if {k: (v or "").strip() or None for k, v in fields.items()} == {
            k: v or None for k, v in current.items()
        }:
            continue
        # No revision named: the form did not show this answer, so nothing to conflict with.
        base = _form_revision(request.POST.get(f"rev-{item.pk}"))
        try:
            answer_set(
                assessment=assessment, item=item, base_revision=base, by=actor_of(request), **fields
            )
            saved += 1
        except AnswerConflict as conflict:
            theirs = conflict.answer
            problems.append(
                _(
                    "%(code)s: someone else changed this answer to %(value)s; "
                    "your change was not saved. Review it and save again."
                )
                % {"code": item.code, "value": answer_value_label(theirs.value)}
            )
        except ApplicationError as exc:
            problems.append(f"{item.code}: {exc.message}")
    if saved:
        messages.success(request, _("Saved %(count)d answer(s).") % {"count": saved})
    for problem in problems:
        messages.error(request, problem)
    if not saved and not problems:
        messages.info(request, _("Nothing changed."))
    return redirect("assessment", pk=assessment.pk)


def json_login_required(view: Any) -> Any:
    """Like login_required, but answers JSON 401 so the page can say the session ended."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse(
                {"error": _("Your session has ended: log in again to save.")}, status=401
            )
        return view(request, *args, **kwargs)

    return wrapped


@json_login_required
@require_POST
def answer_save(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """Save one item's answer (JSON in, JSON out); 409 with both values on a conflict.

    It runs at every choice a person makes, so it reads what it needs once: the
    assessment with the viewer's rights in one query, the item from the published
    version's items (read once per process), the values for the score panel after the
    change.
    """
    assessment = visible(request, pk)
    try:
        require_editable(request, assessment)
    except PermissionDenied as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    items = version_items(assessment.round.version)
    if item_id not in items:
        raise Http404
    item = items[item_id]
    if request.content_type != "application/json":
        # A form body has been read by the middleware already; only JSON is an autosave.
        return JsonResponse(
            {"error": _("Send the answer as JSON (Content-Type: application/json).")}, status=400
        )
    try:
        payload = request_json(request)
    except BadInput as exc:
        return JsonResponse({"error": exc.message}, status=400)
    problem = _autosave_problem(payload)
    if problem:
        return JsonResponse({"error": problem}, status=400)
    base = payload.get("base_revision")
    yours: dict[str, Any] = {
        "value": payload["value"],
        **{name: payload.get(name) or "" for name in _TEXT_FIELDS},
    }
    # A text field left out keeps its stored text; clearing one sends "" or null.
    kept = [name for name in _TEXT_FIELDS if name not in payload]
    try:
        answer = answer_set(
            assessment=assessment,
            item=item,
            base_revision=base,
            by=actor_of(request),
            keep=kept,
            **yours,
        )
    except AnswerConflict as conflict:
        return JsonResponse(
            {
                "error": conflict.message,
                "conflict": True,
                "yours": {**yours, "label": _label(yours["value"])},
                "theirs": _answer_json(conflict.answer),
            },
            status=409,
        )
    except ApplicationError as exc:
        return JsonResponse({"error": exc.message, "details": exc.details}, status=400)
    if answer.updated_by_id == request.user.pk:
        answer.updated_by = request.user  # type: ignore[assignment]
    titles = {i.area.key: tr(i.area.title) for i in items.values()}
    panel = score_panel(assessment, titles=titles)
    return JsonResponse(
        {
            "answer": _answer_json(answer),
            "panel": panel,
            "panel_html": render_to_string("surveys/_panel.html", {"panel": panel}, request),
            "status": assessment.status,
            "status_label": AssessmentStatus(assessment.status).label,
            "unsubmitted_changes": assessment.unsubmitted_changes,
            "unsubmitted_text": unsubmitted_text(assessment.unsubmitted_changes),
        }
    )


def unsubmitted_text(count: int) -> str:
    """What the page says of the answers changed since the last submission."""
    return ngettext(
        "%(count)d answer changed since the last submission.",
        "%(count)d answers changed since the last submission.",
        count,
    ) % {"count": count}


_TEXT_FIELDS = ("na_reason", "note", "evidence_url")
# A revision counts saves of one answer; anything beyond a database integer is no revision.
_MAX_REVISION = 2**31 - 1


def _autosave_problem(payload: Any) -> str | None:
    """What is wrong with the shape of an autosave body, or None."""
    if not isinstance(payload, dict):
        return _("Send one JSON object.")
    if "value" not in payload:
        # An absent value is no request to clear the answer: clearing sends null.
        return _("value is missing: send 0, 0.5, 1, NA, or null to clear the answer.")
    base = payload.get("base_revision")
    if base is not None and (
        isinstance(base, bool) or not isinstance(base, int) or not 0 <= base <= _MAX_REVISION
    ):
        return _("base_revision must be a whole number between 0 and %(max)d.") % {
            "max": _MAX_REVISION
        }
    if not isinstance(payload.get("value"), str | int | float | None):
        return _("value must be 0, 0.5, 1, NA or empty.")
    for name in _TEXT_FIELDS:
        if not isinstance(payload.get(name), str | None):
            return _("%(field)s must be text.") % {"field": name}
    return None


def _label(value: Any) -> str:
    return "—" if value in (None, "") else ("N/A" if str(value).upper() in ("NA", "N/A") else value)


@login_required
@require_POST
def assessment_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = visible(request, pk)
    require_editable(request, assessment)
    try:
        assessment_submit(assessment=assessment, by=actor_of(request))
    except ApplicationError as exc:
        for problem in exc.details or [exc.message]:
            messages.error(request, problem)
        return redirect("assessment", pk=assessment.pk)
    messages.success(
        request,
        _(
            "Submitted. Until the round closes you may change answers and submit again; "
            "the last submission is what counts."
        ),
    )
    return redirect(f"{reverse('assessment', args=[assessment.pk])}#receipt")


@login_required
@require_POST
def assessment_discard_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo the unsubmitted changes: back to the last submission (DESIGN §2)."""
    assessment = visible(request, pk)
    require_editable(request, assessment)
    try:
        count = assessment_discard(assessment=assessment, by=actor_of(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext(
                "Discarded %(count)d change: the answers are as last submitted.",
                "Discarded %(count)d changes: the answers are as last submitted.",
                count,
            )
            % {"count": count},
        )
    return redirect("assessment", pk=assessment.pk)


@login_required
@require_POST
def carried_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, in one action, every carried answer the team has not changed."""
    assessment = visible(request, pk)
    require_editable(request, assessment)
    try:
        count = carried_answers_confirm(assessment=assessment, by=actor_of(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext(
                "Confirmed %(count)d carried answer.",
                "Confirmed %(count)d carried answers.",
                count,
            )
            % {"count": count}
            + " "
            + _("Submit the assessment to record them: until then they count for nothing."),
        )
    return redirect("assessment", pk=assessment.pk)
