"""Celery tasks of the rounds: each takes ids, calls a service, and holds only retry logic.

``rounds_tick`` runs periodically (its schedule is created by migration
``0002_rounds_beat_schedule``). It finds what is due and enqueues one task per piece of
work; every service claims its work, so a task that runs twice does nothing twice, and
a tick that could not enqueue is caught up by the next one.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from surveys.core.tasks import enqueue
from surveys.rounds import notifications, selectors, services
from surveys.rounds.models import Round

logger = logging.getLogger(__name__)


def _round(round_id: int) -> Round | None:
    round = Round.objects.select_related("version", "questionnaire").filter(pk=round_id).first()
    if round is None:
        logger.warning("Round %s no longer exists", round_id)
    return round


def _user(user_id: int | None) -> Any:
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


def _asked_to_open(round: Round) -> int | None:
    """The admin who created the round on or after its opening day asked to open it at
    once (the tick opens it when that task could not be enqueued): they are its opener."""
    if round.created_by_id and timezone.localdate(round.created_at) >= round.opens_on:
        return int(round.created_by_id)
    return None


@shared_task(name="surveys.round_open", acks_late=True)
def round_open_task(round_id: int, by_id: int | None = None) -> int | None:
    """Open the round; ``by_id`` is the admin who asked, recorded as its opener."""
    round = _round(round_id)
    if round is not None and by_id is None:
        by_id = _asked_to_open(round)
    result = services.round_open(round=round, by=_user(by_id)) if round else None
    return result.assessments if result else None


@shared_task(name="surveys.round_remind", acks_late=True)
def round_remind_task(round_id: int, days_before: int) -> int | None:
    round = _round(round_id)
    return services.round_remind(round=round, days_before=days_before) if round else None


@shared_task(name="surveys.round_close", acks_late=True)
def round_close_task(round_id: int, by_id: int | None = None) -> int | None:
    round = _round(round_id)
    result = services.round_close(round=round, by=_user(by_id)) if round else None
    return result.scored if result else None


# Side effects retry with exponential back-off (about 1 s, 2 s, 4 s … capped at 10
# minutes) before the periodic job takes over; they never undo the change they follow.
RETRY: dict[str, Any] = {
    "autoretry_for": (Exception,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name="surveys.round_mail_send", acks_late=True, **RETRY)
def round_mail_send_task(mail_id: int) -> int | None:
    return notifications.round_mail_send(mail_id=mail_id)


@shared_task(name="surveys.rounds_tick")
def rounds_tick() -> dict[str, Any]:
    """Open due rounds, send due reminders, close passed rounds, send the emails whose
    task gave up, and schedule the next round. A round that fails is logged and left for
    the next tick; the others are still handled."""
    with transaction.atomic():
        due = selectors.rounds_due()
        for round_id in due.open:
            enqueue(round_open_task, round_id)
        for round_id, days_before in due.remind:
            enqueue(round_remind_task, round_id, days_before)
        for round_id in due.close:
            enqueue(round_close_task, round_id)
        for mail_id in due.mail:
            enqueue(round_mail_send_task, mail_id)
    try:
        scheduled = [r.label for r in services.rounds_schedule_next()]
    except Exception:
        logger.exception("Scheduling the next rounds failed; retried next tick")
        scheduled = []
    return {
        "open": due.open,
        "remind": due.remind,
        "close": due.close,
        "mail": due.mail,
        "failed": due.failed,
        "scheduled": scheduled,
    }
