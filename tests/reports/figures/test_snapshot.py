"""The snapshot of a closed round: its trend row and its breakdowns, stored when it closes."""

from __future__ import annotations

from typing import Any

import pytest

from reports.figures.services import round_report_store
from reports.figures.trend import trend_document
from surveys.models import RoundReport

pytestmark = pytest.mark.django_db


def test_the_snapshot_holds_the_rounds_row_of_the_trend(org: Any) -> None:
    report = round_report_store(round=org.rounds["2021-10"])
    row = report.data
    fresh = trend_document(questionnaire="mlts")["rounds"][0]
    assert {k: row[k] for k in fresh if k != "cohort"} == {
        k: v for k, v in fresh.items() if k != "cohort"
    }
    assert row["response_rate"] == 0.8
    assert row["submitted"] == 4


def test_departments_include_their_sub_departments(org: Any) -> None:
    data = round_report_store(round=org.rounds["2021-10"]).data
    ads, ads_ml, search = (org.departments[s].pk for s in ("ads", "ads-ml", "search"))
    departments = data["departments"]
    # ads holds p1 (2.0), p2 (0.0) and, through ads-ml, p3 (3.0)
    assert departments[str(ads)]["targeted"] == 3
    assert departments[str(ads)]["final"]["mean"] == 1.6667
    assert departments[str(ads_ml)]["final"]["mean"] == 3.0
    # search holds p4 (unscored) and p5 (2.25)
    assert (departments[str(search)]["targeted"], departments[str(search)]["scored"]) == (2, 1)
    assert departments[str(search)]["response_rate"] == 0.5


def test_phases_are_broken_down(org: Any) -> None:
    data = round_report_store(round=org.rounds["2022-04"]).data
    assert data["phases"]["poc"]["final"]["mean"] == 0.5
    assert data["phases"]["production"]["scored"] == 3
    assert data["phases"]["production"]["final"]["mean"] == 2.1667


def test_items_count_the_scored_answers(org: Any) -> None:
    items = {
        row["key"]: row for row in round_report_store(round=org.rounds["2021-10"]).data["items"]
    }
    assert [key for key in items] == [f"{a}.i{n}" for a in ("data", "model") for n in (1, 2, 3)]
    # data.i1: p1 1, p2 0, p3 1, p5 1 (p4 is not scored)
    assert items["data.i1"]["counts"] == {"0": 1, "0.5": 0, "1": 3, "NA": 0}
    assert items["data.i1"]["shares"] == {"0": 0.25, "0.5": 0.0, "1": 0.75, "NA": 0.0}
    # model.i1: p1 0.5, p2 1, p3 N/A, p5 1: the mean leaves N/A out
    assert items["model.i1"]["mean"] == 0.8333


def test_storing_twice_keeps_one_report(org: Any) -> None:
    round_report_store(round=org.rounds["2021-10"])
    round_report_store(round=org.rounds["2021-10"])
    assert RoundReport.objects.filter(round=org.rounds["2021-10"]).count() == 1
