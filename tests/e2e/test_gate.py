"""The release gate, item feedback and badges in a real browser (DESIGN §5, §6.8, §6.9):
an admin requires a monitoring practice for production releases, a respondent leaves
feedback and raises an answer, and the product's gate turns from fail to pass, for the
pipeline asking the API as for the people reading the product page. Every page the
journey opens is checked with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from mlopsscore import evidence_cli
from surveys.assessments.services import assessment_submit
from surveys.models import GatePolicy, Guideline, Item, ItemFeedback
from surveys.questionnaires.services import version_copy
from surveys.tokens.services import token_create
from tests import factories
from tests.e2e.conftest import assert_accessible


@pytest.fixture
def org(transactional_db: Any) -> dict[str, Any]:
    """ads-ctr (production, target 2.0) submitted with its monitoring area at 1.5: M1-M3
    at 0.5, the rest of monitoring at 0, every other item at 1."""
    version = factories.make_version()
    Item.objects.filter(version=version, key="monitoring.i1").update(guideline="monitoring")
    Guideline.objects.create(
        slug="monitoring", title={"en": "Monitoring", "ja": "監視"}, body={"en": "# Monitoring"}
    )
    ana = factories.UserFactory(username="ana", first_name="Ana", last_name="Respondent")
    product = factories.ProductFactory(slug="ads-ctr", name="Ads CTR", members=[ana])
    rnd = factories.make_round(version, label="2026-10", products=(product,))
    values = {f"monitoring.i{n}": ("0.5" if n <= 3 else "0") for n in range(1, 8)}
    assessment = factories.make_assessment(rnd, product, values, default="1")
    assessment_submit(assessment=assessment, by=ana)
    return {
        "ana": ana,
        "admin": factories.admin_user(username="root"),
        "manager": factories.manager_user(username="manny"),
        "assessment": assessment,
        "version": version,
        "token": token_create(product=product, name="release")[1],
    }


def gate_exit(url: str, token: str, capsys: Any) -> tuple[int, str]:
    code = evidence_cli.main(["gate", "--product", "ads-ctr", "--url", url, "--token", token])
    return code, capsys.readouterr().out


def accessible(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert_accessible(page)


def test_a_raised_answer_turns_the_gate_from_fail_to_pass(
    live_server: Any, page: Page, login: Any, org: dict[str, Any], capsys: Any
) -> None:
    url = live_server.url
    code, out = gate_exit(url, org["token"], capsys)
    assert code == 1 and "area monitoring: 1.5, needs 2.0" in out

    # The admin requires the monitoring practice MON1 for production releases.
    login(org["admin"])
    accessible(page, f"{url}/gate/")
    expect(page.get_by_role("heading", name="Release gate")).to_be_visible()
    production = page.locator("#phase-production")
    production.get_by_role("checkbox", name=re.compile(r"^MON1 ")).check()
    production.get_by_role("button", name="Save the gate of Production").click()
    expect(page.get_by_role("status")).to_contain_text("The release gate of Production is saved.")
    assert GatePolicy.objects.get(phase="production").required_items == ["monitoring.i1"]
    accessible(page, f"{url}/gate/guidelines/monitoring/")
    page.get_by_label("Required (English)").fill("- Alert on training/serving skew")
    page.get_by_label("Recommended (English)").fill("- A dashboard per model")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Requirements saved.")
    code, out = gate_exit(url, org["token"], capsys)
    assert code == 1 and "required item monitoring.i1: 0.5, needs 1.0" in out
    page.get_by_role("button", name="Log out").click()

    # The respondent reads why, leaves feedback on a question, raises MON1 and submits again.
    login(org["ana"])
    accessible(page, f"{url}/products/ads-ctr/")
    gate = page.locator("#release-gate")
    expect(gate.locator("[data-gate]")).to_have_text("Fails")
    expect(gate).to_contain_text("Monitoring: 1.50, needs 2.00")
    expect(gate).to_contain_text("Required for release: MON1 monitoring practice 1 at 0.50")
    accessible(page, f"{url}/guidelines/monitoring/")
    expect(page.locator("#required")).to_contain_text("Alert on training/serving skew")
    expect(page.locator("#recommended")).to_contain_text("A dashboard per model")

    assessment = org["assessment"]
    page.goto(f"{url}/assessments/{assessment.pk}/")
    m7 = page.locator('[data-feedback-item="MON7"]')
    m7.get_by_text("Feedback on this question").click()
    m7.get_by_label("Kind").select_option(label="Does not apply to our kind of model")
    m7.get_by_label("Comment").fill("Our ranking model has no serving skew to watch.")
    m7.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("status").first).to_contain_text("your feedback is kept")
    expect(page.locator('[data-feedback-item="MON7"]')).to_contain_text("Open")
    assert ItemFeedback.objects.get().item_key == "monitoring.i7"

    page.get_by_role("group", name=re.compile(r"^MON1 ")).get_by_label("1", exact=True).check()
    expect(page.locator("#save-status")).to_have_text("All changes saved.")
    assert_accessible(page)
    page.get_by_role("button", name="Submit again").click()
    expect(page.locator("#assessment-status")).to_have_text("Submitted")

    page.goto(f"{url}/products/ads-ctr/")
    expect(page.locator("#release-gate [data-gate]")).to_have_text("Passes")
    code, out = gate_exit(url, org["token"], capsys)
    assert code == 0 and out.startswith("gate passes: ads-ctr (production)")

    # A README badge: the member makes a key; the badge shows the new score.
    page.locator("#release-gate").get_by_role("link", name="Badge for a README").click()
    assert_accessible(page)
    page.get_by_role("button", name="Create badge key").click()
    badge_url = page.get_by_label(re.compile("^Badge of")).input_value()
    assert_accessible(page)
    page.goto(badge_url + "&lang=ja")
    assert "MLOpsスコア · 2.00 (1,2]" in page.content()
    page.goto(f"{url}/accounts/login/")


def test_the_studio_and_the_report_show_feedback_and_the_admin_answers_it(
    live_server: Any, page: Page, login: Any, org: dict[str, Any]
) -> None:
    from surveys.feedback.services import feedback_leave

    url = live_server.url
    item = Item.objects.get(version=org["version"], key="monitoring.i7")
    feedback_leave(
        assessment=org["assessment"],
        item=item,
        kind="too_strict",
        comment="Weekly would do.",
        by=org["ana"],
    )
    draft = version_copy(version=org["version"], new_version="2027.1")
    login(org["admin"])
    accessible(page, f"{url}/feedback/")
    expect(page.locator('[data-report-item="monitoring.i7"]')).to_contain_text(
        "Criteria too strict 1"
    )
    accessible(page, f"{url}/questionnaires/versions/{draft.pk}/")
    box = page.locator('[data-studio-feedback="monitoring.i7"]')
    expect(box).to_contain_text("Weekly would do.")
    box.get_by_role("button", name="Addressed by mlts@2027.1").click()
    expect(page.locator('[data-studio-feedback="monitoring.i7"]')).to_contain_text(
        "Addressed by mlts@2027.1"
    )
    page.get_by_role("button", name="Log out").click()
    login(org["ana"])
    page.goto(f"{url}/assessments/{org['assessment'].pk}/")
    expect(page.locator('[data-feedback-item="MON7"]')).to_contain_text("Addressed by mlts@2027.1")
    login(org["manager"])
    accessible(page, f"{url}/products/ads-ctr/")
