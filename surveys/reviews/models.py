"""Review of submitted assessments (DESIGN §2 "Review"): an MLOps admin accepts an
assessment, or queries some of its answers; the team replies; the reviewer resolves or
queries again. Every step is a message of its query, kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.assessments.models import Assessment
from surveys.questionnaires.models import Item

User = settings.AUTH_USER_MODEL


class ReviewState(models.TextChoices):
    UNREVIEWED = "unreviewed", _("Unreviewed")
    QUERIED = "queried", _("Under review")
    ACCEPTED = "accepted", _("Accepted")


class Review(models.Model):
    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="review")
    state = models.CharField(
        max_length=12, choices=ReviewState.choices, default=ReviewState.UNREVIEWED
    )
    reviewer = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.assessment}: {self.state}"


class QueryState(models.TextChoices):
    OPEN = "open", _("Waiting for the team")
    ANSWERED = "answered", _("Answered by the team")
    RESOLVED = "resolved", _("Resolved")


class ReviewQuery(models.Model):
    """A reviewer's question about one answer of an assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="queries")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=QueryState.choices, default=QueryState.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assessment_id", "item__position", "id"]

    def __str__(self) -> str:
        return f"{self.assessment} {self.item.code}: {self.state}"


class MessageKind(models.TextChoices):
    QUERY = "query", _("Query")
    REPLY = "reply", _("Reply")
    RESOLVE = "resolve", _("Resolved")
    REQUERY = "requery", _("Queried again")


class ReviewMessage(models.Model):
    query = models.ForeignKey(ReviewQuery, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:40]}"
