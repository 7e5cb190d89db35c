"""Telling people about rounds: email in each recipient's language, and an optional webhook.

Emails go through Django's email framework (console in development, SMTP in
production). The webhook is Slack-compatible (``{"text": ...}``). Both are sent after
the commit of the event that causes them, by ``surveys.round_mail_send``, which retries.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from surveys.assessments.models import Assessment, AssessmentStatus
from surveys.organisation.locale import user_language, user_zone
from surveys.organisation.models import Product
from surveys.questionnaires.models import Area
from surveys.rounds.models import MailAudience, RoundMail, RoundReminder

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS = 5


def assessment_url(assessment_id: int) -> str:
    """The absolute link to an assessment page (built by the survey pages)."""
    return f"{settings.SITE_URL}/assessments/{assessment_id}/"


def members_by_product(product_ids: Iterable[int]) -> dict[int, list[Any]]:
    """Active members with an email address, per product, in two queries."""
    ids = list(product_ids)
    through = Product.members.through
    pairs = list(through.objects.filter(product_id__in=ids).values_list("product_id", "user_id"))
    users = {
        user.pk: user
        for user in get_user_model()
        .objects.filter(pk__in={user_id for _, user_id in pairs}, is_active=True)
        .exclude(email="")
        .select_related("profile")
    }
    found: dict[int, list[Any]] = defaultdict(list)
    for product_id, user_id in pairs:
        if user_id in users:
            found[product_id].append(users[user_id])
    return found


def emails_send(
    *,
    template: str,
    recipients: Iterable[tuple[Any, Mapping[str, Any]]],
) -> int:
    """Render ``emails/<template>_subject.txt`` and ``_body.txt`` per recipient, in their
    language, and send them over one connection. Returns how many were sent."""
    messages = []
    for user, context in recipients:
        with translation.override(user_language(user)), timezone.override(user_zone(user)):
            full = {"user": user, "site_url": settings.SITE_URL, **context}
            subject = render_to_string(f"emails/{template}_subject.txt", full).strip()
            body = render_to_string(f"emails/{template}_body.txt", full)
        messages.append(
            EmailMessage(
                subject=" ".join(subject.split()),
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[user.email],
            )
        )
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0


def assessments_notify(
    *,
    template: str,
    assessments: Iterable[Assessment],
    context: Callable[[Assessment], Mapping[str, Any]] = lambda a: {},
) -> int:
    """Email the members of each assessment's product about it (one email per member
    and assessment), with a link to the assessment."""
    assessments = list(assessments)
    members = members_by_product(a.product_id for a in assessments)
    recipients = [
        (
            user,
            {
                "assessment": assessment,
                "product": assessment.product,
                "round": assessment.round,
                "url": assessment_url(assessment.pk),
                **context(assessment),
            },
        )
        for assessment in assessments
        for user in members.get(assessment.product_id, [])
    ]
    return emails_send(template=template, recipients=recipients)


def webhook_post(*, text: str) -> bool:
    """Post a round event to the configured webhook; False when none is set. A failure
    is logged and raised, so the task that posts retries."""
    url = settings.ROUND_WEBHOOK_URL
    if not url:
        return False
    try:
        response = requests.post(url, json={"text": text}, timeout=WEBHOOK_TIMEOUT_SECONDS)
        response.raise_for_status()
    except requests.RequestException as exc:
        logger.warning("Round webhook failed: %s", exc)
        raise
    return True


_AUDIENCES = {
    MailAudience.EVERYONE: Q(),
    MailAudience.UNFINISHED: Q(status__in=[AssessmentStatus.NOT_STARTED, AssessmentStatus.DRAFT]),
    MailAudience.REGRESSED: Q(is_regression=True),
}


def round_mail_send(*, mail_id: int, now: datetime | None = None) -> int | None:
    """Send the emails, then post the webhook, of one round event, each at most once.

    Each part is claimed in its own transaction that holds the row locked while sending
    and marks it sent before committing: a part that raised stays unsent and is sent by
    the retry; a part already sent is skipped. Returns the emails sent (None: none due).
    """
    sent = None
    with transaction.atomic():
        mail = (
            RoundMail.objects.select_for_update(skip_locked=True)
            .select_related("event")
            .filter(pk=mail_id, mailed_at__isnull=True)
            .exclude(template="")
            .first()
        )
        if mail is not None:
            context = dict(mail.context)
            # Area titles as language maps: each email names areas in its reader's language.
            context["area_titles"] = dict(
                Area.objects.filter(version__rounds__id=mail.event.round_id).values_list(
                    "key", "title"
                )
            )
            assessments = (
                Assessment.objects.filter(round_id=mail.event.round_id)
                .filter(_AUDIENCES[MailAudience(mail.audience)])
                .select_related("product", "round")
            )
            sent = assessments_notify(
                template=mail.template, assessments=assessments, context=lambda a: context
            )
            RoundMail.objects.filter(pk=mail.pk).update(
                mailed_at=now or timezone.now(), recipients=sent
            )
            if "days_before" in context:
                RoundReminder.objects.filter(
                    round_id=mail.event.round_id, days_before=context["days_before"]
                ).update(recipients=sent)
    with transaction.atomic():
        mail = (
            RoundMail.objects.select_for_update(skip_locked=True)
            .filter(pk=mail_id, posted_at__isnull=True)
            .exclude(webhook_text="")
            .first()
        )
        if mail is not None:
            webhook_post(text=mail.webhook_text)
            RoundMail.objects.filter(pk=mail.pk).update(posted_at=now or timezone.now())
    return sent
