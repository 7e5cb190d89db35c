"""The audit trail: one row per recorded change an MLOps admin may need to trace."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.core.sources import RevisionSource

User = settings.AUTH_USER_MODEL


class AuditCategory(models.TextChoices):
    ANSWERS = "answers", _("Answers")
    SCORES = "scores", _("Scores")
    ROUNDS = "rounds", _("Rounds")
    QUESTIONNAIRES = "questionnaires", _("Questionnaires")
    ORGANISATION = "organisation", _("Organisation")
    TOKENS = "tokens", _("Tokens")
    GUIDELINES = "guidelines", _("Guidelines")
    IMPORTS = "imports", _("Imports")
    INITIATIVES = "initiatives", _("Initiatives")


class AuditEvent(models.Model):
    """Who changed what, when and from where; ``data`` holds the details (old → new)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=10, choices=RevisionSource.choices, default="web")
    category = models.CharField(max_length=20, choices=AuditCategory.choices)
    action = models.CharField(max_length=50)
    target = models.CharField(max_length=200, blank=True)
    subject_type = models.CharField(max_length=50, blank=True)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["category", "at"]),
            models.Index(fields=["subject_type", "subject_id", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target}"
