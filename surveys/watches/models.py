"""Watches of CI evidence, their flips and the chat channels that hear of them (DESIGN §2
*Watch*, §6.7).

The shape is healthchecks' ``Check``/``Flip``: a period and a grace time per watch, the
next moment something is due stored and indexed (``next_due_at``), and every change of
state a ``Flip`` row that is told once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_PERIOD = timedelta(days=7)
DEFAULT_GRACE = timedelta(days=1)
DEFAULT_FAIL_AFTER = 3


class WatchState(models.TextChoices):
    NEW = "new", _("New")
    UP = "up", _("Up")
    FAILING = "failing", _("Failing")
    DOWN = "down", _("Down")
    PAUSED = "paused", _("Paused")


class Watch(models.Model):
    """The expectation that CI keeps posting evidence for one item of one product."""

    product = models.ForeignKey("surveys.Product", on_delete=models.CASCADE, related_name="watches")
    item_key = models.CharField(max_length=100)
    period = models.DurationField(default=DEFAULT_PERIOD)
    grace = models.DurationField(default=DEFAULT_GRACE)
    # N of DESIGN §2: the watch is failing when the last N posts failed or erred.
    fail_after = models.PositiveSmallIntegerField(default=DEFAULT_FAIL_AFTER)
    state = models.CharField(max_length=8, choices=WatchState.choices, default=WatchState.NEW)
    # When the state last changed: the admin page lists alarms oldest first.
    changed_at = models.DateTimeField(default=timezone.now)
    last_post_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=5, blank=True)
    # Failed or erred posts in a row, newest first; a pass sets it back to 0.
    fail_streak = models.PositiveIntegerField(default=0)
    paused_until = models.DateTimeField(null=True, blank=True)
    # The next reminder while down or failing (WATCH_REMIND_DAYS after the flip or the
    # last reminder).
    remind_at = models.DateTimeField(null=True, blank=True)
    # The earliest of: when the watch goes down, when its pause ends, its next reminder.
    # The due check reads only this column (DESIGN §6.7: one indexed query).
    next_due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "item_key"], name="uniq_watch_item")
        ]
        indexes = [
            models.Index(fields=["next_due_at"], name="watch_next_due"),
            models.Index(fields=["state", "changed_at"], name="watch_state_since"),
        ]

    def __str__(self) -> str:
        return f"{self.item_key} {self.state}"

    @property
    def down_at(self) -> datetime | None:
        """When the watch goes down if nothing is posted before."""
        if self.last_post_at is None:
            return None
        return self.last_post_at + self.period + self.grace


class Flip(models.Model):
    """A change of a watch's state (or, with ``reminder``, a reminder that it still holds).

    Each is told once: ``claimed_at`` is set by the one task that fans it out.
    """

    watch = models.ForeignKey(Watch, on_delete=models.CASCADE, related_name="flips")
    at = models.DateTimeField(default=timezone.now)
    old_state = models.CharField(max_length=8, choices=WatchState.choices)
    new_state = models.CharField(max_length=8, choices=WatchState.choices)
    reminder = models.BooleanField(default=False)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["watch", "at"]),
            models.Index(fields=["at"], name="flip_at"),
            models.Index(
                fields=["at"], condition=models.Q(claimed_at__isnull=True), name="flip_unclaimed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old_state} → {self.new_state}"


class ChatKind(models.TextChoices):
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class ChatChannel(models.Model):
    """An incoming-webhook URL set by an admin on a product or a department (inherited by
    its sub-departments)."""

    kind = models.CharField(max_length=5, choices=ChatKind.choices)
    url = models.URLField(max_length=500)
    product = models.ForeignKey(
        "surveys.Product",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="chat_channels",
    )
    department = models.ForeignKey(
        "surveys.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="chat_channels",
    )
    # Set when deliveries gave up on it; admins are told, nothing is sent until re-saved.
    dead_since = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(product__isnull=True) ^ models.Q(department__isnull=True),
                name="chat_channel_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.url[:40]}"


class ChatDelivery(models.Model):
    """One flip to one channel: claimed and sent once, retried with back-off, and given
    up (the channel marked dead) after ``MAX_ATTEMPTS``."""

    flip = models.ForeignKey(Flip, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.ForeignKey(ChatChannel, on_delete=models.CASCADE, related_name="deliveries")
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["flip", "channel"], name="uniq_chat_delivery")
        ]

    def __str__(self) -> str:
        return f"flip {self.flip_id} → channel {self.channel_id}"


class WatchMute(models.Model):
    """A member who hears nothing of one product's watches."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("surveys.Product", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "product"], name="uniq_watch_mute")]

    def __str__(self) -> str:
        return f"user {self.user_id} mutes product {self.product_id}"


class WatchDigest(models.Model):
    """The one email a person gets in a day about their watches: the unique (user, day)
    is the claim, ``until`` where the next digest starts."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    until = models.DateTimeField()
    flips = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="uniq_watch_digest")]

    def __str__(self) -> str:
        return f"digest of user {self.user_id} on {self.day}"
