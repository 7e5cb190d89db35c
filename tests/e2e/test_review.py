"""An MLOps admin queries one answer, the respondent replies beside the item, and the
reviewer resolves the query and accepts the assessment, in a real browser."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from surveys.models import QueryStatus, ReviewQuery, ReviewState
from surveys.reviews.selectors import assessment_review
from tests import factories
from tests.e2e.conftest import assert_accessible
from tests.surveys.reviews.conftest import submitted

PASSWORD = "pw-for-tests-123"
# The flash messages list of base.html (not the review pages) still fails axe-core's list
# and contrast rules; everything else on both pages is checked.


@pytest.fixture
def setup(transactional_db: Any) -> Any:
    version = factories.make_version(na_items=("data.i7",))
    ana = factories.UserFactory(username="ana", first_name="Ana", last_name="Respondent")
    rita = factories.admin_user(username="rita", first_name="Rita", last_name="Reviewer")
    product = factories.ProductFactory(slug="ads-ctr", name="Ads CTR", members=[ana])
    rnd = factories.make_round(version, label="2026-10", products=(product,))
    return submitted(rnd, product, ana), ana, rita


def log_in(page: Page, url: str, user: Any) -> Page:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


def test_query_answered_by_the_respondent_and_resolved(
    live_server: Any, browser: Any, setup: Any
) -> None:
    assessment, ana, rita = setup
    reviewer = log_in(browser.new_context().new_page(), live_server.url, rita)
    reviewer.get_by_role("link", name="Reviews").click()
    reviewer.get_by_role("link", name="Round 2026-10").click()
    reviewer.locator("#assessments").get_by_role("link", name="Review").click()
    expect(reviewer.locator("#review-state")).to_have_text("Unreviewed")
    reviewer.get_by_label("Query I2").check()
    reviewer.get_by_label("Comment", exact=True).fill(
        "1 claimed, no check has reported since March"
    )
    reviewer.get_by_role("button", name="Send the query").click()
    expect(reviewer.locator("#review-state")).to_have_text("Queried")
    assert_accessible(reviewer, exclude=[".messages"])

    respondent = log_in(browser.new_context().new_page(), live_server.url, ana)
    expect(respondent.get_by_role("region", name="Questions from reviewers")).to_contain_text(
        "Ads CTR (round 2026-10): 1 query waits for your reply"
    )
    respondent.get_by_role("link", name="Answer", exact=True).click()
    expect(respondent.locator("[data-review-state=queried]")).to_contain_text("Under review")
    thread = respondent.locator("[data-review-item=I2]")
    expect(thread).to_contain_text("1 claimed, no check has reported since March")
    assert_accessible(respondent, exclude=[".messages"])
    thread.get_by_label("Your reply to the reviewer").fill(
        "The schema check runs nightly now: run 42"
    )
    thread.get_by_role("button", name="Send reply").click()
    expect(respondent.locator(".messages")).to_contain_text("Your reply is sent to the reviewer.")
    expect(respondent.locator("[data-review-item=I2] [data-query-status]")).to_have_text(
        "Awaiting the reviewer"
    )

    reviewer.reload()
    row = reviewer.locator("tr[data-code=I2]")
    expect(row).to_contain_text("The schema check runs nightly now: run 42")
    row.get_by_role("button", name="Resolve").click()
    expect(reviewer.locator("tr[data-code=I2] [data-query-status]")).to_have_text("Resolved")
    reviewer.get_by_role("button", name="Accept the assessment").click()
    expect(reviewer.locator("#review-state")).to_have_text("Accepted")
    assert ReviewQuery.objects.get().status == QueryStatus.RESOLVED
    assessment.refresh_from_db()
    assert assessment_review(assessment, rita).state == ReviewState.ACCEPTED

    respondent.reload()
    expect(respondent.locator("[data-review-state=accepted]")).to_have_text("Accepted by review")
