"""Celery tasks of reviews: they take ids, call a service, and hold only retry logic."""

from __future__ import annotations

from celery import shared_task

from surveys.reviews import services


@shared_task(
    name="surveys.review_notify",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def review_notify_task(assessment_id: int, step_ids: list[int]) -> int:
    return services.review_steps_notify(assessment_id=assessment_id, step_ids=step_ids)
