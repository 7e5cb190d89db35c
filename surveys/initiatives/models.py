"""An initiative, its scope and target, and the reminders it sent (DESIGN §2, §5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scoring.initiatives import Target
from scoring.initiatives import TargetKind as Kind

User = settings.AUTH_USER_MODEL


class TargetKind(models.TextChoices):
    FINAL = "final", _("Final score")
    AREA = "area", _("Area score")
    ITEM = "item", _("Item")


class Initiative(models.Model):
    """ "Every production product's monitoring area ≥ 2 by 2027-04-01".

    Scope: the listed products, and the products of the listed departments (with their
    sub-departments) and phases; an empty scope means every active product. ``result``
    is recorded once, when the deadline has passed, and never changes after.
    """

    title = models.JSONField(default=dict)
    questionnaire = models.ForeignKey(
        "surveys.Questionnaire", on_delete=models.PROTECT, related_name="initiatives"
    )
    departments = models.ManyToManyField("surveys.Department", blank=True, related_name="+")
    phases = models.JSONField(default=list, blank=True)
    products = models.ManyToManyField("surveys.Product", blank=True, related_name="initiatives")
    target_kind = models.CharField(max_length=10, choices=TargetKind.choices)
    target_key = models.CharField(max_length=100, blank=True)
    threshold = models.FloatField()
    verified = models.BooleanField(default=False)
    starts_on = models.DateField()
    deadline = models.DateField()
    owner = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    reminder_days = models.JSONField(default=list, blank=True)
    result = models.JSONField(null=True, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "surveys"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["frozen_at", "deadline"])]

    def __str__(self) -> str:
        return self.title.get("en") or next(iter(self.title.values()), f"#{self.pk}")

    @property
    def target(self) -> Target:
        return Target(Kind(self.target_kind), self.threshold, self.target_key, self.verified)


class InitiativeReminder(models.Model):
    """A reminder sent ``days_before`` the deadline; unique, so it is sent once."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)
    # Set when its emails went out (after the claim's commit, by a task that retries).
    mailed_at = models.DateTimeField(null=True, blank=True)
    # Set when its chat message went to the rounds' webhook (or when none is set).
    posted_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "surveys"
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "days_before"], name="uniq_initiative_reminder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.initiative_id} −{self.days_before}d"
