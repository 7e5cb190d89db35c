"""The home page: products, the open round and each product's status, latest scores."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from surveys.assessments.scores import assessments_score_store
from surveys.models import AssessmentStatus, RoundStatus
from tests import factories
from tests.conftest import WHO

pytestmark = pytest.mark.django_db


@pytest.fixture
def rounds(version: Any, cast: Any) -> Any:
    old = factories.make_round(
        version, label="2026-04", opens_on=dt.date(2026, 4, 1), status=RoundStatus.CLOSED
    )
    scored = factories.make_assessment(old, cast.product, default="0.5", status="submitted")
    assessments_score_store(round=old, assessments=[scored], source="web")
    current = factories.make_round(
        version, label="2026-10", closes_on=dt.date(2026, 10, 31), products=(cast.other_product,)
    )
    draft = factories.make_assessment(current, cast.product, status=AssessmentStatus.DRAFT)
    return draft


@pytest.mark.parametrize("who", WHO)
def test_each_role_sees_the_products_it_may(rounds: Any, client_for: Any, who: str):
    response = client_for(who).get("/")
    if who in {"anonymous", "foreign_token"}:  # a CI token opens no page
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    html = response.content.decode()
    names = set(re.findall(r'<a href="/products/([\w-]+)/">', html))
    expected = {
        "member": {"ads-ctr"},
        "other_member": {"search-rank"},
        "manager": {"ads-ctr", "search-rank"},
        "admin": {"ads-ctr", "search-rank"},
    }[who]
    assert names == expected
    assert "Round 2026-10 is open until 2026-10-31." in html


def test_status_in_the_open_round_and_latest_score(rounds: Any, cast: Any, client_for: Any):
    html = client_for("admin").get("/").content.decode()
    ads = re.search(r"/products/ads-ctr/.*?</tr>", html, re.S)[0]
    assert "Draft" in ads and f'href="/assessments/{rounds.pk}/"' in ads
    assert "3.50" in ads and "Strong automated testing (score 3–5)" in ads
    search = re.search(r"/products/search-rank/.*?</tr>", html, re.S)[0]
    assert "Not started" in search


def test_managers_page_and_filter_many_products(version: Any, cast: Any, client_for: Any):
    department = factories.DepartmentFactory(slug="vision", name="Vision")
    for n in range(60):
        factories.ProductFactory(slug=f"vision-{n:02d}", department=department)
    client = client_for("manager")
    html = client.get("/").content.decode()
    assert "62 products" in html and "Page 1 of 2" in html
    assert len(re.findall(r'<a href="/products/', html)) == 50
    html = client.get("/", {"department": "vision", "q": "vision-5"}).content.decode()
    assert set(re.findall(r'<a href="/products/([\w-]+)/">', html)) == {
        f"vision-5{n}" for n in range(10)
    }


def test_home_queries_do_not_grow_with_products(
    version: Any, cast: Any, django_assert_max_num_queries: Any, client_for: Any
):
    rnd = factories.make_round(version)
    for n in range(40):
        product = factories.ProductFactory(slug=f"p-{n:02d}")
        factories.make_assessment(rnd, product)
    client = client_for("admin")
    with django_assert_max_num_queries(12):
        assert client.get("/").status_code == 200
