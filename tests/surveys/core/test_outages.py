"""The database or the cache down answers a clear 503, never a 500 page (DESIGN §8).

The database is made unreachable for the request only (every connection attempt fails
as it does while PostgreSQL restarts); the cache by its client failing as Redis's does
when Redis is stopped. tests/production_topology.py does the same to real processes.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.conftest import WHO

PAGE = "/"
API = "/api/v1/products/"


def _database_down() -> Any:
    return mock.patch.object(
        BaseDatabaseWrapper,
        "ensure_connection",
        side_effect=OperationalError("connection refused: the server is restarting"),
    )


def _client(client_for: Any, who: str) -> Any:
    client = client_for(who)
    client.raise_request_exception = False
    return client


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("path", [PAGE, API])
def test_the_database_down_answers_503_for_everyone(client_for: Any, who: str, path: str) -> None:
    client = _client(client_for, who)
    with _database_down():
        response = client.get(path)
    body = response.content.decode()
    assert "Traceback" not in body
    if who == "anonymous" or (who == "foreign_token" and path == PAGE):
        # No sign-in to read: the usual answer (to the login page, or 401), without the database.
        assert response.status_code in (302, 401)
    else:
        assert response.status_code == 503
        assert response["Retry-After"] == "10"
        assert "briefly unavailable" in body
        if path == API:
            assert response.json()["error"]["code"] == "unavailable"
    # The database back: the same client is served again.
    assert client.get(path).status_code in (200, 302, 401, 403)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["member", "foreign_token"])
def test_the_cache_down_answers_503_in_the_api_shape(client_for: Any, who: str) -> None:
    client = _client(client_for, who)
    with mock.patch(
        "rest_framework.throttling.SimpleRateThrottle.allow_request",
        side_effect=RedisConnectionError("Error 111 connecting to 127.0.0.1:6379."),
    ):
        response = client.get(API)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert "6379" not in response.content.decode()


@pytest.mark.django_db
def test_an_autosave_with_the_cache_down_answers_json(client_for: Any, cast: Any) -> None:
    client = _client(client_for, "member")
    with mock.patch(
        "django.contrib.sessions.middleware.SessionMiddleware.process_request",
        side_effect=RedisConnectionError("Error 111"),
    ):
        response = client.post(
            "/assessments/1/items/1/", data={"value": "1"}, content_type="application/json"
        )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"


@pytest.mark.django_db
def test_any_other_error_is_still_a_500_without_a_traceback(client_for: Any) -> None:
    client = _client(client_for, "member")
    with mock.patch(
        "django.contrib.sessions.middleware.SessionMiddleware.process_request",
        side_effect=RuntimeError("a bug"),
    ):
        response = client.get(PAGE)
    assert response.status_code == 500
    assert "Traceback" not in response.content.decode()
    assert "a bug" not in response.content.decode()
