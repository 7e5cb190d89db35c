"""Celery tasks of initiatives: each takes ids, calls a service, and holds only retry logic.

``initiatives_tick`` runs periodically (its schedule is created by migration
``0011_initiatives``): it claims the reminder waves that are due and records the result of
initiatives whose deadline has passed (DESIGN §5).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from surveys.initiatives import services
from surveys.initiatives.models import Initiative, InitiativeReminder
from surveys.rounds.tasks import RETRY, enqueue

logger = logging.getLogger(__name__)


@shared_task(name="surveys.initiative_reminder_send", acks_late=True, **RETRY)
def initiative_reminder_send_task(reminder_id: int) -> int | None:
    return services.initiative_reminder_send(reminder_id=reminder_id)


@shared_task(name="surveys.initiatives_tick", acks_late=True)
def initiatives_tick() -> int:
    """Remind and freeze what is due; one failing initiative never stops the others."""
    now = timezone.now()
    today = timezone.localdate(now, timezone.get_default_timezone())
    done = 0
    # Waves whose emails or chat post gave up (a broker, mail or chat server down for
    # long) go again; each part still goes once.
    stale = now - timedelta(minutes=10)
    unsent = Q(mailed_at__isnull=True) | Q(posted_at__isnull=True)
    for reminder_id in InitiativeReminder.objects.filter(unsent, sent_at__lt=stale).values_list(
        "pk", flat=True
    ):
        enqueue(initiative_reminder_send_task, reminder_id)
    for initiative in Initiative.objects.filter(frozen_at__isnull=True):
        try:
            done += _tick_one(initiative, now, today)
        except Exception:
            logger.exception("Initiative %s: tick failed", initiative.pk)
    return done


def _tick_one(initiative: Initiative, now: datetime, today: date) -> int:
    if today > initiative.deadline:
        return int(services.initiative_freeze(initiative=initiative, now=now))
    left = (initiative.deadline - today).days
    sent = 0
    # Only the nearest due wave goes: a job that was down does not send several at once.
    due = [d for d in initiative.reminder_days if left <= d]
    if due:
        reminder = services.initiative_remind(initiative=initiative, days_before=min(due), now=now)
        if reminder is not None:
            enqueue(initiative_reminder_send_task, reminder.pk)
            sent = 1
    return sent
