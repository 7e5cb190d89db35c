"""The API's permission cast: the people of ``cast`` plus tokens of every kind."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from surveys.tokens.services import token_create, token_revoke


@pytest.fixture(autouse=True)
def _language_back_to_default() -> Iterator[None]:
    # LocaleMiddleware leaves the language of the last request active in this thread.
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    # Throttle counters live in the cache, keyed by token id: start every test at zero.
    cache.clear()


@dataclass
class Tokens:
    product: str
    other_product: str
    revoked: str
    read_only: str
    write_only: str


@pytest.fixture
def tokens(cast: Any) -> Tokens:
    revoked_token, revoked = token_create(product=cast.product, name="old")
    token_revoke(token=revoked_token)
    return Tokens(
        product=token_create(product=cast.product, name="ci")[1],
        other_product=token_create(product=cast.other_product, name="ci")[1],
        revoked=revoked,
        read_only=token_create(product=cast.product, name="ro", can_write_evidence=False)[1],
        write_only=token_create(product=cast.product, name="wo", can_read=False)[1],
    )


CALLERS = [
    "member",
    "other_member",
    "manager",
    "admin",
    "anonymous",
    "token",
    "other_token",
    "revoked_token",
    "read_only_token",
    "write_only_token",
]


@pytest.fixture
def client_as(
    client_for: Callable[[str], APIClient], tokens: Tokens, version: Any
) -> Callable[[str], APIClient]:
    """``client_as(caller)``: an API client acting as one of ``CALLERS`` (the cast's
    people through ``client_for``, and tokens of every kind).

    The questionnaire ``version`` exists, so evidence for its items is accepted.
    """

    def make(caller: str) -> APIClient:
        if caller in {"member", "other_member", "manager", "admin", "anonymous"}:
            return client_for(caller)
        raw = {
            "token": tokens.product,
            "other_token": tokens.other_product,
            "revoked_token": tokens.revoked,
            "read_only_token": tokens.read_only,
            "write_only_token": tokens.write_only,
        }[caller]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


def record(**overrides: Any) -> dict[str, Any]:
    """A valid evidence record of ``ads-ctr`` (the cast's product) for item ``data.i1``."""
    observed = datetime.now(UTC) - timedelta(hours=1)
    return {
        "product": "ads-ctr",
        "item": "data.i1",
        "outcome": "pass",
        "observed_at": observed.isoformat().replace("+00:00", "Z"),
        "url": "https://ci.example/run/42",
        "run_id": "42",
        "summary": "schema check: 0 anomalies",
        **overrides,
    }


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is ``status`` in the one error shape; returns its ``error`` object."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]
