"""The watches API (DESIGN §6.7): reading with a token, a CI ID token or a session; the
team's settings and pauses; every caller of the cast."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from surveys.models import Watch, WatchState
from tests.api.conftest import assert_error, client_as, record, tokens
from tests.surveys.trust.conftest import AUDIENCE, issuer, policies

__all__ = ["client_as", "issuer", "policies", "tokens"]

URL = "/api/v1/products/ads-ctr/watches/"

READ = {
    "member": 200,
    "other_member": 404,
    "manager": 200,
    "admin": 200,
    "anonymous": 401,
    "token": 200,
    "other_token": 404,
    "revoked_token": 401,
    "read_only_token": 200,
    "write_only_token": 403,
}
WRITE = {
    "member": 200,
    "other_member": 404,
    "manager": 404,
    "admin": 200,
    "anonymous": 401,
    "token": 200,
    "other_token": 404,
    "revoked_token": 401,
    "read_only_token": 403,
    "write_only_token": 200,
}


@pytest.fixture
def watched(client_as: Any) -> Watch:
    assert client_as("token").post("/api/v1/evidence/", record(), format="json").status_code == 201
    return Watch.objects.get()


@pytest.mark.parametrize(("caller", "expected"), READ.items())
def test_who_reads_a_products_watches(
    client_as: Any, watched: Watch, caller: str, expected: int
) -> None:
    response = client_as(caller).get(URL)
    assert response.status_code == expected, response.content
    if expected == 200:
        (row,) = response.json()
        assert row["item"] == "data.i1" and row["state"] == "up"
        assert row["period_days"] == 7.0 and row["grace_hours"] == 24.0
        assert row["last_outcome"] == "pass" and row["next_due_at"]


@pytest.mark.parametrize(("caller", "expected"), WRITE.items())
def test_who_changes_a_watch(client_as: Any, watched: Watch, caller: str, expected: int) -> None:
    response = client_as(caller).patch(
        URL + "data.i1/", {"period_days": 1, "grace_hours": 6}, format="json"
    )
    assert response.status_code == expected, response.content
    watched.refresh_from_db()
    changed = (watched.period, watched.grace) == (timedelta(days=1), timedelta(hours=6))
    assert changed == (expected == 200)


def test_pause_and_resume_over_the_api(client_as: Any, watched: Watch) -> None:
    client = client_as("member")
    until = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    response = client.patch(URL + "data.i1/", {"paused_until": until}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "paused"
    response = client.patch(URL + "data.i1/", {"paused_until": None}, format="json")
    assert response.json()["state"] == "up"


@pytest.mark.parametrize(
    "body",
    [
        {"paused_until": "2099-01-01T00:00:00Z"},
        {"paused_until": "yesterday"},
        {"period_days": 0},
        {"period_days": "often"},
        {"grace_hours": 10_000},
        {"fail_after": 0},
        ["not", "an", "object"],
    ],
)
def test_bad_settings_answer_400_and_change_nothing(
    client_as: Any, watched: Watch, body: Any
) -> None:
    response = client_as("member").patch(URL + "data.i1/", body, format="json")
    assert_error(response, 400)
    fresh = Watch.objects.get()
    assert (fresh.state, fresh.period, fresh.paused_until) == (
        WatchState.UP,
        timedelta(days=7),
        None,
    )


def test_a_team_watches_an_item_before_its_first_post(client_as: Any, watched: Watch) -> None:
    client = client_as("member")
    response = client.post(URL, {"item": "data.i2"}, format="json")
    assert response.status_code == 201 and response.json()["state"] == "new"
    assert_error(client.post(URL, {"item": "data.i2"}, format="json"), 400)
    assert_error(client.post(URL, {"item": "no.such"}, format="json"), 400)
    assert client_as("manager").post(URL, {"item": "data.i3"}, format="json").status_code == 404


def test_an_unknown_watch_is_404(client_as: Any, watched: Watch) -> None:
    assert_error(client_as("member").patch(URL + "data.i7/", {"fail_after": 2}, format="json"), 404)


def test_a_ci_id_token_reads_its_products_watches_only(
    issuer: Any, policies: Any, client_as: Any, watched: Watch
) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issuer.token(AUDIENCE)}")
    response = client.get(URL)
    assert response.status_code == 200 and response.json()[0]["item"] == "data.i1"
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {issuer.token(AUDIENCE)}")
    assert other.get("/api/v1/products/search-rank/watches/").status_code == 404
    writer = APIClient()
    writer.credentials(HTTP_AUTHORIZATION=f"Bearer {issuer.token(AUDIENCE)}")
    assert writer.patch(URL + "data.i1/", {"fail_after": 1}, format="json").status_code == 403


def test_the_schema_documents_the_watches_with_examples(client_as: Any) -> None:
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    path = schema["paths"]["/api/v1/products/{slug}/watches/"]
    assert "examples" in path["get"]["responses"]["200"]["content"]["application/json"]
    assert "patch" in schema["paths"]["/api/v1/products/{slug}/watches/{item}/"]
