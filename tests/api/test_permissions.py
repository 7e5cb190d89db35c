"""Every endpoint with the whole cast (DESIGN §7): who gets what."""

from __future__ import annotations

from typing import Any

import pytest

from surveys.models import Evidence
from tests import factories

from .conftest import CALLERS, assert_error, record

# Evidence: a token of its product, or an admin; members post through a token.
POST_EVIDENCE = {
    "member": 403,
    "other_member": 403,
    "manager": 403,
    "admin": 201,
    "anonymous": 401,
    "token": 201,
    "other_token": 403,
    "revoked_token": 401,
    "read_only_token": 403,
    "write_only_token": 201,
}
# Reading the product and its evidence: who sees it, and tokens of it with the read scope.
READ_PRODUCT = {
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
# Assessments and rounds belong to people: a CI token sees no assessments.
PEOPLE_ONLY = {
    **READ_PRODUCT,
    "token": 403,
    "other_token": 403,
    "read_only_token": 403,
}


@pytest.fixture
def world(cast: Any, version: Any) -> Any:
    """A round targeting both products, a scored assessment and a piece of evidence."""
    rnd = factories.make_round(version, products=(cast.product, cast.other_product))
    factories.make_assessment(rnd, cast.product, default="1")
    factories.make_assessment(rnd, cast.other_product, default="0")
    Evidence.objects.create(
        product=cast.product,
        item_key="data.i1",
        outcome="pass",
        observed_at=rnd.evidence_window[0],
        run_id="1",
    )
    return rnd


@pytest.mark.parametrize("caller", CALLERS)
def test_post_evidence(client_as: Any, caller: str) -> None:
    response = client_as(caller).post("/api/v1/evidence/", record(), format="json")
    expected = POST_EVIDENCE[caller]
    if expected == 201:
        assert response.status_code == 201, response.content
        assert response.json() == {"received": 1, "created": 1, "replaced": 0}
        assert Evidence.objects.filter(product__slug="ads-ctr", run_id="42").count() == 1
    else:
        assert_error(response, expected)
        assert not Evidence.objects.exists()


@pytest.mark.parametrize("caller", CALLERS)
def test_list_products(client_as: Any, caller: str) -> None:
    response = client_as(caller).get("/api/v1/products/")
    seen = {
        "member": ["ads-ctr"],
        "other_member": ["search-rank"],
        "manager": ["ads-ctr", "search-rank"],
        "admin": ["ads-ctr", "search-rank"],
        "token": ["ads-ctr"],
        "other_token": ["search-rank"],
        "read_only_token": ["ads-ctr"],
    }
    if caller in seen:
        assert response.status_code == 200
        assert [p["slug"] for p in response.json()["results"]] == seen[caller]
    else:
        assert_error(response, {"anonymous": 401, "revoked_token": 401}.get(caller, 403))


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("path", ["", "evidence/"])
def test_read_product_and_its_evidence(client_as: Any, world: Any, caller: str, path: str) -> None:
    response = client_as(caller).get(f"/api/v1/products/ads-ctr/{path}")
    expected = READ_PRODUCT[caller]
    if expected == 200:
        assert response.status_code == 200
        body = response.json()
        if path:
            assert [e["run_id"] for e in body["results"]] == ["1"]
        else:
            assert body["slug"] == "ads-ctr"
    else:
        assert_error(response, expected)


@pytest.mark.parametrize("caller", CALLERS)
def test_read_assessments(client_as: Any, world: Any, caller: str) -> None:
    response = client_as(caller).get("/api/v1/products/ads-ctr/assessments/")
    expected = PEOPLE_ONLY[caller]
    if expected == 200:
        assert response.status_code == 200
        assert [a["round"] for a in response.json()["results"]] == ["2026-10"]
    else:
        assert_error(response, expected)


@pytest.mark.parametrize("caller", CALLERS)
def test_list_rounds(client_as: Any, world: Any, version: Any, cast: Any, caller: str) -> None:
    # A round only of the other product: its member, managers and admins see it.
    factories.make_round(version, label="2026-04", products=(cast.other_product,))
    response = client_as(caller).get("/api/v1/rounds/")
    seen = {
        "member": ["2026-10"],
        "other_member": ["2026-04", "2026-10"],
        "manager": ["2026-04", "2026-10"],
        "admin": ["2026-04", "2026-10"],
    }
    if caller in seen:
        assert response.status_code == 200
        assert sorted(r["label"] for r in response.json()["results"]) == seen[caller]
    else:
        assert_error(response, 401 if caller in {"anonymous", "revoked_token"} else 403)


def test_session_posts_need_csrf(cast: Any, tokens: Any) -> None:
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(cast.admin)
    error = assert_error(client.post("/api/v1/evidence/", record(), format="json"), 403)
    assert "CSRF" in error["message"]
    assert not Evidence.objects.exists()


def test_token_of_another_product_names_the_reason(client_as: Any) -> None:
    response = client_as("other_token").post("/api/v1/evidence/", record(), format="json")
    error = assert_error(response, 403, "permission_denied")
    assert "search-rank" in error["message"] and "ads-ctr" in error["message"]


def test_a_batch_with_one_record_of_another_product_is_refused(client_as: Any) -> None:
    batch = [record(run_id="1"), record(run_id="2", product="search-rank")]
    assert_error(client_as("token").post("/api/v1/evidence/", batch, format="json"), 403)
    assert not Evidence.objects.exists()


def test_session_posts_with_the_csrf_token_pass(cast: Any, tokens: Any, version: Any) -> None:
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(cast.admin)
    client.get("/tokens/")  # a page with a form sets the CSRF cookie, as in a browser
    csrf = client.cookies["csrftoken"].value
    response = client.post("/api/v1/evidence/", record(), format="json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201, response.content
    assert Evidence.objects.get().token is None
