"""A newcomer's pages in a real browser, as each role sees them, English and Japanese:
a person's language from sign-in on, the confirmations of archive and delete, next steps
beside a submitted survey, the evidence help of a product; axe-core finds no violation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from surveys.assessments.scores import assessments_score_store
from surveys.models import AssessmentStatus, Department, Profile
from tests import factories
from tests.e2e.conftest import assert_accessible


@pytest.fixture
def world(transactional_db: Any) -> dict[str, Any]:
    version = factories.make_version()
    haruto = factories.UserFactory(username="haruto", first_name="Haruto", last_name="Sato")
    Profile.objects.create(user=haruto, language="ja")
    ana = factories.UserFactory(username="ana", first_name="Ana", last_name="Member")
    product = factories.ProductFactory(slug="ads-ctr", name="Ads CTR", members=[ana, haruto])
    current = factories.make_round(version, label="2026-10", opens_on=dt.date.today())
    submitted = factories.make_assessment(
        current, product, default="0.5", status=AssessmentStatus.SUBMITTED
    )
    assessments_score_store(round=current, assessments=[submitted], source="web")
    Department.objects.create(slug="old-unit", name="Old unit")
    return {
        "version": version,
        "haruto": haruto,
        "ana": ana,
        "admin": factories.admin_user(username="root"),
        "submitted": submitted,
        "product": product,
    }


def test_haruto_signs_in_to_japanese_and_reads_his_evidence_help(
    live_server: Any, page: Page, login: Any, world: dict[str, Any]
) -> None:
    login(world["haruto"])
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    assert_accessible(page)
    page.goto(f"{live_server.url}/assessments/{world['submitted'].pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("#steps-h")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/help/evidence/ads-ctr/")
    expect(page.locator("h1")).to_contain_text("Ads CTR")
    expect(page.locator("table")).to_contain_text("data.i1")
    assert_accessible(page)


def test_next_steps_stand_beside_a_submitted_survey(
    live_server: Any, page: Page, login: Any, world: dict[str, Any]
) -> None:
    login(world["ana"])
    page.goto(f"{live_server.url}/assessments/{world['submitted'].pk}/")
    steps = page.locator(".next-steps-panel")
    expect(steps.get_by_role("heading", name="Next steps")).to_be_visible()
    expect(page.locator("[data-carried]")).to_have_count(0)
    steps.get_by_role("link").first.click()
    assert "#item-" in page.url
    assert_accessible(page)
    page.goto(f"{live_server.url}/help/evidence/")
    expect(page.get_by_role("heading", name="Posting evidence from CI")).to_be_visible()
    assert_accessible(page)


def test_an_admin_is_asked_before_archiving_and_told_after(
    live_server: Any, page: Page, login: Any, world: dict[str, Any]
) -> None:
    login(world["admin"])
    page.goto(f"{live_server.url}/questionnaires/versions/{world['version'].pk}/")
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_role("heading", name=f"Archive {world['version'].label}?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Archive").click()
    expect(page.locator(".messages")).to_contain_text("used by round 2026-10")
    page.goto(f"{live_server.url}/organisation/")
    page.locator('[data-department="old-unit"]').get_by_role("button", name="Archive").click()
    expect(page.get_by_role("heading", name="Archive Old unit?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Archive").click()
    expect(page.locator(".messages")).to_contain_text("Old unit is archived.")
    assert_accessible(page)


def test_the_survey_meets_the_target_size(
    live_server: Any, page: Page, login: Any, world: dict[str, Any]
) -> None:
    """WCAG 2.2's target size (axe-core's target-size rule): radio buttons, the links of
    "Still unanswered" and of the next steps."""
    rnd = world["submitted"].round
    draft = factories.make_assessment(
        rnd, factories.ProductFactory(slug="draft-one", members=[world["ana"]]), {"data.i1": "1"}
    )
    login(world["ana"])
    from tests.e2e.conftest import AXE_SOURCE

    for pk in (draft.pk, world["submitted"].pk):
        page.goto(f"{live_server.url}/assessments/{pk}/")
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
        found = page.evaluate(
            """async () => (await axe.run(document, {runOnly: ['target-size']})).violations
                .flatMap(v => v.nodes.map(n => n.target.join(' ')))"""
        )
        assert found == [], found


@pytest.mark.parametrize("who", ["member", "manager", "admin"])
def test_no_axe_violation_in_japanese_for_any_role(
    live_server: Any, page: Page, login: Any, who: str, transactional_db: Any
) -> None:
    """tests/e2e/test_accessibility.py's pages and console, read by people whose profile
    says Japanese: they sign in to Japanese and axe-core finds nothing."""
    from tests.e2e.test_accessibility import _console, _pages
    from tests.e2e.test_accessibility import org as org_fixture

    org = org_fixture.__wrapped__(transactional_db)  # type: ignore[attr-defined]
    for user in (org["member"], org["manager"], org["admin"]):
        Profile.objects.update_or_create(user=user, defaults={"language": "ja"})
    login(org[who])
    paths = _pages(org)[who] + (_console(org) if who == "admin" else [])
    paths += ["/help/evidence/ads-ctr/"] if who != "manager" else ["/help/evidence/"]
    found = []
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == "ja", path
        from tests.e2e.conftest import axe_violations

        found += [
            f"{path}: {v['id']} ({v['impact']}) {v['help']} — "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
            for v in axe_violations(page)
        ]
    assert not found, "\n".join(found)


def test_the_api_docs_have_no_axe_violation_and_lead_back(
    live_server: Any, page: Page, login: Any, world: dict[str, Any]
) -> None:
    login(world["ana"])
    for path, ready in (("/api/docs/", ".opblock"), ("/api/redoc/", "[role=menu]")):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        if path == "/api/docs/":
            assert_accessible(page)
        expect(page.get_by_role("link", name="← Back to mlopsscore")).to_have_attribute("href", "/")
