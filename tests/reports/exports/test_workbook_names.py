"""The workbook names things, never keys (DESIGN §5): the questionnaire by title, round
statuses and phases by name, bands by the rubric's short name, and in Japanese the
Reviews sheet too. (The Answers sheet keeps DESIGN §6.2's columns: programs read it.)"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client

from surveys.models import Profile

pytestmark = pytest.mark.django_db


def _workbook(user: Any, language: str = "en") -> Any:
    Profile.objects.update_or_create(user=user, defaults={"language": language})
    client = Client()
    client.force_login(user)
    response = client.get("/reports/export.xlsx")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _rows(workbook: Any, name: str) -> list[list[Any]]:
    return [list(row) for row in workbook[name].iter_rows(values_only=True)]


def test_the_english_workbook_names_things(org: Any, cast: Any) -> None:
    workbook = _workbook(cast.manager)
    summary = _rows(workbook, "Summary")
    assert summary[0][0] == "Trend report: ML Test Score"
    trend = _rows(workbook, "Trend")
    assert {row[2] for row in trend[1:]} <= {"Closed", "Open", "Scheduled"}
    bands = [row[0] for row in summary if row[0] and "(score" in str(row[0])]
    assert bands[0] == "Research project (score 0)" and len(bands) == 6
    products = _rows(workbook, "Products")
    assert {row[products[0].index("phase")] for row in products[1:]} <= {
        "Proof of concept", "Validation", "Production",
    }  # fmt: skip


def test_the_japanese_workbook_names_its_reviews_sheet_in_japanese(org: Any, cast: Any) -> None:
    workbook = _workbook(cast.manager, "ja")
    assert "Reviews" not in workbook.sheetnames and "レビュー" in workbook.sheetnames
    header = _rows(workbook, "レビュー")[0]
    assert "round" not in header and "product" not in header
    assert _rows(workbook, "概要")[0][0].startswith("推移レポート: ML テストスコア")
    assert "Answers" in workbook.sheetnames  # read back by import_answers (DESIGN §6.2)


def test_the_workbook_says_when_in_the_readers_zone(org: Any, cast: Any) -> None:
    Profile.objects.update_or_create(user=cast.manager, defaults={"time_zone": "Asia/Tokyo"})
    summary = _rows(_workbook(cast.manager), "Summary")
    generated = next(row[1] for row in summary if row[0] == "Generated")
    assert generated.endswith(" JST") and len(generated) == len("2026-12-06 11:20 JST")
