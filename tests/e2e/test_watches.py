"""A CI check stops reporting: its watch goes down and the team sees it on the assessment
page, beside the answer of 1 it backed (DESIGN §6.7)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from surveys.evidence.services import EvidenceIn, evidence_upsert
from surveys.models import AssessmentStatus, Watch, WatchState
from surveys.watches.services import watches_due_check
from tests import factories


@pytest.fixture
def setup(transactional_db: Any) -> Any:
    version = factories.make_version()
    ana = factories.UserFactory(username="ana", first_name="Ana", last_name="Respondent")
    product = factories.ProductFactory(slug="ads-ctr", name="Ads CTR", members=[ana])
    rnd = factories.make_round(version, label="2026-10")
    assessment = factories.make_assessment(
        rnd, product, status=AssessmentStatus.DRAFT, values={"data.i1": "1"}
    )
    evidence_upsert(
        records=[
            EvidenceIn(
                product_id=product.pk,
                item_key="data.i1",
                outcome="pass",
                observed_at=timezone.now() - timedelta(hours=2),
                run_id="nightly-1",
            )
        ],
        token=None,
    )
    return assessment, ana


def test_the_team_sees_a_watch_go_down_beside_its_answer(
    live_server: Any, page: Page, login: Any, setup: Any
) -> None:
    assessment, ana = setup
    login(ana)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    item = page.locator("fieldset[data-code='D1']")
    expect(item.locator("[data-watch]")).to_contain_text("Up")

    # Nine days without a post: the due check (beat, every minute) finds it down.
    watches_due_check(now=timezone.now() + timedelta(days=9))
    assert Watch.objects.get().state == WatchState.DOWN

    page.reload()
    watch = item.locator("[data-watch='down']")
    expect(watch).to_contain_text("Down")
    expect(watch).to_contain_text("no report since")
    expect(watch).to_contain_text("this 1 claims a check that has stopped reporting")

    page.goto(f"{live_server.url}/products/ads-ctr/")
    row = page.locator("tr[data-watch-item='data.i1']")
    expect(row).to_contain_text("Down")
    expect(page.locator("#watches ol.timeline")).to_contain_text("Up → Down")
