"""Every export with the whole cast (DESIGN §7).

A respondent's workbook, CSV and JSON hold the aggregates of their own departments and
the answers and scores of their own products only; managers and admins read everything;
an anonymous visitor and a CI token (here of another product) read nothing.

The cast's ``member`` is made a member of p4 (department Search, with p5 and p6) and the
``other_member`` of p1 (department Ads, with p2 and the sub-department Ads ML's p3).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client

from surveys.tokens.services import token_create

pytestmark = pytest.mark.django_db
EVERY_PRODUCT = {"p1", "p2", "p3", "p4", "p5", "p6"}
ANSWERED = {"2021-10": EVERY_PRODUCT - {"p6"}, "2022-04": EVERY_PRODUCT - {"p5"}}
CALLERS = ["member", "other_member", "manager", "admin", "anonymous", "other_token"]
# What each caller may list: products (answers, Products sheet) and departments.
OWN = {
    "member": ({"p4"}, {"Search"}),
    "other_member": ({"p1"}, {"Ads", "Ads ML"}),
    "manager": (EVERY_PRODUCT, {"Ads", "Ads ML", "Search"}),
    "admin": (EVERY_PRODUCT, {"Ads", "Ads ML", "Search"}),
}


@pytest.fixture
def client_as(org: Any, cast: Any) -> Any:
    org.products["p4"].members.add(cast.member)
    org.products["p1"].members.add(cast.other_member)

    def make(caller: str) -> Client:
        if caller == "other_token":
            # A CI token is for the evidence API; the report pages never take it.
            raw = token_create(product=cast.other_product, name="ci")[1]
            return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client = Client()
        if caller != "anonymous":
            client.force_login(getattr(cast, caller))
        return client

    return make


def workbook_cells(content: bytes) -> dict[str, list[list[Any]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in workbook}


def every_text(sheets: dict[str, list[list[Any]]]) -> set[str]:
    rows = [row for table in sheets.values() for row in table]
    return {cell for row in rows for cell in row if isinstance(cell, str)}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("round_label", ["2021-10", "2022-04"])
def test_the_workbook(client_as: Any, org: Any, caller: str, round_label: str) -> None:
    response = client_as(caller).get("/reports/export.xlsx", {"round": round_label})
    if caller not in OWN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    assert response.status_code == 200
    products, departments = OWN[caller]
    sheets = workbook_cells(response.content)
    assert {r[2] for r in sheets["Answers"][1:]} == products & ANSWERED[round_label]
    scored = {r[0] for r in sheets["Products"][1:]}
    assert scored <= products and scored
    assert {r[1] for r in sheets["Departments"][1:]} == departments
    # No other product is named anywhere in the workbook, by slug or by name.
    others = EVERY_PRODUCT - products
    names = {org.products[slug].name for slug in others}
    assert not every_text(sheets) & (others | names)


@pytest.mark.parametrize("caller", CALLERS)
def test_the_csv_of_answers(client_as: Any, caller: str) -> None:
    response = client_as(caller).get("/reports/answers.csv")
    if caller not in OWN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    products, _departments = OWN[caller]
    assert {r[2] for r in rows} == products  # each has answers in some round


@pytest.mark.parametrize("caller", CALLERS)
def test_a_department_filter_does_not_widen_what_is_listed(client_as: Any, caller: str) -> None:
    # A respondent naming another department's slug gets a 404, not its answers.
    response = client_as(caller).get("/reports/answers.csv", {"department": "ads"})
    if caller not in OWN:
        assert response.status_code == 302
    elif caller == "member":
        assert response.status_code == 404
    else:
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        listed = {r[2] for r in list(csv.reader(io.StringIO(text)))[1:]}
        assert listed == OWN[caller][0] & {"p1", "p2", "p3"}


@pytest.mark.parametrize("caller", CALLERS)
def test_the_trend_json(client_as: Any, caller: str) -> None:
    response = client_as(caller).get("/api/v1/reports/trend/", {"questionnaire": "mlts"})
    if caller not in OWN:
        assert response.status_code in (401, 403)
        return
    assert response.status_code == 200
    first = response.json()["rounds"][0]
    # 2021-10: Search has p4 (incomplete) and p5; Ads has p1, p2 and Ads ML's p3.
    targeted = {"member": 2, "other_member": 3, "manager": 5, "admin": 5}[caller]
    assert first["targeted"] == targeted
