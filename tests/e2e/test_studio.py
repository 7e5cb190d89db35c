"""An MLOps admin writes a new questionnaire version in the studio and opens a round with
it; the respondent sees carried, changed, new and replaced items as lineage says."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from surveys.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    QuestionnaireVersion,
    RoundStatus,
    VersionStatus,
)
from surveys.questionnaires.drafts import draft_create
from surveys.questionnaires.services import questionnaire_load
from tests import factories
from tests.e2e.conftest import assert_accessible

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ml-test-score-2017.json"


@pytest.fixture
def setup(transactional_db: Any) -> Any:
    """ML Test Score 2017.1 published, a product answered "1" everywhere in a closed round."""
    version, _ = questionnaire_load(
        data=json.loads(FIXTURE.read_text(encoding="utf-8")), publish=True
    )
    ana = factories.UserFactory(username="ana", first_name="Ana", last_name="Respondent")
    admin = factories.admin_user(username="admin", first_name="Mia", last_name="Admin")
    product = factories.ProductFactory(slug="ads-ctr", name="Ads CTR", members=[ana])
    past = factories.make_round(
        version, label="2026-04", opens_on=dt.date(2026, 4, 1), status=RoundStatus.CLOSED
    )
    factories.make_assessment(past, product, default="1", status=AssessmentStatus.SUBMITTED)
    return admin, ana, product


def fill(page: Page, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).fill(text)


def item_texts(page: Page, code: str, title: str) -> None:
    fill(page, f"{code} Title (English)", title)
    fill(page, f"{code} Question (English)", f"Do you {title.lower()}?")
    fill(page, f"{code} Criteria for 0 (English)", "Not at all.")
    fill(page, f"{code} Criteria for 0.5 (English)", "By hand, now and then.")
    fill(page, f"{code} Criteria for 1 (English)", "Automated and alerting.")


def no_problems(page: Page) -> None:
    expect(page.locator("#problems")).to_have_text("No problems: the draft can be published.")


def add_item(page: Page, area: str, key: str, code: str) -> None:
    form = page.get_by_role("form", name=f"Add an item to {area}")
    form.get_by_label("Key").fill(key)
    form.get_by_label("Code").fill(code)
    form.get_by_role("button", name="Add item").click()
    page.wait_for_load_state()


def group(page: Page, code: str) -> Any:
    return page.get_by_role("group", name=re.compile(rf"^{code} "))


def test_admin_writes_a_version_and_the_respondent_sees_its_lineage(
    live_server: Any, page: Page, login: Any, setup: Any
) -> None:
    admin, ana, product = setup
    login(admin)
    page.get_by_role("link", name="Questionnaires").click()
    row = page.locator("tr[data-version='mlts@2017.1']")
    row.get_by_label("New version").fill("2027.1")
    row.get_by_role("button", name="Copy to a new draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("mlts@2027.1")
    assert_accessible(page, exclude=[".messages", ".badge"])

    # Reword one criterion: saved as typed, and the item's lineage becomes `changed`.
    fill(page, "D1 Criteria for 1 (English)", "A pipeline step validates every batch daily.")
    expect(page.get_by_role("form", name="Item D1").locator("[data-lineage]")).to_have_text(
        "changed"
    )

    # A new practice.
    add_item(page, "data", "data.drift", "D8")
    item_texts(page, "D8", "Watch drift")
    no_problems(page)

    # MON1 is replaced by a new item that continues its history.
    page.get_by_role("button", name="Remove MON1").click()
    page.wait_for_load_state()
    add_item(page, "monitoring", "monitoring.upstream_alerts", "MON8")
    item_texts(page, "MON8", "Alert on upstream changes")
    fill(page, "MON8 Replaces", "monitoring.dependency_changes")
    fill(page, "MON8 Lineage reason", "MON1 narrowed to alerts")
    expect(page.get_by_role("form", name="Item MON8").locator("[data-lineage]")).to_have_text(
        "replaces monitoring.dependency_changes"
    )
    no_problems(page)

    page.get_by_role("link", name="Diff").click()
    expect(page.locator("#count-added")).to_have_text("1 added")
    expect(page.locator("#count-replaced")).to_have_text("1 replaced")
    expect(page.locator("#count-removed")).to_have_text("1 removed")
    expect(page.locator("#diff-changed")).to_contain_text("A pipeline step validates every batch")
    assert_accessible(page, exclude=[".messages", ".badge"])
    page.go_back()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("mlts@2027.1 is published.")

    # Open a round with it, today.
    today = dt.date.today()
    page.goto(f"{live_server.url}/rounds/new/")
    page.get_by_label("Label").fill("2027-01")
    page.get_by_label("Questionnaire version").select_option(label="mlts@2027.1")
    page.get_by_label("Opens on").fill(today.isoformat())
    page.get_by_label("Closes on").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Create the round").click()
    # Opening today mails people: the page says so and asks first.
    page.get_by_role("button", name="Create and open the round").click()
    page.wait_for_load_state()
    assessment = Assessment.objects.get(round__label="2027-01", product=product)
    assert assessment.round.version.status == VersionStatus.PUBLISHED

    page.context.clear_cookies()
    login(ana)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    expect(group(page, "D1")).to_contain_text("changed")
    expect(group(page, "D1").locator("input[type=radio]:checked")).to_have_count(0)
    expect(group(page, "D8")).to_contain_text("new")
    expect(group(page, "D8").locator("input[type=radio]:checked")).to_have_count(0)
    expect(group(page, "MON8")).to_contain_text("carried from the item it replaces")
    expect(group(page, "MON8").get_by_label("1", exact=True)).to_be_checked()
    expect(group(page, "D2").get_by_label("1", exact=True)).to_be_checked()
    expect(page.get_by_role("group", name=re.compile(r"^MON1 "))).to_have_count(0)
    carried = dict(Answer.objects.filter(assessment=assessment).values_list("item__code", "carry"))
    assert (carried["D1"], carried["D8"], carried["MON8"], carried["D2"]) == (
        "changed",
        "new",
        "replaced",
        "carried",
    )


def test_two_admins_editing_one_draft_are_told_of_each_others_changes(
    live_server: Any, page: Page, browser: Any, setup: Any
) -> None:
    admin, _, _ = setup
    ben = factories.admin_user(username="ben", first_name="Ben", last_name="Second")
    draft = draft_create(
        version=QuestionnaireVersion.objects.get(version="2017.1"), new_version="2027.1", by=admin
    )
    url = f"{live_server.url}/questionnaires/versions/{draft.pk}/"
    pages = []
    for user in (admin, ben):
        tab = page if user is admin else browser.new_context().new_page()
        tab.goto(f"{live_server.url}/accounts/login/")
        tab.get_by_label("Username").fill(user.username)
        tab.get_by_label("Password").fill("pw-for-tests-123")
        tab.get_by_role("button", name="Log in").click()
        tab.goto(url)
        pages.append(tab)
    mia, other = pages
    fill(other, "D1 Title (English)", "Schema, by Ben")
    expect(other.get_by_role("form", name="Item D1").locator("[data-state]")).to_have_text("Saved")
    # Mia's page asks what others changed every few seconds and says so.
    expect(mia.locator("#studio-others")).to_contain_text(
        "Ben Second changed mlts@2027.1 D1", timeout=20_000
    )
    # Her own edit of the same item, based on the older revision, is a conflict to resolve.
    fill(mia, "D1 Title (English)", "Schema, by Mia")
    conflict = mia.get_by_role("form", name="Item D1").locator("[data-conflict]")
    expect(conflict).to_contain_text("Ben Second changed this since you loaded it")
    conflict.get_by_role("button", name="Overwrite with mine").click()
    expect(mia.get_by_role("form", name="Item D1").locator("[data-state]")).to_have_text("Saved")
    assert draft.items.get(code="D1").title["en"] == "Schema, by Mia"
