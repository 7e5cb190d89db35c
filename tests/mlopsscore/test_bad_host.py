"""A request for a host the site does not serve answers 400 with the error page, never a
500, in production mode too (the page renders before any user is known)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/reports/departments/"])
def test_a_bad_host_header_answers_400(settings: Any, debug: bool, path: str) -> None:
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    response = client.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400
    if not debug:
        assert "<html" in response.content.decode().lower()


def test_a_bad_host_with_a_signed_in_session_cookie_answers_400(settings: Any, cast: Any) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(cast.admin)
    assert client.get("/", HTTP_HOST="bad host!").status_code == 400
