"""A respondent fills in, saves and submits an assessment in a real browser."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from surveys.models import Answer, AssessmentStatus
from surveys.questionnaires.services import questionnaire_load
from tests import factories

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ml-test-score-2017.json"
PASSWORD = "pw-for-tests-123"


@pytest.fixture
def setup(transactional_db: Any) -> Any:
    """The shipped 28-item questionnaire, an open round, a product with two members."""
    version, _ = questionnaire_load(
        data=json.loads(FIXTURE.read_text(encoding="utf-8")), publish=True
    )
    ana = factories.UserFactory(username="ana", first_name="Ana", last_name="Respondent")
    ben = factories.UserFactory(username="ben", first_name="Ben", last_name="Colleague")
    product = factories.ProductFactory(slug="ads-ctr", name="Ads CTR", members=[ana, ben])
    rnd = factories.make_round(version, label="2026-10")
    assessment = factories.make_assessment(rnd, product, status=AssessmentStatus.NOT_STARTED)
    return assessment, ana, ben


def log_in(page: Page, url: str, user: Any) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def item(page: Page, code: str) -> Any:
    return page.get_by_role("group", name=re.compile(rf"^{code} "))


def answer(page: Page, code: str, value: str, reason: str = "") -> None:
    group = item(page, code)
    group.get_by_label(value, exact=True).check()
    if reason:
        group.get_by_label(re.compile("Reason for N/A")).fill(reason)


def all_saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_have_text("All changes saved.")


def values(assessment: Any) -> dict[str, str | None]:
    return dict(Answer.objects.filter(assessment=assessment).values_list("item__code", "value"))


def test_answer_all_28_items_reload_and_submit(live_server: Any, page: Page, setup: Any) -> None:
    assessment, ana, _ = setup
    log_in(page, live_server.url, ana)
    row = page.get_by_role("row", name=re.compile("Ads CTR"))
    expect(row).to_contain_text("Not started")
    row.get_by_role("link", name="Fill in").click()
    expect(page).to_have_url(f"{live_server.url}/assessments/{assessment.pk}/")
    expect(page.locator(".panel-progress")).to_have_text("0 of 28 answered")
    expect(page.locator("[data-final]")).to_have_text("—")
    # D2 and M4 allow N/A; monitoring is the weak area.
    for code in [f"D{n}" for n in range(1, 8)] + [f"M{n}" for n in range(1, 8)]:
        if code in ("D2", "M4"):
            answer(page, code, "N/A", reason="No hand-made features in this model")
        else:
            answer(page, code, "1")
    for code in [f"I{n}" for n in range(1, 8)]:
        answer(page, code, "1")
    for code in [f"MON{n}" for n in range(1, 8)]:
        answer(page, code, "0.5")
    all_saved(page)
    expect(page.locator(".panel-progress")).to_have_text("28 of 28 answered")
    expect(page.locator("[data-final]")).to_have_text("3.50")
    expect(page.locator("[data-band]")).to_have_text("Strong automated testing (score 3–5)")
    expect(page.locator("tr.bottleneck")).to_contain_text("Monitoring")
    expect(page.locator("[data-area-progress='monitoring']").first).to_have_text("7 of 7 answered")
    # The score follows each answer.
    answer(page, "MON1", "1")
    all_saved(page)
    expect(page.locator("[data-final]")).to_have_text("4.00")

    page.reload()
    expect(page.locator("fieldset.item input[type=radio]:checked")).to_have_count(28)
    expect(item(page, "D2").get_by_label("N/A", exact=True)).to_be_checked()
    expect(item(page, "D2").get_by_label(re.compile("Reason for N/A"))).to_have_value(
        "No hand-made features in this model"
    )
    expect(item(page, "MON1").get_by_label("1", exact=True)).to_be_checked()
    stored = values(assessment)
    assert stored["D2"] == "NA" and stored["MON1"] == "1" and stored["MON2"] == "0.5"
    assert None not in stored.values()

    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("status").first).to_contain_text("Submitted.")
    expect(page.locator("#assessment-status")).to_have_text("Submitted")
    expect(page.locator("[data-band]")).to_have_text("Strong automated testing (score 3–5)")
    expect(page.locator("[data-meaning]")).to_contain_text("Strong levels of automated testing")
    assessment.refresh_from_db()
    assert (assessment.status, assessment.final_score) == (AssessmentStatus.SUBMITTED, 4.0)


def test_no_answer_is_lost_when_saving_fails(live_server: Any, page: Page, setup: Any) -> None:
    assessment, ana, _ = setup
    log_in(page, live_server.url, ana)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.route("**/items/**", lambda route: route.abort())
    answer(page, "D1", "0.5")
    expect(page.locator("#save-status")).to_contain_text("Saving failed; retrying")
    page.reload()  # the change lives in the browser's queue
    expect(item(page, "D1").get_by_label("0.5", exact=True)).to_be_checked()
    page.unroute("**/items/**")
    all_saved(page)
    assert values(assessment)["D1"] == "0.5"


def test_two_editors_never_overwrite_each_other(live_server: Any, browser: Any, setup: Any) -> None:
    assessment, ana, ben = setup
    ana_page = browser.new_context().new_page()
    ben_page = browser.new_context().new_page()
    for page, user in ((ana_page, ana), (ben_page, ben)):
        log_in(page, live_server.url, user)
        page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    answer(ana_page, "D1", "1")
    answer(ana_page, "D3", "0.5")
    all_saved(ana_page)
    # Ben loaded the page before Ana's saves.
    answer(ben_page, "D1", "0")
    conflict = item(ben_page, "D1").get_by_role("alert")
    expect(conflict).to_contain_text("Someone else changed this answer")
    expect(conflict.locator("[data-side=yours]")).to_have_text("0")
    expect(conflict.locator("[data-side=theirs]")).to_contain_text("1 — changed by Ana Respondent")
    assert values(assessment)["D1"] == "1"
    conflict.get_by_role("button", name="Overwrite with mine").click()
    all_saved(ben_page)
    assert values(assessment)["D1"] == "0"

    answer(ben_page, "D3", "1")
    conflict = item(ben_page, "D3").get_by_role("alert")
    expect(conflict).to_be_visible()
    conflict.get_by_role("button", name="Keep theirs").click()
    expect(item(ben_page, "D3").get_by_label("0.5", exact=True)).to_be_checked()
    assert values(assessment)["D3"] == "0.5"


def test_japanese_interface(live_server: Any, page: Page, setup: Any) -> None:
    _assessment, ana, _ = setup
    log_in(page, live_server.url, ana)
    page.get_by_label("Language").select_option("ja")
    expect(page.get_by_role("heading", name="担当プロダクト")).to_be_visible()
    page.get_by_role("link", name="回答する").click()
    expect(page.locator(".panel-progress")).to_have_text("0 / 28 件回答済み")
    group = item(page, "D1")
    expect(group.locator("legend")).to_contain_text("特徴量の想定がスキーマに記述されている")
    group.get_by_label("1", exact=True).check()
    expect(page.locator("#save-status")).to_have_text("すべての変更を保存しました。")
    expect(page.locator(".panel-progress")).to_have_text("1 / 28 件回答済み")
    expect(page.get_by_role("button", name="提出")).to_be_visible()


def test_without_javascript_the_page_is_a_form(live_server: Any, browser: Any, setup: Any) -> None:
    assessment, ana, _ = setup
    page = browser.new_context(java_script_enabled=False).new_page()
    log_in(page, live_server.url, ana)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    answer(page, "D1", "0.5")
    answer(page, "D2", "N/A", reason="End-to-end model")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Saved 2 answer(s).")
    expect(page.locator(".panel-progress")).to_have_text("2 of 28 answered")
    assert values(assessment)["D1"] == "0.5" and values(assessment)["D2"] == "NA"


def test_product_page_draws_the_history_chart(live_server: Any, page: Page, setup: Any) -> None:
    import datetime as dt

    from surveys.assessments.scores import assessments_score_store
    from surveys.models import RoundStatus

    assessment, ana, _ = setup
    old = factories.make_round(
        assessment.round.version,
        label="2026-04",
        opens_on=dt.date(2026, 4, 1),
        status=RoundStatus.CLOSED,
    )
    scored = factories.make_assessment(old, assessment.product, default="0.5", status="submitted")
    assessments_score_store(round=old, assessments=[scored], source="web")
    log_in(page, live_server.url, ana)
    page.get_by_role("link", name="Ads CTR").click()
    expect(page.get_by_role("heading", name="Ads CTR")).to_be_visible()
    expect(page.locator("#history-chart svg.main-svg").first).to_be_visible()
    table = page.locator(".history-table")
    expect(table.get_by_role("row", name=re.compile("2026-04"))).to_contain_text("3.50")
    expect(page.get_by_role("heading", name="Next steps")).to_be_visible()
