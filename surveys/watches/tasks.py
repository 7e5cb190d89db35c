"""Celery tasks of the watches: each takes ids, calls a service, and holds only retry logic.

``watches_tick`` runs every minute under beat (its schedule is created by migration
``0010_watches``).
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from surveys.core.tasks import enqueue
from surveys.rounds.tasks import RETRY
from surveys.watches import notifications, services


class DeliveryFailed(Exception):
    """A chat post failed and is due for another try."""


@shared_task(name="surveys.watches_tick")
def watches_tick() -> dict[str, Any]:
    """The due check, then flips whose fan-out was never enqueued (a broker that was
    down), then the digests held back for a new day."""
    handled = services.watches_due_check()
    stuck = notifications.flips_unclaimed()
    if stuck:
        flips_fan_out_task.delay(stuck)
    watch_digests_task.delay()
    return {"handled": handled, "stuck": len(stuck)}


@shared_task(name="surveys.watch_flips_fan_out", acks_late=True, **RETRY)
def flips_fan_out_task(flip_ids: list[int]) -> int:
    delivery_ids = notifications.flips_fan_out(flip_ids=flip_ids)
    for delivery_id in delivery_ids:
        enqueue(chat_deliver_task, delivery_id)
    enqueue(watch_digests_task)
    return len(delivery_ids)


# Back-off about 1 s, 2 s, 4 s … capped at 10 minutes; the service gives up (and tells
# the admins) after ``MAX_ATTEMPTS``, so a dead webhook is never retried forever.
@shared_task(
    name="surveys.watch_chat_deliver",
    acks_late=True,
    autoretry_for=(DeliveryFailed,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=notifications.MAX_ATTEMPTS,
)
def chat_deliver_task(delivery_id: int) -> str:
    result = notifications.chat_deliver(delivery_id=delivery_id)
    if result == "retry":
        raise DeliveryFailed(delivery_id)
    return result


@shared_task(name="surveys.watch_digests", acks_late=True, **RETRY)
def watch_digests_task() -> int:
    return notifications.watch_digests_send()
