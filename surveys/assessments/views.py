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
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from mlopsscore.errors import ApplicationError
from mlopsscore.guard import BadInput, request_json
from surveys.assessments.carried import carried_answers_confirm, carried_summary
from surveys.assessments.selectors import (
    answer_value_label,
    assessment_editable_by,
    assessment_for_autosave,
    assessment_rows,
    assessments_visible_to,
    product_next_steps,
    score_panel,
)
from surveys.assessments.services import AnswerConflict, answer_set, assessment_submit
from surveys.i18n import tr
from surveys.models import Answer, Assessment, AssessmentStatus, Item, RoundStatus
from surveys.questionnaires.selectors import version_items
from surveys.reviews.selectors import assessment_review


def _visible(request: HttpRequest, pk: int) -> Assessment:
    """The assessment, or 404 for anyone who may not see its product."""
    return get_object_or_404(assessments_visible_to(request.user), pk=pk)


def _editable(request: HttpRequest, assessment: Assessment) -> None:
    if assessment.round.status == RoundStatus.SCHEDULED:
        raise PermissionDenied(_("This round has not opened yet."))
    if assessment.round.status != RoundStatus.OPEN:
        raise PermissionDenied(_("This round is closed: its answers can no longer change."))
    if not assessment_editable_by(request.user, assessment):
        raise PermissionDenied(_("You may read this assessment but not change it."))


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


@login_required
@require_http_methods(["GET", "POST"])
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _visible(request, pk)
    if request.method == "POST":
        _editable(request, assessment)
        return _save_all(request, assessment)
    editable = assessment_editable_by(request.user, assessment)
    areas = assessment_rows(assessment)
    answers = [row.answer for area in areas for row in area.rows if row.answer is not None]
    panel = score_panel(
        assessment,
        values={answer.item_id: answer.value for answer in answers},
        titles={area.key: area.title for area in areas},
    )
    # Whoever sees this assessment sees every assessment of its product.
    others = list(
        Assessment.objects.filter(product_id=assessment.product_id)
        .exclude(pk=assessment.pk)
        .select_related("round")
        .only("pk", "status", "final_score", "round__label", "round__opens_on")
        .order_by("-round__opens_on")
    )
    return render(
        request,
        "surveys/assessment.html",
        {
            "assessment": assessment,
            "product": assessment.product,
            "round": assessment.round,
            "areas": areas,
            "carried": carried_summary(assessment, areas),
            "help_evidence_url": reverse("help-evidence-product", args=[assessment.product.slug]),
            "first_unanswered": next(
                (row for area in areas for row in area.rows if row.value is None), None
            ),
            "panel": panel,
            "editable": editable,
            "resubmit_needed": assessment.status == AssessmentStatus.DRAFT
            and assessment.submitted_at is not None,
            "others": others,
            # DESIGN §5's next steps beside the answers, once every item is answered.
            "steps": product_next_steps(assessment) if panel["complete"] else None,
            "js_text": _js_text() if editable else None,
            "review": assessment_review(assessment, request.user, answers_read=answers),
        },
    )


def _js_text() -> dict[str, str]:
    """The words assessment.js shows, in the reader's language."""
    return {
        "saving": _("Saving…"),
        "saved": _("Saved"),
        "allSaved": _("All changes saved."),
        "pending": _("Unsaved changes are kept in this browser and will be sent."),
        "failed": _("Saving failed; retrying…"),
        "offline": _("You are offline; changes are kept in this browser and sent when back."),
        "session": _("Your session has ended: log in again to save."),
        "needReason": _("Give a reason for N/A to save it."),
        "conflict": _(
            "Someone else changed this answer since you loaded it. Choose which to keep."
        ),
        "yours": _("Yours"),
        "theirs": _("Theirs"),
        "by": _("changed by %(by)s at %(at)s"),
        "keepTheirs": _("Keep theirs"),
        "keepMine": _("Overwrite with mine"),
        "progress": _("%(answered)s of %(total)s answered"),
        "cleared": _("Choice cleared."),
        "note": _("Note"),
        "reason": _("Reason"),
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


def _save_all(request: HttpRequest, assessment: Assessment) -> HttpResponse:
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
                assessment=assessment, item=item, base_revision=base, by=request.user, **fields
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
    assessment = assessment_for_autosave(request.user, pk)
    if assessment is None:
        raise Http404
    try:
        _editable(request, assessment)
    except PermissionDenied as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    items = version_items(assessment.round.version)
    if item_id not in items:
        raise Http404
    item = items[item_id]
    try:
        payload = request_json(request)
    except BadInput as exc:
        return JsonResponse({"error": exc.message}, status=400)
    problem = _autosave_problem(payload)
    if problem:
        return JsonResponse({"error": problem}, status=400)
    base = payload.get("base_revision")
    yours: dict[str, Any] = {
        "value": payload.get("value"),
        "na_reason": payload.get("na_reason") or "",
        "note": payload.get("note") or "",
        "evidence_url": payload.get("evidence_url") or "",
    }
    try:
        answer = answer_set(
            assessment=assessment, item=item, base_revision=base, by=request.user, **yours
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
            "resubmit_needed": assessment.status == AssessmentStatus.DRAFT
            and assessment.submitted_at is not None,
        }
    )


_TEXT_FIELDS = ("na_reason", "note", "evidence_url")
# A revision counts saves of one answer; anything beyond a database integer is no revision.
_MAX_REVISION = 2**31 - 1


def _autosave_problem(payload: Any) -> str | None:
    """What is wrong with the shape of an autosave body, or None."""
    if not isinstance(payload, dict):
        return _("Send one JSON object.")
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
    assessment = _visible(request, pk)
    _editable(request, assessment)
    try:
        assessment_submit(assessment=assessment, by=request.user)
    except ApplicationError as exc:
        for problem in exc.details or [exc.message]:
            messages.error(request, problem)
        return redirect("assessment", pk=assessment.pk)
    messages.success(request, _("Submitted. You may change and re-submit until the round closes."))
    return redirect(f"{reverse('assessment', args=[assessment.pk])}#receipt")


@login_required
def assessment_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole assessment on one page, for printing or keeping as a record."""
    assessment = _visible(request, pk)
    return render(
        request,
        "surveys/assessment_print.html",
        {
            "assessment": assessment,
            "product": assessment.product,
            "round": assessment.round,
            "areas": assessment_rows(assessment),
            "panel": score_panel(assessment),
        },
    )


@login_required
@require_POST
def carried_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, in one action, every carried answer the team has not changed."""
    assessment = _visible(request, pk)
    _editable(request, assessment)
    try:
        count = carried_answers_confirm(assessment=assessment, by=request.user)
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
