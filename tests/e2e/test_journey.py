"""The everyday journey without traps: keyboard, submitting, carried answers,
verified explained — what a person does, in a real browser."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from surveys.assessments.services import assessment_submit
from surveys.models import Answer, AnswerRevision, Assessment, AssessmentStatus, RoundStatus
from surveys.questionnaires.services import questionnaire_load
from surveys.rounds.services import round_open
from tests import factories
from tests.e2e.test_survey import all_saved, item, log_in

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ml-test-score-2017.json"


@pytest.fixture
def world(transactional_db: Any) -> Any:
    version, _ = questionnaire_load(
        data=json.loads(FIXTURE.read_text(encoding="utf-8")), publish=True
    )
    ana = factories.UserFactory(username="ana", first_name="Ana", last_name="Respondent")
    product = factories.ProductFactory(slug="ads-ctr", name="Ads CTR", members=[ana])
    return version, ana, product


def _open_round(version: Any) -> Any:
    return factories.make_round(version, label="2026-10", opens_on=dt.date(2026, 10, 1))


def test_arrow_keys_that_end_where_they_started_change_nothing(
    live_server: Any, page: Page, world: Any
) -> None:
    version, ana, product = world
    assessment = factories.make_assessment(_open_round(version), product, default="0.5")
    assessment_submit(assessment=assessment, by=ana)
    log_in(page, live_server.url, ana)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    expect(page.locator("#assessment-status")).to_have_text("Submitted")
    choice = item(page, "D1").get_by_label("0.5", exact=True)
    choice.focus()
    page.keyboard.press("ArrowDown")
    expect(item(page, "D1").get_by_label("1", exact=True)).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(choice).to_be_checked()
    all_saved(page)
    expect(page.locator("#assessment-status")).to_have_text("Submitted")
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert not AnswerRevision.objects.filter(answer__assessment=assessment).exists()

    # One deliberate change is one revision; the submission stands (DESIGN §2), and the
    # page says the change is not submitted yet.
    choice.focus()
    page.keyboard.press("ArrowDown")
    all_saved(page)
    expect(page.locator("#assessment-status")).to_have_text("Submitted")
    expect(page.get_by_text("1 answer changed since the last submission.")).to_be_visible()
    assert AnswerRevision.objects.filter(answer__assessment=assessment).count() == 1
    page.reload()
    expect(item(page, "D1").get_by_text("History (1 change)")).to_be_visible()

    # Discarding goes back to the submission.
    page.get_by_role("button", name="Discard changes").click()
    expect(
        page.get_by_text("Discarded 1 change: the answers are as last submitted.")
    ).to_be_visible()
    expect(item(page, "D1").get_by_label("0.5", exact=True)).to_be_checked()
    expect(page.get_by_text("1 answer changed since the last submission.")).to_be_hidden()


def test_the_whole_assessment_by_keyboard_alone(live_server: Any, page: Page, world: Any) -> None:
    """Tab to each item, choose with the arrow keys, Tab to Submit and press Enter."""
    version, ana, product = world
    assessment = factories.make_assessment(
        _open_round(version), product, status=AssessmentStatus.NOT_STARTED
    )
    log_in(page, live_server.url, ana)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    chosen: set[str] = set()
    for _ in range(600):
        page.keyboard.press("Tab")
        focus = page.evaluate(
            """() => { const e = document.activeElement;
                const fs = e && e.closest('fieldset[data-item]');
                return {type: e.type || '', id: e.id, code: fs ? fs.dataset.code : ''}; }"""
        )
        if focus["type"] == "radio" and focus["code"] not in chosen:
            page.keyboard.press("Space")  # 0
            page.keyboard.press("ArrowDown")  # 0.5
            page.keyboard.press("ArrowDown")  # 1: where the person stops
            chosen.add(focus["code"])
        if focus["id"] == "submit-button":
            break
    assert len(chosen) == 28
    # Submit waits for the saves still queued in the browser, then posts.
    page.keyboard.press("Enter")
    receipt = page.locator("#receipt")
    expect(receipt).to_contain_text("Submitted on", timeout=60_000)
    expect(receipt.locator("[data-receipt-score]")).to_have_text("7.00")
    expect(receipt.locator("[data-receipt-band]")).to_have_text(
        "Exceptional automated testing (score > 5)"
    )
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert set(Answer.objects.filter(assessment=assessment).values_list("value", flat=True)) == {
        "1"
    }
    # Passing over 0 and 0.5 on the way to 1 is one change per item, not three.
    assert AnswerRevision.objects.filter(answer__assessment=assessment).count() == 28
    receipt.get_by_role("link", name="Printable view of the whole assessment").click()
    expect(page.get_by_role("heading", name="Ads CTR · Round 2026-10")).to_be_visible()
    expect(page.locator("section.print-area")).to_have_count(4)
    expect(page.get_by_role("row", name=re.compile("^D1 "))).to_contain_text("1")


def test_submitting_names_each_missing_item_and_a_choice_can_be_cleared(
    live_server: Any, page: Page, world: Any
) -> None:
    version, ana, product = world
    rnd = _open_round(version)
    assessment = factories.make_assessment(rnd, product, {"data.feature_cost": None}, default="1")
    log_in(page, live_server.url, ana)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".messages")).to_contain_text("1 item is still unanswered")
    missing = page.locator("[data-unanswered]")
    expect(missing.get_by_role("link")).to_have_count(1)
    expect(missing.get_by_role("link")).to_have_text(re.compile("^D3 "))
    d3 = item(page, "D3")
    expect(page.locator("[data-next-unanswered]")).to_have_attribute(
        "href", f"#{d3.get_attribute('id')}"
    )
    missing.get_by_role("link").click()
    expect(page).to_have_url(re.compile(f"#{d3.get_attribute('id')}$"))

    # Clear D1's choice: it is unanswered again, in the list and in the database.
    item(page, "D1").get_by_role("button", name="Clear choice").click()
    all_saved(page)
    expect(missing.get_by_role("link")).to_have_count(2)
    expect(missing.get_by_role("link").first).to_have_text(re.compile("^D1 "))
    assert Answer.objects.get(assessment=assessment, item__code="D1").value is None


def test_an_answer_of_1_without_a_check_is_marked(live_server: Any, page: Page, world: Any) -> None:
    version, ana, product = world
    assessment = factories.make_assessment(_open_round(version), product)
    factories.make_evidence(product, "data.schema")  # D1's check ran in the window
    log_in(page, live_server.url, ana)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    note = "counts 0.5 in the verified score until a check reports"
    item(page, "D1").get_by_label("1", exact=True).check()
    item(page, "D3").get_by_label("1", exact=True).check()
    all_saved(page)
    expect(item(page, "D1").get_by_text(note)).to_be_hidden()
    expect(item(page, "D3").get_by_text(note)).to_be_visible()
    item(page, "D3").get_by_role("link", name="How to post evidence from CI").click()
    expect(page.get_by_role("heading", name="Posting evidence from CI")).to_be_visible()


def test_carried_answers_are_reviewed_and_confirmed_in_one_action(
    live_server: Any, page: Page, world: Any
) -> None:
    version, ana, product = world
    old = factories.make_round(
        version, label="2026-04", opens_on=dt.date(2026, 4, 1), status=RoundStatus.CLOSED
    )
    factories.make_assessment(old, product, default="0.5", status=AssessmentStatus.SUBMITTED)
    new = factories.make_round(
        version,
        label="2026-10",
        opens_on=dt.date(2026, 10, 1),
        status=RoundStatus.SCHEDULED,
        products=(product,),
    )
    round_open(round=new, notify=False)
    assessment = Assessment.objects.get(round=new, product=product)
    # Two items of the new round are new or reworded: they start empty (DESIGN §4).
    Answer.objects.filter(assessment=assessment, item__code="D1").update(value=None, carry="new")
    Answer.objects.filter(assessment=assessment, item__code="MON2").update(
        value=None, carry="changed"
    )
    log_in(page, live_server.url, ana)
    expect(page.get_by_role("row", name=re.compile("Ads CTR"))).to_contain_text("Carried — review")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    expect(page.locator("#assessment-status")).to_have_text("Carried from 2026-04 — review")
    review = page.locator("[data-carried]")
    expect(review.locator(".fresh-items").get_by_role("link")).to_have_text(
        [re.compile("^D1 "), re.compile("^MON2 ")]
    )
    review.get_by_role("button", name="Confirm the 26 unchanged answers").click()
    expect(page.locator(".messages")).to_contain_text("Confirmed 26 carried answers.")
    expect(page.locator("#assessment-status")).to_have_text("Draft")
    expect(page.locator("[data-carried] .fresh-items").get_by_role("link")).to_have_count(2)
    stored = dict(Answer.objects.filter(assessment=assessment).values_list("item__code", "value"))
    assert stored["D1"] is None and stored["MON2"] is None and stored["D2"] == "0.5"


def test_closing_a_round_early_is_confirmed_and_shows_the_real_date(
    live_server: Any, page: Page, world: Any
) -> None:
    version, _ana, product = world
    rnd = _open_round(version)
    factories.make_assessment(rnd, product, {"data.schema": "1"})
    admin = factories.admin_user(username="root")
    log_in(page, live_server.url, admin)
    page.goto(f"{live_server.url}/rounds/{rnd.pk}/")
    page.get_by_role("link", name="Close the round now…").click()
    expect(page.get_by_role("heading", name="Close round 2026-10 now?")).to_be_visible()
    expect(page.locator(".consequences")).to_contain_text(
        "1 assessment not submitted (1 drafts, 0 not started) will be recorded as not submitted"
    )
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.OPEN
    page.get_by_role("button", name="Close the round now").click()
    expect(page.locator("[data-closed-on]")).to_be_visible(timeout=30_000)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.CLOSED
    expect(page.locator("[data-closed-on]")).to_contain_text(f"{rnd.closed_at:%Y-%m-%d}")
