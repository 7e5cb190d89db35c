"""Trust policies and the CI identities that posted evidence (DESIGN §6.6)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


def _pattern(value: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in value.split("*")), re.DOTALL)


def claim_text(value: Any) -> str | None:
    """A claim as the text a condition compares with; None for claims that are no scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


class TrustPolicy(models.Model):
    """Tokens of ``issuer`` whose claims meet every condition may post for ``product``."""

    product = models.ForeignKey(
        "surveys.Product", on_delete=models.CASCADE, related_name="trust_policies"
    )
    issuer = models.CharField(max_length=300)
    # [[claim, value], ...]; a value may hold ``*`` wildcards.
    conditions = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "surveys"
        indexes = [models.Index(fields=["issuer"])]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.issuer} {self.conditions_text}"

    @property
    def conditions_text(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in self.conditions)

    def matched_claims(self, claims: dict[str, Any]) -> dict[str, str] | None:
        """The claims this policy's conditions matched, or None when one does not hold."""
        matched: dict[str, str] = {}
        for name, value in self.conditions:
            text = claim_text(claims.get(name))
            if text is None or not _pattern(value).fullmatch(text):
                return None
            matched[name] = text
        return matched


class CiIdentity(models.Model):
    """One accepted ID token: who posted (issuer, subject, matched claims). Its ``jti`` is
    unique per issuer, so a replayed token is refused by the database itself."""

    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=300)
    jti = models.CharField(max_length=200)
    claims = models.JSONField(default=dict)
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "surveys"
        constraints = [models.UniqueConstraint(fields=["issuer", "jti"], name="uniq_ci_jti")]
        verbose_name_plural = "CI identities"

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"

    @property
    def claims_text(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in sorted(self.claims.items()))
