"""Guideline pages that items and reports link to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from surveys.i18n import tr


class Guideline(models.Model):
    """An internal page (Markdown) on how to reach a practice."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.JSONField(default=dict)
    body = models.JSONField(default=dict, help_text='Markdown per language: {"en": ..., "ja": ...}')
    # DESIGN §2: the required and the recommended requirements, two Markdown lists per
    # language, shown apart on the page (edited in surveys/gate/).
    required = models.JSONField(default=dict, blank=True)
    recommended = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return tr(self.title) or self.slug


class GuidelineRevision(models.Model):
    """One saved state of a guideline: every change is kept, with who and when."""

    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    title = models.JSONField(default=dict)
    body = models.JSONField(default=dict)

    class Meta:
        ordering = ["guideline_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["guideline", "number"], name="uniq_guideline_revision")
        ]

    def __str__(self) -> str:
        return f"{self.guideline.slug} #{self.number}"
