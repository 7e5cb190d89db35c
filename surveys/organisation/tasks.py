"""Invitation emails: sent by a task after the person was created, retried on failure."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from surveys.organisation.locale import user_language
from surveys.organisation.models import Product

logger = logging.getLogger(__name__)


def invitation_send(*, user_id: int) -> bool:
    from surveys.organisation.services import set_password_path

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or user.has_usable_password() or not user.email:
        return False  # gone, or already set a password: nothing to send twice
    with translation.override(user_language(user)):
        context = {
            "user": user,
            "link": settings.SITE_URL + set_password_path(user),
            "site": settings.SITE_URL,
            "products": list(Product.objects.filter(members=user).values_list("name", flat=True)),
        }
        subject = render_to_string("emails/invitation_subject.txt", context).strip()
        body = render_to_string("emails/invitation_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True


@shared_task(
    name="surveys.invitation_send", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def invitation_send_task(user_id: int) -> bool:
    return invitation_send(user_id=user_id)
