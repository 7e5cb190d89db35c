"""A small organisation whose trend figures are computed by hand in the tests.

Two versions of one questionnaire, each with two areas of three items:
``mlts@2017.1`` (rescale) and ``mlts@2018.1`` (drop). ``data.i3`` and every ``model``
item allow N/A, so a model area can have no score.

Departments: ads (with sub-department ads-ml) and search.
Products: p1, p2 in ads; p3 in ads-ml; p4, p5 in search; p6 in search, phase poc.

Round 2021-10 (rescale, closed)            Round 2022-04 (drop, closed)
  p1 data 1 1 NA → 3.0  model .5 .5 1 → 2.0   p1 data 1 1 NA → 2.0 model 1 1 1 → 3.0
     final 2.0                                   final 2.0
  p2 data 0 0 0 → 0     model 1 1 .5 → 2.5    p2 unanswered → not scored
     final 0.0                                p3 data .5 .5 .5 → 1.5 model .5 .5 .5 → 1.5
  p3 data 1 1 1 → 3.0   model NA NA NA → none    final 1.5
     final 3.0                                p4 data 1 1 1 → 3.0 model 1 1 1 → 3.0
  p4 data.i1 unanswered → not scored             final 3.0
  p5 data 1 .5 NA → 2.25 model 1 1 .5 → 2.5   p6 data 1 0 0 → 1.0 model .5 NA NA → 0.5
     final 2.25                                  final 0.5

Round 2022-10 (drop, open) is created first but opens last, and has no assessments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from surveys.models import AssessmentStatus, RoundStatus
from tests import factories

NA_ITEMS = ("data.i3", "model.i1", "model.i2", "model.i3")
SUBMITTED = AssessmentStatus.SUBMITTED
NOT_SUBMITTED = AssessmentStatus.NOT_SUBMITTED


def answers(data: str, model: str) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for area, text in (("data", data), ("model", model)):
        for n, value in enumerate(text.split(), start=1):
            values[f"{area}.i{n}"] = None if value == "-" else value
    return values


@dataclass
class Org:
    products: dict[str, Any]
    departments: dict[str, Any]
    rounds: dict[str, Any]
    v1: Any
    v2: Any


@pytest.fixture
def org(db: Any) -> Org:
    v1 = factories.make_version(areas=("data", "model"), per_area=3, na_items=NA_ITEMS)
    v2 = factories.make_version(
        version="2018.1", areas=("data", "model"), per_area=3, na_items=NA_ITEMS, na_policy="drop"
    )
    ads = factories.DepartmentFactory(slug="ads", name="Ads")
    ads_ml = factories.DepartmentFactory(slug="ads-ml", name="Ads ML", parent=ads)
    search = factories.DepartmentFactory(slug="search", name="Search")
    dept = {"p1": ads, "p2": ads, "p3": ads_ml, "p4": search, "p5": search, "p6": search}
    products = {
        slug: factories.ProductFactory(
            slug=slug, department=department, phase="poc" if slug == "p6" else "production"
        )
        for slug, department in dept.items()
    }
    r3 = factories.make_round(
        v2, label="2022-10", opens_on=dt.date(2022, 10, 1), status=RoundStatus.OPEN
    )
    r1 = factories.make_round(
        v1, label="2021-10", opens_on=dt.date(2021, 10, 1), status=RoundStatus.CLOSED
    )
    r2 = factories.make_round(
        v2, label="2022-04", opens_on=dt.date(2022, 4, 1), status=RoundStatus.CLOSED
    )
    r1_answers = {
        "p1": ("1 1 NA", ".5 .5 1"),
        "p2": ("0 0 0", "1 1 .5"),
        "p3": ("1 1 1", "NA NA NA"),
        "p4": ("- 1 1", "1 1 1"),
        "p5": ("1 .5 NA", "1 1 .5"),
    }
    r2_answers = {
        "p1": ("1 1 NA", "1 1 1"),
        "p2": ("- - -", "- - -"),
        "p3": (".5 .5 .5", ".5 .5 .5"),
        "p4": ("1 1 1", "1 1 1"),
        "p6": ("1 0 0", ".5 NA NA"),
    }
    for rnd, table in ((r1, r1_answers), (r2, r2_answers)):
        for slug, (data, model) in table.items():
            values = {
                k: (v.replace(".5", "0.5") if v else v) for k, v in answers(data, model).items()
            }
            status = NOT_SUBMITTED if None in values.values() else SUBMITTED
            factories.make_assessment(rnd, products[slug], values, status=status)
        factories.score_round(rnd)
    return Org(
        products=products,
        departments={"ads": ads, "ads-ml": ads_ml, "search": search},
        rounds={"2021-10": r1, "2022-04": r2, "2022-10": r3},
        v1=v1,
        v2=v2,
    )
