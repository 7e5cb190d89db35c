"""POST /api/v1/evidence/ (DESIGN §6.5): idempotency, all-or-nothing batches, bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from surveys.models import ApiToken, Evidence

from .conftest import assert_error, record

URL = "/api/v1/evidence/"


@pytest.fixture
def ci(client_as: Any) -> Any:
    return client_as("token")


def post_raw(client: Any, body: str | bytes, content_type: str = "application/json") -> Any:
    return client.generic("POST", URL, body, content_type=content_type)


def test_single_record_is_stored_as_posted(ci: Any, cast: Any) -> None:
    response = ci.post(URL, record(outcome="fail"), format="json")
    assert response.status_code == 201
    stored = Evidence.objects.get()
    assert (stored.product, stored.item_key, stored.outcome, stored.run_id) == (
        cast.product,
        "data.i1",
        "fail",
        "42",
    )
    assert stored.url == "https://ci.example/run/42"
    assert stored.summary == "schema check: 0 anomalies"
    assert stored.token == ApiToken.objects.get(name="ci", product=cast.product)


def test_reposting_a_run_replaces_it(ci: Any) -> None:
    assert ci.post(URL, record(outcome="error"), format="json").json()["created"] == 1
    response = ci.post(URL, record(outcome="pass", summary="fixed"), format="json")
    assert response.status_code == 201
    assert response.json() == {"received": 1, "created": 0, "replaced": 1}
    stored = Evidence.objects.get()
    assert (stored.outcome, stored.summary) == ("pass", "fixed")


def test_a_batch_stores_every_record_once(ci: Any) -> None:
    batch = [record(run_id=str(n), item=f"data.i{n % 7 + 1}") for n in range(1000)]
    response = ci.post(URL, batch, format="json")
    assert response.status_code == 201
    assert response.json() == {"received": 1000, "created": 1000, "replaced": 0}
    assert Evidence.objects.count() == 1000
    again = ci.post(URL, batch, format="json").json()
    assert again == {"received": 1000, "created": 0, "replaced": 1000}
    assert Evidence.objects.count() == 1000


def test_within_a_batch_the_last_record_of_a_run_wins(ci: Any) -> None:
    batch = [record(outcome="error"), record(outcome="fail"), record(run_id="43")]
    assert ci.post(URL, batch, format="json").json() == {
        "received": 3,
        "created": 2,
        "replaced": 1,
    }
    assert Evidence.objects.get(run_id="42").outcome == "fail"


def test_a_batch_lists_every_problem_by_index_and_stores_nothing(ci: Any) -> None:
    batch = [
        record(run_id="ok"),
        record(item="no.such-item"),
        record(observed_at="2026-11-20T03:00:00", outcome="maybe"),
        "not an object",
        record(url="ftp://ci.example/x", run_id=None),
        {"product": "ads-ctr"},
    ]
    error = assert_error(ci.post(URL, batch, format="json"), 400, "invalid")
    assert error["message"] == "5 of 6 records are invalid; nothing was stored."
    details = error["details"]
    assert sorted(details) == ["1", "2", "3", "4", "5"]
    assert "Unknown item key 'no.such-item'" in details["1"]["item"][0]
    assert set(details["2"]) == {"observed_at", "outcome"}
    assert "timezone" in details["2"]["observed_at"][0]
    assert "record" in details["3"] or "non_field_errors" in details["3"]
    assert set(details["4"]) == {"url", "run_id"}
    assert set(details["5"]) == {"item", "outcome", "observed_at", "run_id"}
    assert not Evidence.objects.exists()


def test_admin_gets_unknown_products_and_items_listed(client_as: Any) -> None:
    batch = [record(), record(product="no-such-product"), record(item="no.such", run_id="2")]
    error = assert_error(client_as("admin").post(URL, batch, format="json"), 400)
    assert error["details"] == {
        "1": {"product": ["Unknown product 'no-such-product'."]},
        "2": {"item": ["Unknown item key 'no.such': use the key of a questionnaire item."]},
    }
    assert not Evidence.objects.exists()


def test_observed_at_may_not_lie_in_the_future(ci: Any) -> None:
    soon = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    assert ci.post(URL, record(observed_at=soon), format="json").status_code == 201
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    error = assert_error(ci.post(URL, record(observed_at=later, run_id="x"), format="json"), 400)
    assert "future" in error["details"]["observed_at"][0]


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        '{"product": "ads-ctr",',
        "[1, 2,",
        '{"a": NaN}',
        "[" * 100_000 + "]" * 100_000,
        b"\xff\xfe\x00",
    ],
)
def test_malformed_json_is_a_parse_error(ci: Any, body: Any) -> None:
    assert_error(post_raw(ci, body), 400, "parse_error")
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        '"a string"',
        "42",
        "null",
        "true",
        "[]",
        json.dumps([record(run_id=str(n)) for n in range(1001)]),
    ],
)
def test_bodies_that_are_no_record_or_batch(ci: Any, body: str) -> None:
    error = assert_error(post_raw(ci, body), 400, "invalid")
    assert any(word in error["message"] for word in ("object", "at least one", "at most 1,000"))
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("outcome", 5),
        ("outcome", None),
        ("observed_at", 123),
        ("observed_at", "yesterday"),
        ("observed_at", "2026-11-20"),
        ("observed_at", "0001-01-01T00:00:00+14:00"),
        ("run_id", {"a": 1}),
        ("run_id", ["1"]),
        ("run_id", ""),
        ("run_id", "x" * 201),
        ("item", None),
        ("item", "\ud800"),
        ("outcome", "\udfff"),
        ("item", "a\x00b"),
        ("summary", "s" * 10_001),
        ("summary", None),
        ("url", "javascript:alert(1)"),
        ("url", "https://" + "a" * 600 + ".example"),
        ("product", "not a slug!"),
        ("product", 7),
        ("product", {"slug": "ads-ctr"}),
        ("product", ["ads-ctr"]),
    ],
)
def test_wrong_values_are_named(client_as: Any, field: str, value: Any) -> None:
    # An admin, so a bad product is a validation error rather than another product's 403.
    body = json.dumps(record(**{field: value}))  # ASCII: lone surrogates travel escaped
    error = assert_error(post_raw(client_as("admin"), body), 400)
    assert field in error["details"]
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("product", [{"slug": "ads-ctr"}, ["ads-ctr"], None, 7])
def test_a_token_gets_a_400_for_a_product_of_the_wrong_type(ci: Any, product: Any) -> None:
    error = assert_error(ci.post(URL, [record(), record(product=product)], format="json"), 400)
    assert list(error["details"]) == ["1"]


def test_only_json_is_accepted(ci: Any) -> None:
    assert_error(post_raw(ci, "product=ads-ctr", "application/x-www-form-urlencoded"), 415)


def test_wrong_method_and_unknown_urls_answer_in_the_error_shape(ci: Any) -> None:
    assert_error(ci.get(URL), 405, "method_not_allowed")
    assert_error(ci.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error(ci.get("/api/v1/products/no-such-product/"), 404, "not_found")


def test_bodies_over_the_size_limit_answer_413(ci: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    small = [record(run_id=str(n)) for n in range(2)]
    assert ci.post(URL, small, format="json").status_code == 201
    large = [record(run_id=str(n)) for n in range(20)]
    error = assert_error(ci.post(URL, large, format="json"), 413, "too_large")
    assert "2,000 bytes" in error["message"]
    assert Evidence.objects.count() == 2


def test_a_lying_content_length_cannot_pass_the_limit(ci: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    body = json.dumps([record(run_id=str(n)) for n in range(20)]).encode()
    response = ci.generic("POST", URL, body, content_type="application/json", CONTENT_LENGTH="100")
    # Django reads only the declared 100 bytes: a truncated body, refused as malformed.
    assert_error(response, 400, "parse_error")
    assert not Evidence.objects.exists()


def test_tokens_are_throttled(ci: Any, settings: Any) -> None:
    settings.API_TOKEN_THROTTLE = "2/min"
    assert ci.get("/api/v1/products/").status_code == 200
    assert ci.post(URL, record(), format="json").status_code == 201
    response = ci.post(URL, record(run_id="43"), format="json")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert Evidence.objects.count() == 1


def test_throttling_counts_each_token_apart(client_as: Any, settings: Any) -> None:
    settings.API_TOKEN_THROTTLE = "1/min"
    assert client_as("token").get("/api/v1/products/").status_code == 200
    assert client_as("token").get("/api/v1/products/").status_code == 429
    assert client_as("read_only_token").get("/api/v1/products/").status_code == 200


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer a b", "Bearer mlops_nope", "   ", "Basic Zm9vOmJhcg=="]
)
def test_bad_credentials_are_401_never_500(cast: Any, header: str) -> None:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.post(URL, record(), format="json")
    assert_error(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_ci_token_starts_no_session(ci: Any) -> None:
    """A pipeline is no person: its posts leave no session row and set no cookie."""
    from django.contrib.sessions.models import Session

    response = ci.post(URL, record(), format="json")
    assert response.status_code == 201
    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()


def test_a_batch_costs_a_handful_of_queries_not_one_per_record(
    ci: Any, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection

    batch = [record(run_id=str(n), item=f"model.i{n % 7 + 1}") for n in range(1000)]
    # Token, its last use, the items, the stored runs, the upsert (and transaction marks);
    # then the watches (DESIGN §6.7): read them, the items' periods, create the new ones,
    # read them back, update them, store the flips. SQLite caps the parameters of one
    # statement, so there the upsert comes in slices.
    most = 14 if connection.vendor == "postgresql" else 46
    with django_assert_max_num_queries(most):
        assert ci.post(URL, batch, format="json").status_code == 201
    with django_assert_max_num_queries(most):
        assert ci.post(URL, batch, format="json").json()["replaced"] == 1000


def test_signed_in_people_are_throttled_too(client_as: Any, settings: Any) -> None:
    settings.API_USER_THROTTLE = "1/min"
    client = client_as("manager")
    assert client.get("/api/v1/products/").status_code == 200
    assert_error(client.get("/api/v1/products/"), 429, "throttled")
    assert client_as("admin").get("/api/v1/products/").status_code == 200


def test_a_draft_items_key_stops_counting_when_the_draft_goes(ci: Any) -> None:
    """Keys of published versions are remembered between posts; a draft's are not: a
    deleted draft item is an unknown item again."""
    from tests import factories

    draft = factories.make_version(publish=False, version="2099.1", areas=("lab",), per_area=1)
    assert ci.post(URL, record(item="lab.i1", run_id="d1"), format="json").status_code == 201
    assert ci.post(URL, record(run_id="p1"), format="json").status_code == 201  # published
    draft.delete()
    assert_error(ci.post(URL, record(item="lab.i1", run_id="d2"), format="json"), 400)
    assert ci.post(URL, record(run_id="p2"), format="json").status_code == 201
