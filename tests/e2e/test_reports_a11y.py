"""axe-core finds no violation on any report page, and a
Japanese manager reads Japanese names on the trend page and in the downloaded workbook.

axe-core is vendored for the tests (tests/e2e/vendor/axe.min.js) and injected into the
page, so the check runs with no network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import expect

from surveys.models import Area, Profile
from tests import factories

from .test_reports import build_rounds

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
PAGES = [
    "/reports/",
    "/reports/departments/",
    "/reports/phases/",
    "/reports/items/",
    "/reports/scorecard/",
    "/reports/bottlenecks/",
]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    # Evaluated through DevTools: the page's Content-Security-Policy allows no inline script.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    result = page.evaluate(
        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }"
    )
    return list(result)


@pytest.fixture
def reports_data(transactional_db: Any) -> Any:
    build_rounds()
    department = factories.DepartmentFactory(slug="ads", name="Ads")
    from surveys.models import Product

    Product.objects.update(department=department)
    return department


def test_no_accessibility_violation_on_any_report_page(
    live_server: Any, page: Any, login: Any, reports_data: Any
) -> None:
    login(factories.manager_user(username="mia"))
    found = {}
    for url in [*PAGES, "/reports/departments/?department=ads"]:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        if "/scorecard/" not in url:
            expect(page.locator(".js-plotly-plot").first).to_be_visible()
        violations = axe_violations(page)
        if violations:
            found[url] = violations
    assert not found, json.dumps(found, indent=1)


def test_a_japanese_manager_reads_japanese_names_on_the_trend_and_in_the_workbook(
    live_server: Any, browser: Any, reports_data: Any, tmp_path: Any
) -> None:
    Area.objects.filter(key="data").update(
        title={"en": "Features and data", "ja": "特徴量とデータ"}
    )
    Area.objects.filter(key="model").update(title={"en": "Model development", "ja": "モデル開発"})
    manager = factories.manager_user(username="haruto")
    Profile.objects.update_or_create(user=manager, defaults={"language": "ja"})
    context = browser.new_context(locale="ja-JP", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill("haruto")
    page.locator("input[name=password]").fill("pw-for-tests-123")
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/reports/")
    chart = page.locator("#chart-areas.js-plotly-plot")
    expect(chart).to_be_visible()
    names = page.evaluate("document.getElementById('chart-areas').data.map(t => t.name)")
    assert "特徴量とデータ" in names and "モデル開発" in names
    # the legend on screen reads the Japanese names, never the keys
    expect(chart.locator(".legend")).to_contain_text("特徴量とデータ")
    expect(page.locator("#chart-areas-caption")).to_be_attached()
    with page.expect_download() as download_info:
        page.locator("a[href^='/reports/export.xlsx']").click()
    download = download_info.value
    assert download.suggested_filename.startswith("mlts-report-all-")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[0] == "概要"
    header = [c.value for c in next(workbook["領域"].iter_rows(max_row=1))]
    assert header[:3] == ["ラウンド", "特徴量とデータ", "モデル開発"]
    context.close()
