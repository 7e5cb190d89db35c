"""departments side by side with change arrows, a department's own
trend, and its products; hand-computed from the fixture of ``conftest.py``."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from .test_pages import figures_of
from .test_scorecard_bottlenecks import table_rows

pytestmark = pytest.mark.django_db


def get(user: Any, **params: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/reports/departments/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_departments_side_by_side_with_the_change_since_the_previous_closed_round(
    org: Any, cast: Any
) -> None:
    rows = {r[0]: r for r in table_rows(get(cast.manager), "breakdown")}
    # Ads 2022-04: p1 2.0, p3 1.5 → 1.75; 2021-10: p1 2.0, p2 0.0, p3 3.0 → 1.67
    assert rows["Ads"][4] == "1.75" and "▲" in rows["Ads"][5] and "+0.08" in rows["Ads"][5]
    # Search 2022-04: p4 3.0, p6 0.5 → 1.75; 2021-10: p5 2.25
    assert rows["Search"][4] == "1.75" and "▼" in rows["Search"][5] and "-0.50" in rows["Search"][5]


def test_a_department_drills_down_to_its_products_and_its_own_trend(org: Any, cast: Any) -> None:
    html = get(cast.manager, department="ads")
    products = table_rows(html, "department-products")
    assert [r[0] for r in products] == ["P1", "P3", "P2"]  # best first; P2 not scored
    assert products[1][1:4] == ["Ads ML", "Production", "1.50"] and "-1.50" in products[1][4]
    assert '<a href="/products/p3/">P3</a>' in html
    charts = figures_of_html(html)
    own = charts["chart-department-own"]
    assert own["layout"]["title"]["text"] == "Trend of Ads"
    mean = next(t for t in own["data"] if t.get("name") == "Mean, all products")
    assert mean["y"][:2] == [1.6667, 1.75]
    # a sub-department without sub-departments is a link too
    assert "department=ads-ml" in html


def test_a_respondent_sees_only_their_own_products_of_a_department(org: Any, cast: Any) -> None:
    org.products["p3"].members.add(cast.member)
    html = get(cast.member, department="ads-ml")
    assert [r[0] for r in table_rows(html, "department-products")] == ["P3"]
    # the department of another product's member is not theirs to read
    client = Client()
    client.force_login(cast.other_member)
    assert client.get("/reports/departments/", {"department": "ads"}).status_code == 404


def figures_of_html(html: str) -> dict[str, Any]:
    class R:
        content = html.encode()

    return figures_of(R())
