"""Writing initiatives: create and edit (recorded in the audit), remind the products not
there yet, and record the result at the deadline (DESIGN §5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.audit.models import AuditCategory
from surveys.audit.services import audit_record, changes_of
from surveys.core.errors import ApplicationError
from surveys.initiatives.models import Initiative, InitiativeReminder, TargetKind
from surveys.initiatives.selectors import Progress, initiative_progress
from surveys.organisation.models import Department, Phase, Product
from surveys.questionnaires.models import (
    Area,
    Item,
    Questionnaire,
    QuestionnaireVersion,
    VersionStatus,
)
from surveys.rounds.notifications import emails_send, members_by_product, webhook_post

FIRST_YEAR, LAST_YEAR = 2000, 2100
REMINDER_DAYS = (1, 90)
ITEM_THRESHOLDS = (0.5, 1.0)
MAX_THRESHOLD = 100.0


@dataclass
class InitiativeInput:
    title: dict[str, str]
    questionnaire: Questionnaire
    target_kind: str
    threshold: float
    starts_on: dt.date
    deadline: dt.date
    owner: Any
    target_key: str = ""
    verified: bool = False
    departments: list[Department] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    reminder_days: list[int] = field(default_factory=list)


def _latest_version(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    return (
        QuestionnaireVersion.objects.filter(
            questionnaire=questionnaire, status=VersionStatus.PUBLISHED
        )
        .order_by("-published_at", "-id")
        .first()
    )


def _check_target(data: InitiativeInput) -> None:
    kind = data.target_kind
    if kind not in TargetKind.values:
        raise ApplicationError(
            _("Choose what the target reads: the final score, an area or an item.")
        )
    if not 0 <= data.threshold <= MAX_THRESHOLD:
        raise ApplicationError(_("The target score must be between 0 and 100."))
    version = _latest_version(data.questionnaire)
    if kind == TargetKind.FINAL:
        data.target_key = ""
        return
    if version is None:
        raise ApplicationError(_("The questionnaire has no published version yet."))
    if (
        kind == TargetKind.AREA
        and not Area.objects.filter(version=version, key=data.target_key).exists()
    ):
        raise ApplicationError(
            _("“%(key)s” is no area of %(version)s.")
            % {"key": data.target_key, "version": version.label}
        )
    if kind == TargetKind.ITEM:
        if not Item.objects.filter(version=version, key=data.target_key).exists():
            raise ApplicationError(
                _("“%(key)s” is no item of %(version)s.")
                % {"key": data.target_key, "version": version.label}
            )
        if data.threshold not in ITEM_THRESHOLDS:
            raise ApplicationError(_("An item's target is 1, or at least 0.5."))


def _check(data: InitiativeInput) -> None:
    data.title = {lang: text.strip() for lang, text in data.title.items() if text.strip()}
    if not data.title.get("en"):
        raise ApplicationError(_("Give the initiative an English title."))
    if any(len(text) > 200 for text in data.title.values()):
        raise ApplicationError(_("A title holds at most 200 characters."))
    for day in (data.starts_on, data.deadline):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ApplicationError(_("Dates must lie within the years 2000–2100."))
    if data.deadline <= data.starts_on:
        raise ApplicationError(_("The deadline must come after the start."))
    if any(not REMINDER_DAYS[0] <= d <= REMINDER_DAYS[1] for d in data.reminder_days):
        raise ApplicationError(_("Reminders go 1 to 90 days before the deadline."))
    if any(phase not in Phase.values for phase in data.phases):
        raise ApplicationError(_("Unknown phase."))
    if data.owner is None:
        raise ApplicationError(_("Choose the initiative's owner."))
    _check_target(data)


def _snapshot(initiative: Initiative) -> dict[str, Any]:
    return {
        "title": initiative.title,
        "questionnaire": initiative.questionnaire.key,
        "target": [initiative.target_kind, initiative.target_key, initiative.threshold],
        "verified": initiative.verified,
        "starts_on": initiative.starts_on.isoformat(),
        "deadline": initiative.deadline.isoformat(),
        "owner": str(initiative.owner or ""),
        "phases": sorted(initiative.phases),
        "departments": sorted(d.slug for d in initiative.departments.all()),
        "products": sorted(p.slug for p in initiative.products.all()),
        "reminder_days": initiative.reminder_days,
    }


def initiative_save(
    *, initiative: Initiative | None, data: InitiativeInput, by: Any, source: str = "web"
) -> Initiative:
    """Create an initiative, or change one whose result is not yet recorded."""
    _check(data)
    with transaction.atomic(durable=True):
        before: dict[str, Any] = {}
        if initiative is not None:
            initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
            if initiative.frozen_at is not None:
                raise ApplicationError(
                    _("This initiative's result is recorded: it no longer changes.")
                )
            before = _snapshot(initiative)
        else:
            initiative = Initiative(created_by=by if getattr(by, "pk", None) else None)
        for name in (
            "title",
            "questionnaire",
            "target_kind",
            "target_key",
            "threshold",
            "verified",
            "starts_on",
            "deadline",
            "owner",
            "phases",
        ):
            setattr(initiative, name, getattr(data, name))
        initiative.reminder_days = sorted(set(data.reminder_days), reverse=True)
        initiative.save()
        initiative.departments.set(data.departments)
        initiative.products.set(data.products)
        after = _snapshot(initiative)
        audit_record(
            by=by,
            category=AuditCategory.INITIATIVES,
            action="initiative_updated" if before else "initiative_created",
            subject=initiative,
            source=source,
            changes=changes_of(before, after) if before else after,
        )
    return initiative


def _today(now: dt.datetime) -> dt.date:
    return timezone.localdate(now, timezone.get_default_timezone())


def initiative_remind(
    *, initiative: Initiative, days_before: int, now: dt.datetime | None = None
) -> InitiativeReminder | None:
    """Claim one reminder wave (a unique row), recorded in the audit; the emails follow
    the commit (``initiative_reminder_send``). None when already claimed or too late."""
    now = now or timezone.now()
    if initiative.frozen_at is not None or _today(now) >= initiative.deadline:
        return None
    try:
        with transaction.atomic(durable=True):
            reminder = InitiativeReminder.objects.create(
                initiative=initiative, days_before=days_before, sent_at=now
            )
            audit_record(
                by=None,
                category=AuditCategory.INITIATIVES,
                action="initiative_reminded",
                subject=initiative,
                source="job",
                days_before=days_before,
            )
    except IntegrityError:
        return None
    return reminder


def initiative_reminder_send(*, reminder_id: int, now: dt.datetime | None = None) -> int | None:
    """Email the members of the products not there yet, then post the rounds' chat
    webhook, each once: each part is claimed in its own transaction that holds the row
    locked while sending and marks it before its commit, so a webhook that fails is
    retried without sending the emails again. Returns the emails sent (None: none due)."""
    now = now or timezone.now()
    sent = None
    with transaction.atomic():
        reminder = _reminder_claim(reminder_id, mailed_at__isnull=True)
        if reminder is not None:
            progress = initiative_progress(reminder.initiative, today=_today(now))
            sent = _reminder_emails(reminder, progress)
            InitiativeReminder.objects.filter(pk=reminder.pk).update(mailed_at=now, recipients=sent)
    with transaction.atomic():
        reminder = _reminder_claim(reminder_id, posted_at__isnull=True)
        if reminder is not None:
            progress = initiative_progress(reminder.initiative, today=_today(now))
            initiative = reminder.initiative
            webhook_post(
                text=f"Initiative “{initiative}”: {len(progress.meeting)} of "
                f"{progress.scope_size} products meet the target; deadline "
                f"{initiative.deadline:%Y-%m-%d}, {reminder.days_before} day(s) left."
            )
            InitiativeReminder.objects.filter(pk=reminder.pk).update(posted_at=now)
    return sent


def _reminder_claim(reminder_id: int, **unsent: bool) -> InitiativeReminder | None:
    return (
        InitiativeReminder.objects.select_for_update(skip_locked=True)
        .select_related("initiative")
        .filter(pk=reminder_id, **unsent)
        .first()
    )


def _reminder_emails(reminder: InitiativeReminder, progress: Progress) -> int:
    initiative = reminder.initiative
    not_yet = {row.product.pk: row for row in progress.not_yet}
    members = members_by_product(not_yet)
    recipients = [
        (
            user,
            {
                "initiative": initiative,
                "title": initiative.title,
                "product": row.product,
                "days_before": reminder.days_before,
                "steps": row.steps,
            },
        )
        for product_id, row in not_yet.items()
        for user in members.get(product_id, [])
    ]
    return emails_send(template="initiative_reminder", recipients=recipients)


def initiative_freeze(*, initiative: Initiative, now: dt.datetime | None = None) -> bool:
    """Once the deadline has passed, record the result — who met the target and the
    burn-up — and freeze it. Claimed by a conditional update: done once."""
    now = now or timezone.now()
    if _today(now) <= initiative.deadline:
        return False
    progress = initiative_progress(initiative, today=initiative.deadline)
    met = sorted(row.product.slug for row in progress.meeting)
    result = {
        "in_scope": progress.scope_size,
        "met": met,
        "not_met": sorted(row.product.slug for row in progress.not_yet),
        "burn_up": [
            [day.isoformat(), count]
            for day, count in zip(progress.days, progress.counts, strict=True)
        ],
    }
    with transaction.atomic(durable=True):
        claimed = Initiative.objects.filter(pk=initiative.pk, frozen_at__isnull=True).update(
            frozen_at=now, result=result
        )
        if not claimed:
            return False
        audit_record(
            by=None,
            category=AuditCategory.INITIATIVES,
            action="initiative_result_recorded",
            subject=initiative,
            source="job",
            met=len(met),
            in_scope=result["in_scope"],
        )
    return True
