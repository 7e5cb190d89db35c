"""The release gate's settings per phase (DESIGN §6.8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.organisation.models import Phase


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
