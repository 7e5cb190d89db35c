"""Telling a product's team that answers of its assessment were queried."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def review_notify(*, assessment_id: int) -> int:
    from surveys.models import Assessment, QueryState, ReviewQuery
    from surveys.rounds.notifications import assessment_url, user_language

    assessment = (
        Assessment.objects.select_related("product", "round").filter(pk=assessment_id).first()
    )
    if assessment is None:
        return 0
    codes = list(
        ReviewQuery.objects.filter(assessment=assessment)
        .exclude(state=QueryState.RESOLVED)
        .values_list("item__code", flat=True)
    )
    sent = 0
    for user in assessment.product.members.exclude(email=""):
        with translation.override(user_language(user)):
            context = {
                "assessment": assessment,
                "codes": codes,
                "link": assessment_url(assessment.pk),
                "user": user,
            }
            subject = render_to_string("emails/review_query_subject.txt", context).strip()
            body = render_to_string("emails/review_query_body.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        sent += 1
    return sent


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def review_notify_task(assessment_id: int) -> int:
    return review_notify(assessment_id=assessment_id)


def review_notify_enqueue(assessment_id: int) -> None:
    try:
        review_notify_task.delay(assessment_id)
    except Exception:
        logger.exception("Could not enqueue the review email of assessment %s", assessment_id)
