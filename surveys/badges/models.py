"""Per-product keys for README badges (DESIGN §6.9). Shown once; only a hash is stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class BadgeKey(models.Model):
    product = models.ForeignKey(
        "surveys.Product", on_delete=models.CASCADE, related_name="badge_keys"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.product.slug} badge {self.prefix}…"
