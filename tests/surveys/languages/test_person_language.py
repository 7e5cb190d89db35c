"""A person's language applies from sign-in on, everywhere (DESIGN §2); the header's
switch changes it for good."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from surveys.models import Profile
from tests import factories

pytestmark = pytest.mark.django_db


def _signed_in(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": "pw-12345!"})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture
def haruto(db: Any) -> Any:
    user = factories.UserFactory(username="haruto")
    user.set_password("pw-12345!")
    user.save()
    Profile.objects.create(user=user, language="ja")
    return user


def test_a_japanese_profile_reads_japanese_from_sign_in_on(haruto: Any, cast: Any) -> None:
    client = _signed_in("haruto")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ja">' in page
    client.cookies["django_language"] = "en"  # a cookie left by an earlier visitor
    assert '<html lang="ja">' in client.get("/").content.decode()


def test_the_switch_changes_the_persons_language_for_good(haruto: Any) -> None:
    client = _signed_in("haruto")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert Profile.objects.get(user=haruto).language == "en"
    assert '<html lang="en">' in client.get("/").content.decode()
    # Another device, another session: the new choice holds there too.
    assert '<html lang="en">' in _signed_in("haruto").get("/").content.decode()


def test_a_switch_to_an_unknown_language_changes_nothing(haruto: Any) -> None:
    client = _signed_in("haruto")
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code in (302, 204)
    assert Profile.objects.get(user=haruto).language == "ja"


def test_without_a_profile_the_browser_decides(cast: Any, client: Any) -> None:
    client.force_login(cast.member)
    assert '<html lang="ja">' in client.get("/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()


def test_visitors_and_tokens_keep_the_browsers_language(client: Any, cast: Any) -> None:
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<html lang="ja">' in page
    response = client.get(
        "/api/v1/products/",
        HTTP_AUTHORIZATION=f"Bearer {cast.foreign_token}",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 200 and "sessionid" not in response.cookies
