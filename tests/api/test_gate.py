"""GET /api/v1/products/SLUG/gate/ (DESIGN §6.8): the release gate, for the whole cast."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from surveys.assessments.services import answer_set, assessment_submit
from surveys.models import GateBasis, GatePolicy, Item
from tests import factories
from tests.oidc_issuer import Issuer
from tests.surveys.trust.conftest import AUDIENCE, issuer, policies  # noqa: F401 (fixtures)

URL = "/api/v1/products/ads-ctr/gate/"


@pytest.fixture
def submitted(cast: Any, version: Any) -> Any:
    """ads-ctr submitted with every item at 1 except monitoring at 0.5 (area 3.5 of 7)."""
    rnd = factories.make_round(version, products=(cast.product, cast.other_product))
    values = {f"monitoring.i{n}": "0.5" for n in range(1, 8)}
    assessment = factories.make_assessment(rnd, cast.product, values, default="1")
    return assessment_submit(assessment=assessment, by=cast.member)


def raise_and_submit(assessment: Any, by: Any, keys: list[str], value: str = "1") -> None:
    for key in keys:
        item = Item.objects.get(version=assessment.round.version, key=key)
        answer_set(assessment=assessment, item=item, value=value, base_revision=None, by=by)
    assessment_submit(assessment=assessment, by=by)


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("member", 200),
        ("other_member", 404),
        ("manager", 200),
        ("admin", 200),
        ("anonymous", 401),
        ("token", 200),
        ("other_token", 404),
        ("revoked_token", 401),
        ("read_only_token", 200),
        ("write_only_token", 403),
    ],
)
def test_who_may_read_the_gate(
    client_as: Callable[[str], APIClient], submitted: Any, caller: str, status: int
) -> None:
    response = client_as(caller).get(URL)
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["product"] == "ads-ctr"


@pytest.mark.usefixtures("policies", "submitted")
def test_a_ci_id_token_reads_the_gate_of_the_products_its_policies_admit(issuer: Issuer) -> None:  # noqa: F811
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issuer.token(AUDIENCE)}")
    assert client.get(URL).json()["product"] == "ads-ctr"
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {issuer.token(AUDIENCE)}")
    assert other.get("/api/v1/products/search-rank/gate/").status_code == 404


def test_the_gate_fails_with_the_areas_below_the_target_then_passes_once_raised(
    client_for: Callable[[str], APIClient], cast: Any, submitted: Any, settings: Any
) -> None:
    settings.SCORE_TARGETS_BY_PHASE = {"production": 5.0}
    body = client_for("member").get(URL).json()
    assert body == {
        "product": "ads-ctr",
        "phase": "production",
        "target": 5.0,
        "final": 3.5,
        "verified": 3.5,
        "passes": False,
        "failing": [{"area": "monitoring", "score": 3.5, "needs": 5.0}],
        "basis": "claimed",
        "round": "2026-10",
    }
    raise_and_submit(submitted, cast.member, ["monitoring.i1", "monitoring.i2", "monitoring.i3"])
    body = client_for("member").get(URL).json()
    assert body["passes"] is True
    assert body["final"] == 5.0
    assert body["failing"] == []


def test_an_unsubmitted_change_does_not_open_the_gate(
    client_for: Callable[[str], APIClient], cast: Any, submitted: Any, settings: Any
) -> None:
    settings.SCORE_TARGETS_BY_PHASE = {"production": 5.0}
    item = Item.objects.get(version=submitted.round.version, key="monitoring.i1")
    answer_set(assessment=submitted, item=item, value="1", base_revision=None, by=cast.member)
    assert client_for("member").get(URL).json()["passes"] is False


def test_a_required_item_must_be_at_one(
    client_for: Callable[[str], APIClient], cast: Any, submitted: Any
) -> None:
    GatePolicy.objects.create(phase="production", required_items=["monitoring.i4", "data.i1"])
    body = client_for("member").get(URL).json()
    assert body["passes"] is False
    assert body["failing"] == [{"item": "monitoring.i4", "score": 0.5, "needs": 1.0}]
    raise_and_submit(submitted, cast.member, ["monitoring.i4"])
    assert client_for("member").get(URL).json()["passes"] is True


def test_a_verified_gate_counts_a_one_without_evidence_as_half(
    client_for: Callable[[str], APIClient], cast: Any, submitted: Any
) -> None:
    GatePolicy.objects.create(
        phase="production", basis=GateBasis.VERIFIED, required_items=["data.i1"]
    )
    body = client_for("member").get(URL).json()
    assert body["basis"] == "verified"
    assert body["passes"] is False
    assert {"item": "data.i1", "score": 0.5, "needs": 1.0} in body["failing"]
    factories.make_evidence(cast.product, "data.i1")
    body = client_for("member").get(URL).json()
    assert {"item": "data.i1", "score": 0.5, "needs": 1.0} not in body["failing"]


def test_a_product_without_a_submission_does_not_pass(
    client_for: Callable[[str], APIClient], cast: Any
) -> None:
    body = client_for("member").get(URL).json()
    assert body["passes"] is False
    assert body["final"] is None
    assert body["round"] is None


def test_an_unknown_product_answers_404_in_the_error_shape(
    client_for: Callable[[str], APIClient], cast: Any
) -> None:
    response = client_for("admin").get("/api/v1/products/nope/gate/")
    assert response.status_code == 404
    assert set(response.json()) == {"error"}
