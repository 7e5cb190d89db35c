"""Signing in is rate-limited (DESIGN §7): repeated wrong passwords lock the account and the
address out for a while, the login page says until when, and an MLOps admin can unlock."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone, translation

from surveys.demo.seed import DEMO_USERS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "pw-for-tests-123"  # tests/factories.py
WRONG_MATCH = "didn't match"


def attempt(username: str, password: str, address: str = "10.0.0.1", **extra: Any) -> Any:
    """One sign-in through the login form, from ``address``, in a fresh browser."""
    client = Client(REMOTE_ADDR=address, **extra)
    response = client.post(LOGIN, {"username": username, "password": password})
    response.signed_in = "_auth_user_id" in client.session
    return response


def fail(times: int, username: str = "ben", address: str = "10.0.0.1") -> None:
    """``times`` wrong passwords; the one that reaches the limit already answers 429."""
    for _ in range(times):
        response = attempt(username, "wrong-guess", address)
        assert not response.signed_in
        if response.status_code != 429:
            assert response.status_code == 200 and WRONG_MATCH in response.content.decode()


def test_a_few_wrong_passwords_still_let_the_right_one_in(settings: Any) -> None:
    UserFactory(username="ben")
    fail(settings.AXES_FAILURE_LIMIT - 1)
    assert attempt("ben", PASSWORD).signed_in


def test_repeated_wrong_passwords_lock_the_account_out_with_a_message(settings: Any) -> None:
    UserFactory(username="ben")
    # Time stands still, so the minute shown cannot roll over between the lockout and now.
    now = timezone.now().replace(second=30, microsecond=0)
    with time_machine.travel(now, tick=False):
        fail(settings.AXES_FAILURE_LIMIT)
        response = attempt("ben", PASSWORD)
    assert not response.signed_in
    assert response.status_code == 429
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "Too many failed sign-ins" in page
    assert "locked for 15 minutes" in page
    retry = timezone.localtime(now + timedelta(minutes=15))
    assert f"{retry:%H}:{retry:%M}" in page or f"{retry.hour % 12 or 12}:{retry:%M}" in page
    assert 'value="ben"' in page  # the form is there again, with the name filled in


def test_the_lockout_message_is_translated(settings: Any) -> None:
    UserFactory(username="ben")
    fail(settings.AXES_FAILURE_LIMIT)
    response = attempt("ben", PASSWORD, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 429
    assert "サインイン" in response.content.decode()
    translation.activate("en")


def test_the_lockout_ends_by_itself(settings: Any) -> None:
    UserFactory(username="ben")
    fail(settings.AXES_FAILURE_LIMIT)
    assert attempt("ben", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert attempt("ben", PASSWORD).signed_in


def test_an_address_guessing_many_accounts_locks_out_nobody_else(settings: Any) -> None:
    """DESIGN §7: nobody's wrong passwords lock another account, so one shared proxy
    address never locks out a whole organisation."""
    UserFactory(username="ben")
    UserFactory(username="admin-ann")
    for n in range(settings.AXES_FAILURE_LIMIT * 3):
        fail(1, username=f"guess-{n}", address="10.6.6.6")
    fail(settings.AXES_FAILURE_LIMIT, username="ben", address="10.6.6.6")
    assert attempt("ben", PASSWORD, address="10.6.6.6").status_code == 429
    # Five wrong passwords for ben from the shared address leave the admin's sign-in alone.
    assert attempt("admin-ann", PASSWORD, address="10.6.6.6").signed_in


def test_a_locked_account_does_not_lock_its_owner_at_another_address(settings: Any) -> None:
    UserFactory(username="ben")
    fail(settings.AXES_FAILURE_LIMIT, address="10.6.6.6")
    assert attempt("ben", PASSWORD, address="10.6.6.6").status_code == 429
    assert attempt("ben", PASSWORD, address="10.0.0.2").signed_in


def test_signing_in_forgets_earlier_failures(settings: Any) -> None:
    UserFactory(username="ben")
    fail(settings.AXES_FAILURE_LIMIT - 1)
    assert attempt("ben", PASSWORD).signed_in
    fail(settings.AXES_FAILURE_LIMIT - 1)
    assert attempt("ben", PASSWORD).signed_in


def test_the_limit_and_the_duration_are_settings(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=3)
    UserFactory(username="ben")
    fail(2)
    response = attempt("ben", PASSWORD)
    assert response.status_code == 429
    assert "locked for 3 minutes" in response.content.decode()


# --- unlocking -------------------------------------------------------------------------


def locked_ben(settings: Any) -> Any:
    user = UserFactory(username="ben")
    fail(settings.AXES_FAILURE_LIMIT, address="10.0.0.7")
    assert attempt("ben", PASSWORD, address="10.0.0.7").status_code == 429
    return user


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 403), ("other_member", 403), ("manager", 403), ("admin", 200), (None, 302)],
)
def test_only_mlops_admins_see_the_lockouts_page(
    cast: Any, settings: Any, who: str | None, status: int
) -> None:
    locked_ben(settings)
    client = Client()
    if who:
        client.force_login(getattr(cast, who))
    response = client.get("/lockouts/")
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "ben" in page and "10.0.0.7" in page
    assert client.post("/lockouts/", {"ip_address": "10.0.0.7", "username": "ben"}).status_code in {
        status,
        302,
    }
    if who != "admin":
        assert attempt("ben", PASSWORD, address="10.0.0.7").status_code == 429


def test_an_mlops_admin_unlocks_an_account(cast: Any, settings: Any) -> None:
    locked_ben(settings)
    client = Client()
    client.force_login(cast.admin)
    response = client.post("/lockouts/", {"ip_address": "10.0.0.7", "username": "ben"}, follow=True)
    assert "ben may sign in from 10.0.0.7 again." in response.content.decode()
    assert "Nobody is locked out." in response.content.decode()
    assert attempt("ben", PASSWORD, address="10.0.0.7").signed_in


def test_a_bad_unlock_request_is_refused_with_a_message(cast: Any) -> None:
    client = Client()
    client.force_login(cast.admin)
    response = client.post("/lockouts/", {"ip_address": "not an address"}, follow=True)
    assert "Choose a lockout to clear." in response.content.decode()


def test_the_server_command_unlocks_an_account(settings: Any) -> None:
    locked_ben(settings)
    call_command("axes_reset_username", "ben")
    assert attempt("ben", PASSWORD, address="10.0.0.7").signed_in


def test_unlock_signin_unlocks_an_account_at_one_address(settings: Any) -> None:
    locked_ben(settings)
    out = StringIO()
    call_command("unlock_signin", "ben", "--address", "10.0.0.7", stdout=out)
    assert "ben may sign in from 10.0.0.7 again" in out.getvalue()
    assert attempt("ben", PASSWORD, address="10.0.0.7").signed_in


def test_unlock_signin_refuses_a_bad_address() -> None:
    with pytest.raises(CommandError, match="not an IP address"):
        call_command("unlock_signin", "ben", "--address", "nowhere", stdout=StringIO())


def test_the_django_admin_lists_the_attempts(settings: Any) -> None:
    locked_ben(settings)
    superuser = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client = Client()
    client.force_login(superuser)
    page = client.get("/admin/axes/accessattempt/").content.decode()
    assert "ben" in page and "10.0.0.7" in page


# --- passwords -------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["12345678901234", "password123", "qwertyuiop", "short-1"])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, get_user_model()(username="ben"))


@pytest.mark.parametrize("spec", DEMO_USERS, ids=lambda spec: spec.username)
def test_the_demo_passwords_pass_the_validators(spec: Any) -> None:
    user = get_user_model()(
        username=spec.username, first_name=spec.first_name, last_name=spec.last_name
    )
    validate_password(spec.password, user)


# --- behind a proxy ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "forwarded", "counted"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy configured: the header is not trusted
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own entry is ignored
        (2, "6.6.6.6, 203.0.113.9, 10.1.1.1", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),  # fewer entries than proxies: the proxy's address
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_behind_proxies_the_client_address_is_counted(
    settings: Any, count: int, forwarded: str, counted: str
) -> None:
    from axes.models import AccessAttempt

    settings.LOGIN_PROXY_COUNT = count
    attempt("ben", "wrong", address="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [counted]


def test_behind_a_proxy_one_guesser_does_not_lock_out_everyone(settings: Any) -> None:
    settings.LOGIN_PROXY_COUNT = 1
    UserFactory(username="ben")
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(f"guess-{n}", "wrong", address="10.0.0.254", HTTP_X_FORWARDED_FOR="6.6.6.6")
    ben = attempt("ben", PASSWORD, address="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert ben.signed_in


def test_the_lockouts_page_is_in_japanese(cast: Any, settings: Any) -> None:
    locked_ben(settings)
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(cast.admin)
    page = client.get("/lockouts/").content.decode()
    assert "サインインのロック" in page
    assert "ロックは表示の時刻に自動で解けます" in page
    assert "unlock_signin" in page
    assert "サーバー上では" in page
    assert "解除" in page
    translation.activate("en")
