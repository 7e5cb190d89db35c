"""Reviews of submitted assessments, N/A decisions and calibration samples (DESIGN §2, §3).

A review is a conversation between an MLOps admin and a product team about answers:
``ReviewQuery`` is one question on one item, and ``ReviewStep`` the log of everything
said and decided (who, when, what, comment, from where), shown in the item's history
and on the audit page. Approving an N/A is a ``NaDecision`` kept per answer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.assessments.models import Assessment, RevisionSource
from surveys.questionnaires.models import Item
from surveys.rounds.models import Round

User = settings.AUTH_USER_MODEL


class ReviewState(models.TextChoices):
    UNREVIEWED = "unreviewed", _("Unreviewed")
    QUERIED = "queried", _("Queried")
    ACCEPTED = "accepted", _("Accepted")


class Review(models.Model):
    """The review state of one submitted assessment (no row: unreviewed)."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="review")
    state = models.CharField(
        max_length=12, choices=ReviewState.choices, default=ReviewState.UNREVIEWED
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.state}"


class QueryStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the team")
    REPLIED = "replied", _("Awaiting the reviewer")
    RESOLVED = "resolved", _("Resolved")


class ReviewQuery(models.Model):
    """A reviewer's question about one answer of a submitted assessment."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="review_queries"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=QueryStatus.choices, default=QueryStatus.OPEN)
    # The answer when the question was asked, so the reviewer sees whether it changed.
    value_when_asked = models.CharField(max_length=3, null=True, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["assessment", "status"])]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.item_id}: {self.status}"


class StepKind(models.TextChoices):
    QUERIED = "queried", _("Queried")
    REPLIED = "replied", _("Replied")
    REQUERIED = "requeried", _("Queried again")
    RESOLVED = "resolved", _("Resolved")
    ACCEPTED = "accepted", _("Accepted")
    SAMPLED = "sampled", _("Drawn for review")
    NA_APPROVED = "na_approved", _("N/A approved")
    NA_REJECTED = "na_rejected", _("N/A rejected")


class ReviewStep(models.Model):
    """One recorded step of a review: who, when, what, comment, from where."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="review_steps"
    )
    query = models.ForeignKey(
        ReviewQuery, null=True, blank=True, on_delete=models.CASCADE, related_name="steps"
    )
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=StepKind.choices)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    source = models.CharField(
        max_length=10, choices=RevisionSource.choices, default=RevisionSource.WEB
    )
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.assessment_id}"


class ReviewSample(models.Model):
    """One draw of a round's calibration sample; the seed makes it reproducible."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="review_samples")
    seed = models.BigIntegerField()
    size = models.PositiveIntegerField()
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.round} sample {self.seed}"


class SamplePick(models.Model):
    """An assessment drawn for review, with the figures that weighted it."""

    sample = models.ForeignKey(ReviewSample, on_delete=models.CASCADE, related_name="picks")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveIntegerField()
    weight = models.FloatField()
    key = models.FloatField()
    gap = models.FloatField(null=True, blank=True)
    jump = models.FloatField(null=True, blank=True)
    previous_label = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["sample", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "assessment"], name="uniq_sample_pick")
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.assessment_id}"
