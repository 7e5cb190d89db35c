"""The assessment page: a product's answers in one round, with its score panel, CI
evidence, carried answers and the review (DESIGN §2, §3, §5), for reading and editing;
its printable record; and the questionnaire studio's preview, drawn by the same templates.

The writes it leads to (autosave, the no-JavaScript form, submit) live with the
assessments (``surveys.assessments.views``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from surveys.assessments.carried import carried_summary
from surveys.assessments.models import Assessment
from surveys.assessments.selectors import (
    AreaBlock,
    ItemRow,
    assessment_editable_by,
    assessment_rows,
    product_next_steps,
    score_panel,
)
from surveys.assessments.views import (
    answers_save_form,
    require_editable,
    unsubmitted_text,
    visible,
)
from surveys.core.i18n import tr
from surveys.feedback.selectors import assessment_feedback
from surveys.guidelines.release import gate_policy_of
from surveys.initiatives.selectors import initiative_standings
from surveys.organisation.access import admin_required
from surveys.questionnaires.models import QuestionnaireVersion
from surveys.reviews.selectors import assessment_review


@login_required
@require_http_methods(["GET", "POST"])
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = visible(request, pk)
    if request.method == "POST":
        require_editable(request, assessment)
        return answers_save_form(request, assessment)
    editable = assessment_editable_by(request.user, assessment)
    areas = assessment_rows(assessment)
    answers = [row.answer for area in areas for row in area.rows if row.answer is not None]
    values = {answer.item_id: answer.value for answer in answers}
    panel = score_panel(assessment, values=values, titles={area.key: area.title for area in areas})
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
            "unsubmitted_text": unsubmitted_text(assessment.unsubmitted_changes),
            "others": others,
            # DESIGN §5's next steps beside the answers, once every item is answered.
            "steps": product_next_steps(assessment, values=values) if panel["complete"] else None,
            "js_text": _js_text() if editable else None,
            "review": assessment_review(assessment, request.user, answers_read=answers),
            "feedback": assessment_feedback(assessment, request.user),
            "initiative_standings": initiative_standings(assessment.product),
            "required_for_release": set(gate_policy_of(assessment.product.phase).required_items),
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


@login_required
def assessment_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole assessment on one page, for printing or keeping as a record."""
    assessment = visible(request, pk)
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


@admin_required
@require_GET
def version_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft as a respondent will see it, through the assessment page's own templates."""
    version = get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire"), pk=pk)
    blocks: dict[int, AreaBlock] = {}
    for item in version.items.select_related("area").order_by("position"):
        block = blocks.setdefault(item.area_id, AreaBlock(item.area.key, tr(item.area.title), []))
        block.rows.append(ItemRow(item, None, None))
    return render(
        request, "questionnaires/preview.html", {"version": version, "areas": list(blocks.values())}
    )
