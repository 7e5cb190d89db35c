"""Read endpoints: stored claimed and verified scores, evidence filters, pagination."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from surveys.assessments.scores import assessments_score_store
from surveys.models import Evidence
from tests import factories


@pytest.fixture
def scored(cast: Any, version: Any) -> Any:
    """A submitted assessment answered 1 everywhere, with evidence for two data items.

    Every area but data is 7 × 0.5 = 3.5 verified; data has two backed items: 2 + 5 × 0.5.
    """
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(rnd, cast.product, default="1", status="submitted")
    start, _ = rnd.evidence_window
    for n, outcome in ((1, "pass"), (2, "fail"), (3, "error")):
        Evidence.objects.create(
            product=cast.product,
            item_key=f"data.i{n}",
            outcome=outcome,
            observed_at=start + timedelta(days=1),
            run_id=str(n),
        )
    assessments_score_store(round=rnd, assessments=[assessment], source="web")
    return assessment


def test_assessments_carry_claimed_and_verified_scores_and_the_gap(
    client_as: Any, scored: Any
) -> None:
    body = client_as("member").get("/api/v1/products/ads-ctr/assessments/").json()
    (row,) = body["results"]
    assert row["round"] == "2026-10"
    assert row["version"] == "mlts@2017.1"
    assert row["status"] == "submitted"
    assert row["final_score"] == 7.0
    assert row["verified_score"] == 3.5
    assert row["gap"] == 3.5
    assert row["band"] == ">5"
    areas = {a["area"]: a for a in row["areas"]}
    assert [a["area"] for a in row["areas"]] == ["data", "model", "infra", "monitoring"]
    assert areas["data"] == {
        "area": "data",
        "n": 7,
        "applicable": 7,
        "raw": 7.0,
        "score": 7.0,
        "verified_score": 4.5,
    }


def test_unscored_assessments_have_no_scores(client_as: Any, cast: Any, version: Any) -> None:
    rnd = factories.make_round(version, products=(cast.product,))
    factories.make_assessment(rnd, cast.product)
    (row,) = client_as("admin").get("/api/v1/products/ads-ctr/assessments/").json()["results"]
    assert (row["final_score"], row["verified_score"], row["gap"], row["areas"]) == (
        None,
        None,
        None,
        [],
    )


def test_scores_are_rounded_to_four_decimals(client_as: Any, scored: Any) -> None:
    scored.final_score = 2 / 3
    scored.verified_score = 1 / 3
    scored.save()
    (row,) = client_as("admin").get("/api/v1/products/ads-ctr/assessments/").json()["results"]
    assert (row["final_score"], row["verified_score"], row["gap"]) == (0.6667, 0.3333, 0.3333)


def test_evidence_list_filters_by_item_and_since(client_as: Any, scored: Any) -> None:
    client = client_as("token")
    body = client.get("/api/v1/products/ads-ctr/evidence/").json()
    assert body["count"] == 3
    only = client.get("/api/v1/products/ads-ctr/evidence/?item=data.i2").json()["results"]
    assert [(e["item"], e["outcome"], e["product"]) for e in only] == [
        ("data.i2", "fail", "ads-ctr")
    ]
    Evidence.objects.filter(run_id="3").update(observed_at=datetime(2027, 1, 2, tzinfo=UTC))
    later = client.get("/api/v1/products/ads-ctr/evidence/?since=2027-01-01").json()
    assert [e["run_id"] for e in later["results"]] == ["3"]
    later = client.get("/api/v1/products/ads-ctr/evidence/?since=2027-01-01T00:00:00Z").json()
    assert [e["run_id"] for e in later["results"]] == ["3"]


def test_a_bad_since_is_a_400(client_as: Any, scored: Any) -> None:
    from .conftest import assert_error

    response = client_as("token").get("/api/v1/products/ads-ctr/evidence/?since=last-week")
    assert "since" in assert_error(response, 400, "invalid")["details"]


def test_evidence_is_paginated(client_as: Any, cast: Any) -> None:
    Evidence.objects.bulk_create(
        Evidence(
            product=cast.product,
            item_key="data.i1",
            outcome="pass",
            observed_at=datetime(2026, 11, 1, 0, n, tzinfo=UTC),
            run_id=str(n),
        )
        for n in range(30)
    )
    client = client_as("admin")
    first = client.get("/api/v1/products/ads-ctr/evidence/?limit=10").json()
    assert first["count"] == 30
    assert [e["run_id"] for e in first["results"]] == [str(n) for n in range(29, 19, -1)]
    second = client.get(first["next"]).json()
    assert [e["run_id"] for e in second["results"]] == [str(n) for n in range(19, 9, -1)]


@pytest.mark.parametrize(
    "query",
    ["limit=10000000000000000000000", "offset=-5&limit=99999999999999999999999"],
)
def test_a_huge_limit_is_clamped(client_as: Any, cast: Any, query: str) -> None:
    response = client_as("admin").get(f"/api/v1/products/?{query}")
    assert response.status_code == 200
    assert [p["slug"] for p in response.json()["results"]] == ["ads-ctr", "search-rank"]


def test_a_huge_offset_is_a_400(client_as: Any) -> None:
    from .conftest import assert_error

    response = client_as("admin").get("/api/v1/products/?offset=10000000000000000000000")
    assert "offset" in assert_error(response, 400, "invalid")["details"]


def test_odd_paths_are_a_json_404(client_as: Any) -> None:
    from .conftest import assert_error

    assert_error(client_as("admin").get("/api/v1/products/%C3%AF%0A/evidence/"), 404, "not_found")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/products/ads-ctr/evidence/?item=a%00b",
        "/api/v1/products/ads-ctr/evidence/?since=2026%00",
        "/api/v1/rounds/?questionnaire=ml%00ts",
        "/api/v1/rounds/?status=" + "x" * 300,
    ],
)
def test_query_parameters_the_database_cannot_compare_are_a_400(client_as: Any, path: str) -> None:
    from .conftest import assert_error

    assert_error(client_as("admin").get(path), 400, "invalid")


def test_rounds_filter_by_questionnaire_and_status(client_as: Any, cast: Any, version: Any) -> None:
    factories.make_round(version, label="2026-04", status="closed", products=(cast.product,))
    factories.make_round(version, label="2026-10", products=(cast.product,))
    client = client_as("member")
    assert [r["label"] for r in client.get("/api/v1/rounds/?status=closed").json()["results"]] == [
        "2026-04"
    ]
    assert client.get("/api/v1/rounds/?questionnaire=mlts").json()["count"] == 2
    assert client.get("/api/v1/rounds/?questionnaire=other").json()["count"] == 0
