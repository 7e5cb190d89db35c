"""Questionnaires, their versions, areas and items. Published versions never change."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from scoring.rules import NaPolicy, Policy
from surveys.core.errors import ApplicationError
from surveys.core.i18n import tr


class Questionnaire(models.Model):
    """A rubric family (``mlts``); its versions hold the areas and items."""

    key = models.SlugField(max_length=50, unique=True)
    title = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.key


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class QuestionnaireVersion(models.Model):
    """A versioned rubric. Published versions never change: edit a copy instead."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions"
    )
    version = models.CharField(max_length=50)
    title = models.JSONField(default=dict)
    na_policy = models.CharField(
        max_length=10,
        choices=[(p.value, p.value) for p in NaPolicy],
        default=NaPolicy.RESCALE.value,
    )
    max_na_per_area = models.PositiveSmallIntegerField(default=3)
    na_requires_approval = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Bumped on every change of the draft's settings: an edit based on an older one conflicts.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "version"], name="uniq_version")
        ]
        ordering = ["questionnaire__key", "created_at"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.questionnaire.key}@{self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    @property
    def policy(self) -> Policy:
        return Policy(NaPolicy(self.na_policy), self.max_na_per_area)

    def _stored_is_published(self) -> bool:
        if self.pk is None:
            return False
        stored = QuestionnaireVersion.objects.filter(pk=self.pk).values_list("status", flat=True)
        return stored.first() == VersionStatus.PUBLISHED

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # Archiving is the one change a published version allows.
        if self._stored_is_published() and set(kwargs.get("update_fields") or ()) != {
            "archived_at"
        }:
            raise ApplicationError(
                gettext(
                    "%(version)s is published and cannot change; copy it to a new draft version."
                )
                % {"version": self.label}
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self._stored_is_published() or self.items.filter(answers__isnull=False).exists():
            raise ApplicationError(
                gettext("%(version)s is published or answered: archive it instead.")
                % {"version": self.label}
            )
        return super().delete(*args, **kwargs)


class _FrozenWithVersion(models.Model):
    """Rows of a version: frozen as soon as their version is published."""

    class Meta:
        abstract = True

    def _guard(self) -> None:
        version_id = getattr(self, "version_id", None)
        if version_id is None:
            return
        published = QuestionnaireVersion.objects.filter(
            pk=version_id, status=VersionStatus.PUBLISHED
        ).exists()
        if published:
            raise ApplicationError(
                gettext(
                    "This questionnaire version is published and cannot change; "
                    "copy it to a new draft version."
                )
            )

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self._guard()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self._guard()
        return super().delete(*args, **kwargs)


class Area(_FrozenWithVersion):
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="areas"
    )
    key = models.SlugField(max_length=50)
    position = models.PositiveSmallIntegerField()
    title = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version_id", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="uniq_area_key")]

    def __str__(self) -> str:
        return tr(self.title) or self.key


class Item(_FrozenWithVersion):
    """One practice. ``key`` is stable across versions while the practice means the same."""

    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="items"
    )
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=100)
    code = models.CharField(max_length=20)
    position = models.PositiveSmallIntegerField()
    title = models.JSONField(default=dict)
    question = models.JSONField(default=dict)
    criteria = models.JSONField(default=dict, help_text='{"0": {...}, "0.5": {...}, "1": {...}}')
    na = models.JSONField(null=True, blank=True, help_text="When N/A applies; null: not allowed")
    guideline = models.SlugField(max_length=100, blank=True)
    # Digest of the criteria and N/A text: an answer carried forward to an item whose
    # digest differs is marked "changed" and starts empty.
    criteria_digest = models.CharField(max_length=64, blank=True)
    # Lineage (DESIGN §2) against the version this one was copied from: ``replaces`` names
    # the key whose history this item continues; ``lineage_override`` is an admin's word
    # over the automatic same/changed/new, with the reason for it.
    replaces = models.CharField(max_length=100, blank=True)
    lineage_override = models.CharField(
        max_length=10,
        blank=True,
        choices=[("same", "same"), ("changed", "changed"), ("new", "new")],
    )
    lineage_reason = models.TextField(blank=True)
    # How often CI is expected to post evidence for it: a new watch's period (DESIGN §6.7).
    evidence_period_days = models.PositiveSmallIntegerField(default=7)
    # Bumped on every change while the version is a draft (optimistic concurrency).
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="uniq_item_key"),
            models.UniqueConstraint(fields=["version", "code"], name="uniq_item_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {tr(self.title)}"

    @property
    def na_allowed(self) -> bool:
        return self.na is not None
