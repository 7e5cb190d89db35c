"""Leaving feedback on an item, and an admin's answer to it (DESIGN §5)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from surveys.assessments.models import Assessment
from surveys.audit.models import AuditCategory
from surveys.audit.services import audit_record
from surveys.core.errors import ApplicationError
from surveys.feedback.models import FeedbackKind, FeedbackStatus, ItemFeedback
from surveys.organisation.roles import is_admin
from surveys.organisation.selectors import product_editable_by
from surveys.questionnaires.models import Item, QuestionnaireVersion

MAX_COMMENT = 5000


def _clean_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_COMMENT:
        raise ApplicationError(
            gettext("%(what)s has at most %(n)s characters.") % {"what": what, "n": MAX_COMMENT}
        )
    return text


@transaction.atomic
def feedback_leave(
    *, assessment: Assessment, item: Item, kind: str, comment: str, by: Any
) -> ItemFeedback:
    """A respondent's (or an admin's) remark on ``item`` from ``assessment``'s page; it is
    about the question, so it may be left in any round, open or closed."""
    if not product_editable_by(by, assessment.product_id):
        raise ApplicationError(
            gettext("Only the product's members and MLOps admins leave feedback on its items.")
        )
    if item.version_id != assessment.round.version_id:
        raise ApplicationError(gettext("This item is not in the assessment's questionnaire."))
    if kind not in FeedbackKind.values:
        raise ApplicationError(gettext("Choose what kind of feedback this is."))
    comment = _clean_text(comment, gettext("A comment"))
    if kind == FeedbackKind.OTHER and not comment:
        raise ApplicationError(gettext("Say in a comment what the feedback is about."))
    feedback = ItemFeedback.objects.create(
        assessment=assessment, item=item, item_key=item.key, kind=kind, comment=comment, by=by
    )
    audit_record(
        by=by,
        category=AuditCategory.QUESTIONNAIRES,
        action="feedback.left",
        subject=feedback,
        target=f"{assessment.product.slug} · {assessment.round.label} · {item.key}",
        kind=kind,
        comment=comment,
    )
    return feedback


@transaction.atomic
def feedback_resolve(
    *,
    feedback: ItemFeedback,
    status: str,
    by: Any,
    version: QuestionnaireVersion | None = None,
    reason: str = "",
) -> ItemFeedback:
    """An MLOps admin marks feedback addressed by ``version`` or declined with a reason,
    which the respondent then sees on their item. A later decision replaces an earlier one."""
    if not is_admin(by):
        raise ApplicationError(gettext("Only MLOps admins answer feedback on items."))
    feedback = ItemFeedback.objects.select_for_update().get(pk=feedback.pk)
    reason = _clean_text(reason, gettext("A reason"))
    if status == FeedbackStatus.ADDRESSED:
        questionnaire_id = feedback.item.version.questionnaire_id
        if version is None or version.questionnaire_id != questionnaire_id:
            raise ApplicationError(
                gettext("Name the version of this questionnaire that addresses it.")
            )
        reason = ""
    elif status == FeedbackStatus.DECLINED:
        if not reason:
            raise ApplicationError(
                gettext("Give the reason for declining: the respondent sees it.")
            )
        version = None
    else:
        raise ApplicationError(gettext("Mark the feedback addressed or declined."))
    before = {"status": feedback.status, "reason": feedback.reason}
    feedback.status, feedback.addressed_in, feedback.reason = status, version, reason
    feedback.resolved_by, feedback.resolved_at = by, timezone.now()
    feedback.save()
    audit_record(
        by=by,
        category=AuditCategory.QUESTIONNAIRES,
        action=f"feedback.{status}",
        subject=feedback,
        target=f"{feedback.item_key} · {feedback.get_kind_display()}",
        before=before,
        version=version.label if version else "",
        reason=reason,
    )
    return feedback
