"""Measurement rounds and what happened to them (DESIGN §4)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.core.sources import RevisionSource
from surveys.organisation.models import Product
from surveys.questionnaires.models import Questionnaire, QuestionnaireVersion

User = settings.AUTH_USER_MODEL


class RoundStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


# Bounds of a round's settings (DESIGN §4), checked by the services with a message and
# by the database as a last line.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
REMINDER_DAYS_MIN, REMINDER_DAYS_MAX = 1, 90
EVIDENCE_WINDOW_DAYS_MAX = 730


def default_reminder_days() -> list[int]:
    return list(settings.ROUND_REMINDER_DAYS)


def default_evidence_window_days() -> int:
    return int(settings.EVIDENCE_WINDOW_DAYS)


class Round(models.Model):
    """One measurement campaign (``2026-10``) of one questionnaire version."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="rounds"
    )
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="rounds"
    )
    label = models.CharField(max_length=50)
    opens_on = models.DateField()
    closes_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=RoundStatus.choices, default=RoundStatus.SCHEDULED
    )
    products = models.ManyToManyField(Product, blank=True, related_name="rounds")
    reminder_days = models.JSONField(default=default_reminder_days)
    evidence_window_days = models.PositiveIntegerField(default=default_evidence_window_days)
    is_historical = models.BooleanField(
        default=False, help_text="Recorded after the fact (imported, or demo history)"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["opens_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "label"], name="uniq_round_label"),
            models.CheckConstraint(
                condition=models.Q(opens_on__gte=FIRST_DAY, closes_on__lte=LAST_DAY),
                name="round_dates_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(closes_on__gt=models.F("opens_on")),
                name="round_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(evidence_window_days__lte=EVIDENCE_WINDOW_DAYS_MAX),
                name="round_evidence_window_bounded",
            ),
        ]
        indexes = [models.Index(fields=["status", "opens_on"]), models.Index(fields=["closes_on"])]

    def __str__(self) -> str:
        return self.label

    @property
    def has_opened(self) -> bool:
        return self.status != RoundStatus.SCHEDULED

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == RoundStatus.CLOSED

    @property
    def evidence_window(self) -> tuple[datetime, datetime]:
        """From ``evidence_window_days`` before opening to the close (DESIGN §3)."""
        tz = timezone.get_default_timezone()
        start = datetime.combine(self.opens_on, time.min, tzinfo=tz) - timedelta(
            days=self.evidence_window_days
        )
        end = self.closed_at or datetime.combine(
            self.closes_on + timedelta(days=1), time.min, tzinfo=tz
        )
        return start, end


class RoundEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    OPENED = "opened", _("Opened")
    REMINDED = "reminded", _("Reminder sent")
    EXTENDED = "extended", _("Deadline extended")
    CLOSE_REQUESTED = "close_requested", _("Close requested")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Re-opened")
    RESCORED = "rescored", _("Re-scored")
    IMPORTED = "imported", _("Imported")


class RoundEvent(models.Model):
    """What happened to a round, by whom: the record of every admin action."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=RoundEventKind.choices)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)
    source = models.CharField(
        max_length=10, choices=RevisionSource.choices, default=RevisionSource.ADMIN
    )
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.round} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class RoundReminder(models.Model):
    """One reminder wave; the unique constraint makes sending it twice impossible."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "days_before"], name="uniq_round_reminder")
        ]

    def __str__(self) -> str:
        return f"{self.round} reminder {self.days_before} days before"


class RoundReport(models.Model):
    """The report of a closed round, stored when it closes (a snapshot)."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="report")
    data = models.JSONField(default=dict)
    # Its counts by department and phase, from which a reader of any scope computes the
    # round's figures (DESIGN §5); apart from ``data``, which pages read whole.
    counts = models.JSONField(default=dict)
    built_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"report of {self.round}"


class RoundMailQuerySet(models.QuerySet["RoundMail"]):
    def pending(self) -> RoundMailQuerySet:
        return self.filter(
            (~models.Q(template="") & models.Q(mailed_at__isnull=True))
            | (~models.Q(webhook_text="") & models.Q(posted_at__isnull=True))
        )


class MailAudience(models.TextChoices):
    EVERYONE = "everyone", _("Members of every targeted product")
    UNFINISHED = "unfinished", _("Members of products that have not submitted")
    REGRESSED = "regressed", _("Members of products that regressed")


class RoundMail(models.Model):
    """The emails and webhook post a round event causes (DESIGN §4).

    Written with the event, in the same transaction; sent after the commit by a task that
    retries. ``mailed_at`` and ``posted_at`` are set in the transaction that sends, so a
    retried or repeated task never sends a wave twice, and a wave whose sending failed
    is sent when the mail server works again.
    """

    event = models.OneToOneField(RoundEvent, on_delete=models.CASCADE, related_name="mail")
    template = models.CharField(max_length=40, blank=True)  # emails/<template>_*.txt
    audience = models.CharField(max_length=12, choices=MailAudience.choices, blank=True)
    context = models.JSONField(default=dict, blank=True)
    webhook_text = models.TextField(blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    objects = RoundMailQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.event} {self.template or 'webhook'}"
