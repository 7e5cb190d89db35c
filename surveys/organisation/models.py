"""People, departments and products (DESIGN §2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from surveys.core.errors import ApplicationError

User = settings.AUTH_USER_MODEL


class Language(models.TextChoices):
    EN = "en", "English"
    JA = "ja", "日本語"


class Profile(models.Model):
    """Per-user preferences the auth user does not hold (the language of emails)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.EN)
    # An IANA zone name (``Asia/Tokyo``); empty means the site's TIME_ZONE.
    time_zone = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"


class Department(models.Model):
    """An organisational unit; departments form a tree."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Phase(models.TextChoices):
    POC = "poc", _("Proof of concept")
    VALIDATION = "validation", _("Validation")
    PRODUCTION = "production", _("Production")


class Product(models.Model):
    """One ML system being assessed. Archived, never deleted once it has answers."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="products")
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.PRODUCTION)
    members: models.ManyToManyField = models.ManyToManyField(
        User, blank=True, related_name="products"
    )
    is_active = models.BooleanField(default=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.assessments.filter(answers__isnull=False).exists():
            raise ApplicationError(
                gettext("Product %(product)s has answers: archive it instead.")
                % {"product": self.slug}
            )
        return super().delete(*args, **kwargs)
