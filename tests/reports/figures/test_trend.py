"""The trend report (DESIGN §5, §6.4) against figures computed by hand (see conftest.py)."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from reports.figures.trend import trend_document
from surveys.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

NO_BANDS = {"0": 0, "(0,1]": 0, "(1,2]": 0, "(2,3]": 0, "(3,5]": 0, ">5": 0}

R1 = {
    "label": "2021-10",
    "date": "2021-10-01",
    "status": "closed",
    "version": "mlts@2017.1",
    "targeted": 5,
    "scored": 4,
    # finals 2.0, 0.0, 3.0, 2.25 (p4 is unscored)
    "final": {"mean": 1.8125, "median": 2.125, "p25": 1.5, "p75": 2.4375},
    # data: (3 + 0 + 3 + 2.25) / 4; model: p3 has no model score, (2 + 2.5 + 2.5) / 3
    "areas": {"data": 2.0625, "model": 2.3333},
    "bands": {**NO_BANDS, "0": 1, "(1,2]": 1, "(2,3]": 2},
    "meeting_target": 3,
    "cohort": {"scored": 4, "mean": 1.8125, "median": 2.125},
}
R2 = {
    "label": "2022-04",
    "date": "2022-04-01",
    "status": "closed",
    "version": "mlts@2018.1",
    "targeted": 5,
    "scored": 4,
    # finals 2.0, 1.5, 3.0, 0.5 (drop: N/A earns nothing)
    "final": {"mean": 1.75, "median": 1.75, "p25": 1.25, "p75": 2.25},
    "areas": {"data": 1.875, "model": 2.0},
    "bands": {**NO_BANDS, "(0,1]": 1, "(1,2]": 2, "(2,3]": 1},
    "meeting_target": 2,
    # the cohort of 2021-10 is p1, p2, p3, p5; p1 (2.0) and p3 (1.5) are scored here
    "cohort": {"scored": 2, "mean": 1.75, "median": 1.75},
}
R3 = {
    "label": "2022-10",
    "date": "2022-10-01",
    "status": "open",
    "version": "mlts@2018.1",
    "targeted": 0,
    "scored": 0,
    "final": {"mean": None, "median": None, "p25": None, "p75": None},
    "areas": {"data": None, "model": None},
    "bands": NO_BANDS,
    "meeting_target": 0,
    "cohort": {"scored": 0, "mean": None, "median": None},
}
EXPECTED = {"questionnaire": "mlts", "target": 2.0, "baseline": "2021-10", "rounds": [R1, R2, R3]}


def export(*args: str) -> Any:
    out = StringIO()
    call_command("export_report", "--questionnaire", "mlts", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_document_matches_the_hand_computed_figures(org: Any) -> None:
    assert trend_document(questionnaire="mlts") == EXPECTED


def test_keys_come_in_the_order_of_the_design(org: Any) -> None:
    document = trend_document(questionnaire="mlts")
    assert list(document) == ["questionnaire", "target", "baseline", "rounds"]
    assert list(document["rounds"][0]) == list(R1)
    assert list(document["rounds"][0]["bands"]) == ["0", "(0,1]", "(1,2]", "(2,3]", "(3,5]", ">5"]
    assert list(document["rounds"][0]["final"]) == ["mean", "median", "p25", "p75"]
    assert list(document["rounds"][0]["areas"]) == ["data", "model"]


def test_the_command_prints_the_same_document(org: Any) -> None:
    assert export() == EXPECTED


def test_the_command_writes_a_file(org: Any, tmp_path: Any) -> None:
    target = tmp_path / "trend.json"
    call_command("export_report", "--questionnaire", "mlts", "--format", "json", "-o", str(target))
    assert json.loads(target.read_text()) == EXPECTED


def test_a_later_baseline_changes_only_the_cohort(org: Any) -> None:
    document = export("--baseline", "2022-04")
    assert document["baseline"] == "2022-04"
    # the cohort of 2022-04 is p1, p3, p4, p6; in 2021-10 p1 (2.0) and p3 (3.0) are scored
    assert [r["cohort"] for r in document["rounds"]] == [
        {"scored": 2, "mean": 2.5, "median": 2.5},
        {"scored": 4, "mean": 1.75, "median": 1.75},
        {"scored": 0, "mean": None, "median": None},
    ]
    assert [r["final"] for r in document["rounds"]] == [r["final"] for r in EXPECTED["rounds"]]


def test_the_target_counts_finals_at_or_above_it(org: Any) -> None:
    document = export("--target", "2.25")
    assert document["target"] == 2.25
    # 2021-10: 3.0 and 2.25 (the edge counts); 2022-04: 3.0
    assert [r["meeting_target"] for r in document["rounds"]] == [2, 1, 0]


def test_band_edges_are_upper_inclusive(org: Any) -> None:
    bands = trend_document(questionnaire="mlts")["rounds"][0]["bands"]
    # 0.0 is band "0", 2.0 belongs to (1,2], 2.25 and 3.0 to (2,3]
    assert bands == {"0": 1, "(0,1]": 0, "(1,2]": 1, "(2,3]": 2, "(3,5]": 0, ">5": 0}


@override_settings(SCORE_TARGET=3.0)
def test_the_default_target_comes_from_the_settings(org: Any) -> None:
    document = trend_document(questionnaire="mlts")
    assert document["target"] == 3.0
    assert [r["meeting_target"] for r in document["rounds"]] == [1, 1, 0]


def test_no_rounds_gives_a_null_baseline(db: Any) -> None:
    from tests.factories import make_version

    make_version(key="empty")
    assert trend_document(questionnaire="empty") == {
        "questionnaire": "empty",
        "target": 2.0,
        "baseline": None,
        "rounds": [],
    }


def test_unknown_questionnaire_or_baseline_is_a_clear_error(org: Any) -> None:
    with pytest.raises(CommandError, match="Unknown questionnaire 'nope'"):
        export_other = StringIO()
        call_command(
            "export_report", "--questionnaire", "nope", "--format", "json", stdout=export_other
        )
    with pytest.raises(CommandError, match="Unknown baseline round '1999-01'"):
        export("--baseline", "1999-01")
    with pytest.raises(ApplicationError):
        trend_document(questionnaire="mlts", target=float("nan"))


def test_the_figures_take_a_few_queries_whatever_the_size(
    org: Any, django_assert_max_num_queries: Any
) -> None:
    # questionnaire, rounds, areas, round reports; the stamp of each round counted from
    # stored scores (here all three: none has a built report); per round, phase and value:
    # finals, verified finals, area scores, verified area scores; the cohort's finals.
    with django_assert_max_num_queries(12):
        trend_document(questionnaire="mlts")


@override_settings(SCORE_TARGETS_BY_PHASE={"poc": 0.5})
def test_per_phase_targets_override_the_default_unless_a_target_is_asked(org: Any) -> None:
    # 2022-04: p6 (poc) scores 0.5 and meets the poc target; p1 (2.0) and p4 (3.0) meet 2.0
    assert trend_document(questionnaire="mlts")["rounds"][1]["meeting_target"] == 3
    assert trend_document(questionnaire="mlts", target=2.0)["rounds"][1]["meeting_target"] == 2
