"""The words of DESIGN §2 as tables.

Scores are stored with each assessment (and per area in ``AreaScore``) so reports read
stored figures in a few set-based queries instead of re-reading answers.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mlopsscore.errors import ApplicationError
from scoring.rules import NA, NaPolicy, Policy

from .i18n import tr
from .trust.models import CiIdentity, TrustPolicy  # noqa: F401  (surveys.models exports every model)

User = settings.AUTH_USER_MODEL


class Language(models.TextChoices):
    EN = "en", "English"
    JA = "ja", "日本語"


class Profile(models.Model):
    """Per-user preferences the auth user does not hold (the language of emails)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.EN)

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"


class Department(models.Model):
    """An organisational unit; departments form a tree."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

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
        if Answer.objects.filter(assessment__product=self).exists():
            raise ApplicationError(f"Product {self.slug} has answers: archive it instead.")
        return super().delete(*args, **kwargs)


class Guideline(models.Model):
    """An internal page (Markdown) on how to reach a practice."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.JSONField(default=dict)
    body = models.JSONField(default=dict, help_text='Markdown per language: {"en": ..., "ja": ...}')
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return tr(self.title) or self.slug


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
                f"{self.label} is published and cannot change; copy it to a new draft version."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self._stored_is_published() or Answer.objects.filter(item__version=self).exists():
            raise ApplicationError(f"{self.label} is published or answered: archive it instead.")
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
                "This questionnaire version is published and cannot change; "
                "copy it to a new draft version."
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


class RoundStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


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
    is_historical = models.BooleanField(default=False, help_text="Imported from a file")
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["opens_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "label"], name="uniq_round_label")
        ]
        indexes = [models.Index(fields=["status", "opens_on"]), models.Index(fields=["closes_on"])]

    def __str__(self) -> str:
        return self.label

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
    built_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"report of {self.round}"


class AssessmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    NOT_SUBMITTED = "not_submitted", _("Not submitted")  # the round closed first


class Assessment(models.Model):
    """One product's answers in one round, with the scores stored when it was scored."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="assessments")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.NOT_STARTED
    )
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, help_text="Last activity")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Stored scores (DESIGN §3): written when submitted and when the round closes.
    is_complete = models.BooleanField(default=False)
    final_score = models.FloatField(null=True, blank=True)
    verified_score = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=8, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    is_regression = models.BooleanField(default=False)
    regression = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "product"], name="uniq_assessment")]
        indexes = [
            models.Index(fields=["round", "status"]),
            models.Index(fields=["product", "round"]),
        ]

    def __str__(self) -> str:
        return f"{self.product} · {self.round}"

    @property
    def is_editable(self) -> bool:
        return self.round.status == RoundStatus.OPEN


class AreaScore(models.Model):
    """One area's stored score in one scored assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="area_scores")
    area_key = models.CharField(max_length=50)
    n = models.PositiveSmallIntegerField()
    applicable = models.PositiveSmallIntegerField()
    raw = models.FloatField()
    score = models.FloatField(null=True, blank=True)
    verified_score = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "area_key"], name="uniq_area_score")
        ]

    def __str__(self) -> str:
        return f"{self.area_key}={self.score}"


class CarryStatus(models.TextChoices):
    NONE = "", _("Fresh")
    CARRIED = "carried", _("Carried forward")
    NEW = "new", _("New item")
    CHANGED = "changed", _("Criteria changed")


class Answer(models.Model):
    """An item's value in an assessment; ``value`` None means unanswered."""

    VALUE_CHOICES = [("0", "0"), ("0.5", "0.5"), ("1", "1"), (NA, "N/A")]

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    value = models.CharField(max_length=3, choices=VALUE_CHOICES, null=True, blank=True)
    na_reason = models.TextField(blank=True)
    note = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=500, blank=True)
    carry = models.CharField(max_length=10, choices=CarryStatus.choices, blank=True, default="")
    # Bumped on every change: an edit based on an older revision is a conflict.
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="uniq_answer")]

    def __str__(self) -> str:
        return f"{self.item.code}={self.value}"


class RevisionSource(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    CARRY = "carry", _("Carried forward")
    ADMIN = "admin", _("Admin")


class AnswerRevision(models.Model):
    """Every change of an answer: who, when, old value, new value."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="revisions")
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    old_value = models.CharField(max_length=3, null=True, blank=True)
    new_value = models.CharField(max_length=3, null=True, blank=True)
    old_note = models.TextField(blank=True)
    new_note = models.TextField(blank=True)
    na_reason = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=RevisionSource.choices, default="web")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.old_value} → {self.new_value}"


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
