"""API tokens scoped to one product."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from surveys.organisation.models import Product

User = settings.AUTH_USER_MODEL


class ApiToken(models.Model):
    """A bearer token scoped to one product. Shown once; only its hash is stored."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    can_write_evidence = models.BooleanField(default=True)
    can_read = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.product.slug}/{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
