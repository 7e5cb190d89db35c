"""Evidence posted by CI that a check ran."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.organisation.models import Product
from surveys.trust.models import CiIdentity


class Outcome(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    ERROR = "error", _("Error")


class Evidence(models.Model):
    """A record, posted by CI, that an automated check for one item of one product ran."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="evidence")
    item_key = models.CharField(max_length=100)
    outcome = models.CharField(max_length=5, choices=Outcome.choices)
    observed_at = models.DateTimeField()
    url = models.URLField(max_length=500, blank=True)
    run_id = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    token = models.ForeignKey(
        "ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when a CI ID token posted the record (DESIGN §6.6): its verified origin.
    origin = models.ForeignKey(
        CiIdentity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "item_key", "run_id"], name="uniq_evidence_run"
            )
        ]
        indexes = [models.Index(fields=["product", "item_key", "observed_at"])]

    def __str__(self) -> str:
        return f"{self.item_key} {self.outcome} {self.run_id}"
