"""An account tried from many addresses is locked at every address (DESIGN §7), an admin
lifts that in the page or by ``unlock_signin``, and password-reset mails are limited."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory

from .test_lockouts import PASSWORD, attempt, fail

pytestmark = pytest.mark.django_db


def spread(settings: Any, username: str = "ben", limit: int | None = None) -> None:
    """One wrong password for ``username`` from each of many addresses."""
    for n in range(limit or settings.LOGIN_ACCOUNT_FAILURE_LIMIT):
        fail(1, username=username, address=f"10.1.{n // 200}.{n % 200 + 1}")


def test_wrong_passwords_from_many_addresses_lock_the_account_everywhere(settings: Any) -> None:
    UserFactory(username="ben")
    UserFactory(username="ann")
    spread(settings, limit=settings.LOGIN_ACCOUNT_FAILURE_LIMIT - 1)
    assert attempt("ben", PASSWORD, address="10.9.9.9").signed_in
    spread(settings)
    response = attempt("ben", PASSWORD, address="10.9.9.8")
    assert response.status_code == 429 and not response.signed_in
    assert "Too many failed sign-ins" in response.content.decode()
    # Nobody else is touched, from the same addresses either.
    assert attempt("ann", PASSWORD, address="10.1.0.1").signed_in


def test_the_lockout_across_addresses_ends_when_the_window_passes(settings: Any) -> None:
    UserFactory(username="ben")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        spread(settings)
        assert attempt("ben", PASSWORD, address="10.9.9.9").status_code == 429
    later = start + settings.LOGIN_ACCOUNT_WINDOW + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert attempt("ben", PASSWORD, address="10.9.9.9").signed_in


def test_the_limit_and_the_window_are_settings(settings: Any) -> None:
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 3
    UserFactory(username="ben")
    spread(settings)
    assert attempt("ben", PASSWORD, address="10.9.9.9").status_code == 429


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 403), ("other_member", 403), ("manager", 403), ("admin", 200), (None, 302)],
)
def test_admins_see_and_lift_a_lockout_across_addresses(
    cast: Any, settings: Any, who: str | None, status: int
) -> None:
    UserFactory(username="ben")
    spread(settings)
    client = Client()
    if who:
        client.force_login(getattr(cast, who))
    response = client.get("/lockouts/")
    assert response.status_code == status
    lifted = client.post("/lockouts/", {"ip_address": "", "username": "ben"}, follow=True)
    if who != "admin":
        assert attempt("ben", PASSWORD, address="10.9.9.9").status_code == 429
        return
    page = response.content.decode()
    assert "ben" in page and "every address" in page
    assert "ben may sign in from every address again." in lifted.content.decode()
    assert "Nobody is locked out." in lifted.content.decode()
    assert attempt("ben", PASSWORD, address="10.9.9.9").signed_in


def test_a_ci_token_does_not_reach_the_lockouts_page(cast: Any) -> None:
    response = Client().get("/lockouts/", HTTP_AUTHORIZATION=f"Bearer {cast.foreign_token}")
    assert response.status_code == 302


def test_unlock_signin_lifts_a_lockout_across_addresses(settings: Any) -> None:
    UserFactory(username="ben")
    spread(settings)
    out = StringIO()
    call_command("unlock_signin", "ben", stdout=out)
    assert "ben may sign in from every address again" in out.getvalue()
    assert attempt("ben", PASSWORD, address="10.9.9.9").signed_in


# --- password-reset mails ---------------------------------------------------------------


def reset(email: str, address: str = "10.0.0.1") -> Any:
    return Client(REMOTE_ADDR=address).post("/accounts/password_reset/", {"email": email})


def test_password_reset_mails_are_limited_per_email(settings: Any) -> None:
    cache.clear()
    UserFactory(username="ben", email="ben@example.com")
    for n in range(20):
        response = reset("ben@example.com", address=f"10.2.0.{n + 1}")
        assert response.status_code == 302  # the same answer, mail or not
    assert len(mail.outbox) == settings.PASSWORD_RESET_MAILS_PER_EMAIL
    assert all(m.to == ["ben@example.com"] for m in mail.outbox)


def test_password_reset_mails_are_limited_per_address(settings: Any) -> None:
    cache.clear()
    for n in range(20):
        UserFactory(username=f"user{n}", email=f"user{n}@example.com")
        reset(f"user{n}@example.com", address="10.3.0.1")
    assert len(mail.outbox) == settings.PASSWORD_RESET_MAILS_PER_ADDRESS


def test_a_few_password_resets_all_go_out(settings: Any) -> None:
    cache.clear()
    UserFactory(username="ben", email="ben@example.com")
    reset("ben@example.com")
    reset("ben@example.com")
    assert len(mail.outbox) == 2
