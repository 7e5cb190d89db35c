"""Guideline pages that items and reports link to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.core.i18n import tr
from surveys.organisation.models import Phase


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


# --- what a release requires (DESIGN §2 required requirements, §6.8) ---------------


class GateBasis(models.TextChoices):
    CLAIMED = "claimed", _("Claimed score")
    VERIFIED = "verified", _("Verified score")


class GatePolicy(models.Model):
    """What the gate of one phase reads: the claimed or the verified score, and the
    items required for release (by item key, so the choice survives new versions)."""

    phase = models.CharField(max_length=20, choices=Phase.choices, unique=True)
    basis = models.CharField(max_length=10, choices=GateBasis.choices, default=GateBasis.CLAIMED)
    required_items = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["phase"]

    def __str__(self) -> str:
        return f"gate {self.phase}"
