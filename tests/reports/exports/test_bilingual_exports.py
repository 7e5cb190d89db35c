"""exports in the reader's language, named for what they hold,
with a Summary sheet naming the filters and charts for slides."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from surveys.models import Area

pytestmark = pytest.mark.django_db


def manager(cast: Any, lang: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(cast.manager)
    return client


@pytest.fixture
def japanese_titles(org: Any) -> None:
    Area.objects.filter(key="data").update(
        title={"en": "Features and data", "ja": "特徴量とデータ"}
    )
    Area.objects.filter(key="model").update(title={"en": "Model development", "ja": "モデル開発"})


def test_file_names_say_questionnaire_scope_filters_and_date(org: Any, cast: Any) -> None:
    today = timezone.localdate().isoformat()
    response = manager(cast).get(
        "/reports/export.xlsx", {"department": "ads", "phase": "production", "round": "2021-10"}
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="mlts-report-ads-production-round-2021-10-{today}.xlsx"'
    )
    response = manager(cast).get("/reports/answers.csv", {"department": "search"})
    assert response["Content-Disposition"] == (
        f'attachment; filename="mlts-answers-search-{today}.csv"'
    )


def test_the_summary_names_the_filters_and_trend_sheets_hold_charts(
    org: Any, cast: Any, japanese_titles: None
) -> None:
    response = manager(cast).get(
        "/reports/export.xlsx", {"department": "ads", "phase": "production"}
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True) if row}
    assert summary["Department"] == "Ads"
    assert summary["Phase"] == "Production"
    assert summary["Round"] == "Latest"
    assert "2022-10" in summary["Provisional"]  # the open round is named as provisional
    assert len(workbook["Trend"]._charts) == 2  # final score line, bands stacked bars
    assert len(workbook["Areas"]._charts) == 1
    # no formula anywhere: charts refer to the written cells
    for ws in workbook.worksheets:
        for row in ws.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and v.startswith("=") for v in row)
    areas = [c.value for c in next(workbook["Areas"].iter_rows(max_row=1))]
    assert areas[:3] == ["round", "Features and data", "Model development"]


def test_a_japanese_reader_gets_japanese_sheets_headers_and_names(
    org: Any, cast: Any, japanese_titles: None
) -> None:
    response = manager(cast, "ja").get("/reports/export.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:4] == ["概要", "推移", "コホート", "領域"]
    assert workbook.sheetnames[-1] == "Answers"  # import_answers reads it back
    areas = [c.value for c in next(workbook["領域"].iter_rows(max_row=1))]
    assert areas[:3] == ["ラウンド", "特徴量とデータ", "モデル開発"]
    items = [c.value for c in next(workbook["項目"].iter_rows(max_row=1))]
    assert "タイトル" in items
    first_item = next(workbook["項目"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert first_item[3] == "data 実践 1" and first_item[4] == "特徴量とデータ"


def test_the_csv_is_utf8_with_bom_and_names_in_the_reader_s_language(org: Any, cast: Any) -> None:
    response = manager(cast, "ja").get("/reports/answers.csv")
    raw = b"".join(response.streaming_content)
    assert raw[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1][-3:] == ["P1", "D1", "data 実践 1"]
