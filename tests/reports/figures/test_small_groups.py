"""Small groups (DESIGN §7): a respondent's aggregates leave out any group of fewer than
3 scored products other than their own, and say so; managers and admins see them all.

In ``org``'s 2021-10, Ads holds p1, p2 (Ads) and p3 (Ads ML), all scored: a member of
p1 would read p3's exact score as the Ads ML figure, and p2 and p3 through Ads."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client

from surveys.models import AssessmentStatus
from tests import factories
from tests.reports.pages.test_scorecard_bottlenecks import table_rows

pytestmark = pytest.mark.django_db
NOTE = "Scores are withheld for a group holding fewer than 3 scored products other than"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def departments(user: Any, **params: Any) -> tuple[dict[str, list[str]], str]:
    response = client_for(user).get("/reports/departments/", {"round": "2021-10", **params})
    assert response.status_code == 200
    html = response.content.decode()
    return {r[0].split(" (")[0]: r for r in table_rows(html, "breakdown")}, html


@pytest.fixture
def alice(org: Any) -> Any:
    user = factories.UserFactory(username="alice")
    org.products["p1"].members.add(user)
    return user


def test_a_department_of_one_other_product_is_withheld_with_a_note(org: Any, alice: Any) -> None:
    rows, html = departments(alice, department="ads")
    ads_ml = rows["Ads ML"]
    assert "(withheld)" in ads_ml[0]
    assert ads_ml[1:3] == ["1", "1"]  # the counts stay
    assert ads_ml[4] == "—" and ads_ml[6] == "—" and ads_ml[7] == "—"  # mean, median, target
    assert "3.00" not in "".join(ads_ml)  # p3's final score
    assert NOTE in html


def test_the_top_level_of_two_other_products_is_withheld(org: Any, alice: Any) -> None:
    rows, _html = departments(alice)
    assert "(withheld)" in rows["Ads"][0] and rows["Ads"][4] == "—"


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_managers_and_admins_see_every_figure(org: Any, cast: Any, who: str) -> None:
    rows, html = departments(getattr(cast, who), department="ads")
    assert rows["Ads ML"][4] == "3.00"
    assert "withheld" not in html


def test_a_group_of_three_other_products_is_shown(org: Any, alice: Any) -> None:
    round_ = org.rounds["2021-10"]
    for slug in ("p7", "p8"):
        product = factories.ProductFactory(slug=slug, department=org.departments["ads-ml"])
        factories.make_assessment(round_, product, default="1", status=AssessmentStatus.SUBMITTED)
    factories.score_round(round_)
    rows, html = departments(alice, department="ads")
    assert "(withheld)" not in rows["Ads ML"][0]
    assert rows["Ads ML"][4] != "—"
    assert NOTE not in html


def test_a_group_of_only_ones_own_products_is_shown(org: Any, cast: Any) -> None:
    org.products["p3"].members.add(cast.member)
    rows, html = departments(cast.member, department="ads-ml")
    assert rows == {} or "withheld" not in html  # Ads ML has no sub-departments
    trend = client_for(cast.member).get("/reports/", {"department": "ads-ml"})
    assert "Scores are withheld in" not in trend.content.decode()


def test_the_trend_page_names_the_rounds_withheld(org: Any, alice: Any) -> None:
    page = client_for(alice).get("/reports/").content.decode()
    assert "Scores are withheld in 2021-10" in page


def test_the_workbook_departments_sheet_withholds_and_says_so(org: Any, alice: Any) -> None:
    response = client_for(alice).get("/reports/export.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Departments"]
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "2021-10"]
    ads_ml = next(r for r in rows if r[1] == "Ads ML")
    assert ads_ml[6] == "withheld: fewer than 3 other products"
    assert ads_ml[7] is None and ads_ml[8] is None
    items = [r for r in book["Items"].iter_rows(min_row=2, values_only=True) if r[0] == "2021-10"]
    assert items == []  # the answer shares of one or two other products would show through


def test_the_trend_api_withholds_for_respondents_only(org: Any, alice: Any, cast: Any) -> None:
    url = "/api/v1/reports/trend/"
    mine = client_for(alice).get(url, {"questionnaire": "mlts"}).json()["rounds"]
    assert mine[0]["final"]["mean"] is None
    everything = client_for(cast.manager).get(url, {"questionnaire": "mlts"}).json()["rounds"]
    assert everything[0]["final"]["mean"] is not None


def test_what_moved_the_mean_is_withheld_when_a_part_is_one_or_two_products(
    org: Any, alice: Any, cast: Any
) -> None:
    r1, r2 = org.rounds["2021-10"], org.rounds["2022-04"]
    for n in range(7, 11):  # four more Ads products, in both rounds: the rows are shown
        product = factories.ProductFactory(slug=f"p{n}", department=org.departments["ads"])
        for rnd in (r1, r2):
            factories.make_assessment(rnd, product, default="1", status=AssessmentStatus.SUBMITTED)
    joined = factories.ProductFactory(slug="p11", department=org.departments["ads"])
    factories.make_assessment(r2, joined, default="0", status=AssessmentStatus.SUBMITTED)
    factories.score_round(r1)
    factories.score_round(r2)
    manager_page = client_for(cast.manager).get("/reports/", {"department": "ads"})
    assert 'id="moved"' in manager_page.content.decode()
    page = client_for(alice).get("/reports/").content.decode()
    assert "Scores are withheld in" not in page  # enough other products in each round
    assert 'id="moved"' not in page  # one product joined: its score would show
