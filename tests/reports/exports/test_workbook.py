"""The workbook and the CSV of answers: sheets, styles, figures, permissions."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from reports.exports.workbook import SHEETS
from surveys.models import Answer
from tests import factories

pytestmark = pytest.mark.django_db
ANSWER_HEADER = ["round", "round_date", "product", "department", "phase", "item", "answer", "note"]


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def open_workbook(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content))


def sheet_rows(workbook: Any, name: str) -> list[list[Any]]:
    return [list(row) for row in workbook[name].iter_rows(values_only=True)]


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def calamine_rows(path: Any, name: str) -> list[list[Any]]:
    with CalamineWorkbook.from_path(str(path)) as workbook:
        return [list(row) for row in workbook.get_sheet_by_name(name).iter_rows()]


def test_the_command_writes_the_workbook(org: Any, tmp_path: Any) -> None:
    path = tmp_path / "report.xlsx"
    call_command("export_report", "--questionnaire", "mlts", "--format", "xlsx", "-o", str(path))
    workbook = openpyxl.load_workbook(path)
    # the workbook's sheet order; import_answers reads the sheet named Answers
    assert workbook.sheetnames == [
        "Summary",
        "Trend",
        "Cohort",
        "Areas",
        "Departments",
        "Items",
        "Products",
        "Initiatives",
        "Reviews",
        "Answers",
    ]
    assert workbook.active.title == "Summary"
    trend = sheet_rows(workbook, "Trend")
    assert trend[0][:8] == [
        "round",
        "date",
        "status",
        "version",
        "targeted",
        "scored",
        "response rate",
        "mean",
    ]
    assert [row[0] for row in trend[1:]] == ["2021-10", "2022-04", "2022-10"]
    first = dict(zip(trend[0], trend[1], strict=True))
    assert (first["targeted"], first["scored"], first["mean"], first["median"]) == (
        5,
        4,
        1.8125,
        2.125,
    )
    assert first["band (2,3]"] == 2
    cohort = sheet_rows(workbook, "Cohort")
    assert cohort[2][:5] == ["2022-04", "2021-10", 2, 1.75, 1.75]
    areas = sheet_rows(workbook, "Areas")
    assert areas[1][:3] == ["2021-10", 2.0625, 2.3333]


def test_sheets_have_styled_frozen_headers_and_number_formats(org: Any, tmp_path: Any) -> None:
    path = tmp_path / "report.xlsx"
    call_command("export_report", "--questionnaire", "mlts", "--format", "xlsx", "-o", str(path))
    workbook = openpyxl.load_workbook(path)
    for name in [name for name in SHEETS if name != "Summary"]:
        sheet = workbook[name]
        assert sheet.freeze_panes == "B2", name
        assert sheet["A1"].font.bold, name
        assert sheet.column_dimensions["A"].width >= 8, name
    trend = workbook["Trend"]
    assert trend["H2"].number_format == "0.00"  # mean
    assert trend["G2"].number_format == "0.0%"  # response rate


def test_departments_products_and_items_sheets(org: Any, tmp_path: Any) -> None:
    path = tmp_path / "report.xlsx"
    call_command("export_report", "--questionnaire", "mlts", "--format", "xlsx", "-o", str(path))
    workbook = openpyxl.load_workbook(path)
    departments = sheet_rows(workbook, "Departments")
    ads = next(r for r in departments if r[0] == "2021-10" and r[1] == "Ads")
    header = departments[0]
    assert dict(zip(header, ads, strict=True))["mean"] == 1.6667
    products = {
        r[0]: dict(zip(sheet_rows(workbook, "Products")[0], r, strict=True))
        for r in sheet_rows(workbook, "Products")[1:]
    }
    # p5 was last scored in 2021-10 (2.25), p1 in 2022-04 (2.0); p2 only in 2021-10
    assert products["p5"]["round"] == "2021-10" and products["p5"]["final"] == 2.25
    assert products["p1"]["round"] == "2022-04" and products["p1"]["final"] == 2.0
    assert products["p2"]["band"] == "Research project (score 0)"
    assert products["p2"]["phase"] == "Production"
    items = sheet_rows(workbook, "Items")
    d1 = next(r for r in items if r[0] == "2021-10" and r[1] == "data.i1")
    assert dict(zip(items[0], d1, strict=True))["share 0"] == 0.25


def test_the_answers_sheet_is_the_long_format(org: Any, tmp_path: Any) -> None:
    Answer.objects.filter(
        assessment__product__slug="p1", assessment__round__label="2021-10", item__key="data.i3"
    ).update(note="image model: no hand-made features")
    path = tmp_path / "report.xlsx"
    call_command(
        "export_report",
        *("--questionnaire", "mlts", "--format", "xlsx", "--answers-round", "2021-10"),
        *("-o", str(path)),
    )
    workbook = openpyxl.load_workbook(path)
    rows = sheet_rows(workbook, "Answers")
    assert rows[0] == [*ANSWER_HEADER, "product name", "item code", "item title"]
    # the round asked for only: 5 assessments × 6 answers
    assert len(rows) == 1 + 30 and {r[0] for r in rows[1:]} == {"2021-10"}
    summary = {r[0]: r[1] for r in sheet_rows(workbook, "Summary")}
    assert summary["Answers and Reviews sheets"] == "round 2021-10"
    p1 = [r for r in rows if r[0] == "2021-10" and r[2] == "p1"]
    assert [r[5] for r in p1] == [f"{a}.i{n}" for a in ("data", "model") for n in (1, 2, 3)]
    assert [r[6] for r in p1] == [1, 1, "NA", 0.5, 0.5, 1]
    assert p1[2][7] == "image model: no hand-made features"
    assert p1[0][1].date().isoformat() == "2021-10-01"
    assert p1[0][3:5] == ["Ads", "production"]
    # an unanswered item stays empty
    p4 = [r for r in rows if r[0] == "2021-10" and r[2] == "p4"]
    assert p4[0][6] is None
    # names beside the keys: product name, item code and title
    assert p1[0][8:] == ["P1", "D1", "data practice 1"]


def test_answers_sheet_text_is_kept_as_typed(org: Any, tmp_path: Any) -> None:
    """Markup characters, surrounding spaces, line breaks and control characters come
    back as they were (control characters and carriage returns are stored as Excel's
    ``_x0007_`` escapes, which Excel and python-calamine decode and openpyxl does not)."""
    Answer.objects.filter(
        assessment__product__slug="p4", assessment__round__label="2022-04", item__key="data.i1"
    ).update(note="  a < b & c > d\r\nnext line\x07 ")
    path = tmp_path / "report.xlsx"
    call_command("export_report", "--questionnaire", "mlts", "--format", "xlsx", "-o", str(path))
    rows = calamine_rows(path, "Answers")
    p4 = next(r for r in rows if r[2] == "p4" and r[5] == "data.i1")
    assert p4[7] == "  a < b & c > d\r\nnext line\x07 "


def test_the_answers_sheet_holds_the_latest_round_with_assessments(org: Any, tmp_path: Any) -> None:
    path = tmp_path / "report.xlsx"
    call_command("export_report", "--questionnaire", "mlts", "--format", "xlsx", "-o", str(path))
    workbook = openpyxl.load_workbook(path)
    # 2022-10 opens last but has no assessment: the Answers sheet holds 2022-04
    rows = sheet_rows(workbook, "Answers")[1:]
    assert {r[0] for r in rows} == {"2022-04"} and len(rows) == 30
    summary = {r[0]: r[1] for r in sheet_rows(workbook, "Summary")}
    assert summary["Answers and Reviews sheets"] == "round 2022-04"
    # the Reviews sheet: the same round's scored assessments (p1, p3, p4, p6)
    assert [r[0] for r in sheet_rows(workbook, "Reviews")[1:]] == ["2022-04"] * 4
    assert "CSV" in summary["All answers"] and "every round" in summary["All answers"]
    # every other sheet keeps every round
    assert [r[0] for r in sheet_rows(workbook, "Trend")[1:]] == ["2021-10", "2022-04", "2022-10"]
    assert {r[0] for r in sheet_rows(workbook, "Items")[1:]} >= {"2021-10", "2022-04"}


def test_an_unknown_answers_round_is_a_clear_error(org: Any, tmp_path: Any) -> None:
    path = tmp_path / "report.xlsx"
    known = r"No round '2030-01'.*Rounds: 2021-10, 2022-04, 2022-10"
    with pytest.raises(CommandError, match=known):
        call_command(
            "export_report",
            *("--questionnaire", "mlts", "--format", "xlsx", "--answers-round", "2030-01"),
            *("-o", str(path)),
        )
    assert not path.exists()


def test_the_download_takes_the_round_of_the_answers_sheet(org: Any, cast: Any) -> None:
    client = client_for(cast.manager)
    response = client.get("/reports/export.xlsx", {"round": "2021-10"})
    assert response.status_code == 200
    answers = sheet_rows(open_workbook(response.content), "Answers")[1:]
    assert {r[0] for r in answers} == {"2021-10"} and len(answers) == 30
    response = client.get("/reports/export.xlsx", {"round": "2030-01"})
    assert response.status_code == 400
    assert "No round '2030-01'" in response.content.decode()


def test_the_reports_page_says_where_every_round_s_answers_are(org: Any, cast: Any) -> None:
    text = client_for(cast.manager).get("/reports/").content.decode()
    assert "The CSV holds the answers of every round." in text


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_managers_download_the_whole_workbook(org: Any, cast: Any, who: str) -> None:
    response = client_for(getattr(cast, who)).get("/reports/export.xlsx")
    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="mlts-report-all-{today}.xlsx"'
    workbook = open_workbook(response.content)
    assert workbook.sheetnames == list(SHEETS)
    products = [r[0] for r in sheet_rows(workbook, "Products")[1:]]
    assert products == ["p1", "p2", "p3", "p4", "p5", "p6"]  # in slug order


@pytest.mark.parametrize("who", ["member", "other_member"])
def test_respondents_download_their_departments_and_their_products(
    org: Any, cast: Any, who: str
) -> None:
    user = getattr(cast, who)
    org.products["p6"].members.add(user)  # search
    workbook = open_workbook(client_for(user).get("/reports/export.xlsx").content)
    # aggregates of their departments, but the rows of their own products only
    assert {r[0] for r in sheet_rows(workbook, "Products")[1:]} == {"p6"}
    answers = sheet_rows(workbook, "Answers")[1:]
    assert {r[2] for r in answers} == {"p6"}
    departments = {r[1] for r in sheet_rows(workbook, "Departments")[1:]}
    assert departments == {"Search"}


def test_anonymous_visitors_download_nothing(org: Any) -> None:
    for url in ("/reports/export.xlsx", "/reports/answers.csv"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_csv_of_answers(org: Any, cast: Any) -> None:
    response = client_for(cast.manager).get("/reports/answers.csv", {"phase": "poc"})
    assert response.status_code == 200
    raw = b"".join(response.streaming_content)
    # UTF-8 with a byte-order mark, so Excel reads Japanese text right
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [*ANSWER_HEADER, "product_name", "item_code", "item_title"]
    assert rows[1] == [
        *("2022-04", "2022-04-01", "p6", "Search", "poc", "data.i1", "1", ""),
        *("P6", "D1", "data practice 1"),
    ]
    assert len(rows) == 1 + 6


def test_the_csv_holds_every_round(org: Any, cast: Any) -> None:
    # whatever round the page shows, the CSV streams the answers of every round
    for params in ({}, {"round": "2021-10"}):
        response = client_for(cast.manager).get("/reports/answers.csv", params)
        rows = csv_rows(response)
        assert [r[0] for r in rows[1:]] == ["2021-10"] * 30 + ["2022-04"] * 30


def test_a_respondent_csv_holds_only_their_departments(org: Any) -> None:
    member = factories.UserFactory(username="ads-ml-member")
    org.products["p3"].members.add(member)
    response = client_for(member).get("/reports/answers.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert {row[2] for row in list(csv.reader(io.StringIO(text)))[1:]} == {"p3"}
