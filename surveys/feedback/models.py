"""Feedback on an item itself, left by a respondent for the next version (DESIGN §2, §5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

User = settings.AUTH_USER_MODEL


class FeedbackKind(models.TextChoices):
    UNCLEAR = "unclear", _("Unclear")
    DOES_NOT_APPLY = "does_not_apply", _("Does not apply to our kind of model")
    TOO_STRICT = "too_strict", _("Criteria too strict")
    TOO_LAX = "too_lax", _("Criteria too lax")
    OTHER = "other", _("Other")


class FeedbackStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("feedback status", "Open")
    ADDRESSED = "addressed", _("Addressed")
    DECLINED = "declined", _("Declined")


class ItemFeedback(models.Model):
    """One respondent's remark on an item, from one product's assessment in one round.

    Distinct from the answer's note: it is about the question, not the product. Kept by
    item key too, so the studio shows it beside the same practice in the next draft.
    """

    assessment = models.ForeignKey(
        "surveys.Assessment", on_delete=models.CASCADE, related_name="item_feedback"
    )
    item = models.ForeignKey("surveys.Item", on_delete=models.PROTECT, related_name="feedback")
    item_key = models.CharField(max_length=100, db_index=True)
    kind = models.CharField(max_length=20, choices=FeedbackKind.choices)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.OPEN
    )
    addressed_in = models.ForeignKey(
        "surveys.QuestionnaireVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(blank=True, help_text="Why it was declined.")
    resolved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["item_key", "status"], name="feedback_key_status")]

    def __str__(self) -> str:
        return f"{self.item_key} · {self.kind}"
