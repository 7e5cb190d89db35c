"""Celery tasks of the reports app: each takes ids, calls a service, and holds only retry
logic. ``surveys`` enqueues them by name (it never imports ``reports``)."""

from __future__ import annotations

import logging

from celery import shared_task

from reports.figures.services import round_report_store
from surveys.rounds.models import Round

logger = logging.getLogger(__name__)


@shared_task(
    name="reports.round_report_build",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def round_report_build(round_id: int) -> int | None:
    """Store the report of a round from its stored scores (after a close, an import or a
    re-score); returns the report's id, None when the round no longer exists."""
    round = Round.objects.select_related("questionnaire", "version").filter(pk=round_id).first()
    if round is None:
        logger.warning("Round %s no longer exists; no report built", round_id)
        return None
    return round_report_store(round=round).pk
