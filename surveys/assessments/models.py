"""Assessments, their answers, every revision, and stored scores."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scoring.rules import NA
from surveys.core.sources import RevisionSource
from surveys.organisation.models import Product
from surveys.questionnaires.models import Item

User = settings.AUTH_USER_MODEL


class AssessmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    NOT_SUBMITTED = "not_submitted", _("Not submitted")  # the round closed first


class Assessment(models.Model):
    """One product's answers in one round, with the scores stored when it was scored."""

    round = models.ForeignKey("surveys.Round", on_delete=models.PROTECT, related_name="assessments")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.NOT_STARTED
    )
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, help_text="Last activity")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Stored scores (DESIGN §3): written when submitted and when the round closes.
    is_complete = models.BooleanField(default=False)
    final_score = models.FloatField(null=True, blank=True)
    verified_score = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=8, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    # Where the stored scores last came from: a submission (web, api), a close (admin, job),
    # an import, or an admin's re-scoring.
    score_source = models.CharField(max_length=10, choices=RevisionSource.choices, blank=True)
    is_regression = models.BooleanField(default=False)
    regression = models.JSONField(default=dict, blank=True)
    # DESIGN §2: a submission stands until the team submits again. Answers changed since
    # (and not back where they were) are unsubmitted changes: submitted again, or
    # discarded; at the close the submission counts and the changes are undone.
    unsubmitted_changes = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "product"], name="uniq_assessment")]
        indexes = [
            models.Index(fields=["round", "status"]),
            models.Index(fields=["product", "round"]),
        ]

    def __str__(self) -> str:
        return f"{self.product} · {self.round}"


class Submission(models.Model):
    """One submission of an assessment (DESIGN §2, §5): when and by whom, until it is
    replaced by the next submission of the same assessment, or voided (an N/A rejected
    in it, an import that made it incomplete). Initiatives read their burn-up from these:
    the answers as of ``at`` are rebuilt from the answers' revisions."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="submissions")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["assessment", "at"], name="submission_assessment_at")]

    def __str__(self) -> str:
        return f"{self.assessment_id} @ {self.at:%Y-%m-%d %H:%M}"


class AreaScore(models.Model):
    """One area's stored score in one scored assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="area_scores")
    area_key = models.CharField(max_length=50)
    n = models.PositiveSmallIntegerField()
    applicable = models.PositiveSmallIntegerField()
    raw = models.FloatField()
    score = models.FloatField(null=True, blank=True)
    verified_score = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "area_key"], name="uniq_area_score")
        ]

    def __str__(self) -> str:
        return f"{self.area_key}={self.score}"


class CarryStatus(models.TextChoices):
    NONE = "", _("Fresh")
    CARRIED = "carried", _("Carried forward")
    NEW = "new", _("New item")
    CHANGED = "changed", _("Criteria changed")
    REPLACED = "replaced", _("Carried from a replaced item")
    NA_EXPIRED = "na_expired", _("N/A approval expired")


class Answer(models.Model):
    """An item's value in an assessment; ``value`` None means unanswered."""

    VALUE_CHOICES = [("0", "0"), ("0.5", "0.5"), ("1", "1"), (NA, "N/A")]

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    value = models.CharField(max_length=3, choices=VALUE_CHOICES, null=True, blank=True)
    na_reason = models.TextField(blank=True)
    note = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=500, blank=True)
    carry = models.CharField(max_length=10, choices=CarryStatus.choices, blank=True, default="")
    # Bumped on every change: an edit based on an older revision is a conflict.
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The answer as last submitted (empty until the assessment is): what its stored
    # scores, the reports and the exports read while the team goes on changing it.
    submitted_value = models.CharField(max_length=3, choices=VALUE_CHOICES, null=True, blank=True)
    submitted_na_reason = models.TextField(blank=True)
    submitted_note = models.TextField(blank=True)
    submitted_evidence_url = models.URLField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="uniq_answer")]

    @property
    def differs_from_submission(self) -> bool:
        """Whether this answer is no longer what was last submitted (only meaningful in a
        submitted assessment)."""
        return (self.value, self.na_reason, self.note, self.evidence_url) != (
            self.submitted_value,
            self.submitted_na_reason,
            self.submitted_note,
            self.submitted_evidence_url,
        )

    def __str__(self) -> str:
        return f"{self.item.code}={self.value}"


class AnswerRevision(models.Model):
    """Every change of an answer: who, when, old value, new value."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="revisions")
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    old_value = models.CharField(max_length=3, null=True, blank=True)
    new_value = models.CharField(max_length=3, null=True, blank=True)
    old_note = models.TextField(blank=True)
    new_note = models.TextField(blank=True)
    na_reason = models.TextField(blank=True)
    source = models.CharField(
        max_length=10, choices=RevisionSource.choices, default=RevisionSource.WEB
    )

    class Meta:
        ordering = ["at", "id"]
        # The audit page reads the newest revisions first.
        indexes = [models.Index(fields=["at"], name="answer_revision_at")]

    def __str__(self) -> str:
        return f"{self.old_value} → {self.new_value}"


class NaStatus(models.TextChoices):
    PENDING = "pending", _("N/A pending approval")
    APPROVED = "approved", _("N/A approved")
    REJECTED = "rejected", _("N/A rejected")


class NaDecision(models.Model):
    """An admin's decision on an N/A answer. An approval holds for the reason it approved;
    it may expire on a date or after a number of rounds (counting the one it was given in).
    """

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="na_decisions")
    status = models.CharField(max_length=10, choices=NaStatus.choices)
    na_reason = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    expires_on = models.DateField(null=True, blank=True)
    rounds_left = models.PositiveSmallIntegerField(null=True, blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.answer_id}: {self.status}"

    def expired_in(self, round: Any) -> bool:
        """Whether this approval no longer holds in ``round`` (a later round it was
        carried to): past its date, or its rounds used up."""
        if self.expires_on is not None and round.opens_on > self.expires_on:
            return True
        return self.rounds_left is not None and self.rounds_left <= 1


class RoundOfAssessment(Protocol):
    """What an assessment needs of its round (the round is a concept above assessments,
    named here by its shape rather than imported)."""

    pk: int
    opens_on: Any
    version: Any
    version_id: int

    @property
    def has_opened(self) -> bool: ...

    @property
    def is_open(self) -> bool: ...

    @property
    def evidence_window(self) -> tuple[datetime, datetime]: ...
