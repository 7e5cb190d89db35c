"""A manager opens the trend report in a real browser and takes the workbook away."""

from __future__ import annotations

import datetime as dt
from typing import Any

import openpyxl
from playwright.sync_api import expect

from reports.exports.workbook import SHEETS
from surveys.models import AssessmentStatus, RoundStatus
from tests import factories


def build_rounds() -> None:
    version = factories.make_version(areas=("data", "model"), per_area=3)
    products = [factories.ProductFactory(slug=f"product-{n}") for n in range(3)]
    for label, opens_on, value in (
        ("2025-10", dt.date(2025, 10, 1), "0.5"),
        ("2026-04", dt.date(2026, 4, 1), "1"),
    ):
        rnd = factories.make_round(
            version, label=label, opens_on=opens_on, status=RoundStatus.CLOSED
        )
        for product in products:
            factories.make_assessment(
                rnd, product, default=value, status=AssessmentStatus.SUBMITTED
            )
        factories.score_round(rnd)


def test_a_manager_reads_the_trend_and_downloads_the_workbook(
    live_server: Any, page: Any, login: Any, transactional_db: Any, tmp_path: Any
) -> None:
    build_rounds()
    manager = factories.manager_user(username="mia")
    login(manager)
    page.get_by_role("link", name="Reports").first.click()
    expect(page.get_by_role("heading", name="Final score: all products and cohort")).to_be_visible()

    chart = page.locator("#chart-trend.js-plotly-plot")
    expect(chart).to_be_visible()
    traces = page.evaluate("document.getElementById('chart-trend').data.map(t => t.name)")
    assert "Mean, all products" in traces
    mean = page.evaluate(
        "document.getElementById('chart-trend').data.find(t => t.name === 'Mean, all products').y"
    )
    assert mean == [1.5, 3.0]
    expect(chart.locator(".scatterlayer .trace").first).to_be_attached()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download workbook (Excel)").click()
    path = tmp_path / "report.xlsx"
    download_info.value.save_as(path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == list(SHEETS)
    assert workbook.active.title == "Summary"
    trend = list(workbook["Trend"].iter_rows(values_only=True))
    assert [row[0] for row in trend[1:]] == ["2025-10", "2026-04"]
