"""axe-core finds no violation on the app's pages, as each role sees them.

Report pages are checked by tests/e2e/test_reports.py; these are the survey, round,
token, help and error pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page

from surveys.assessments.scores import assessments_score_store
from surveys.models import AssessmentStatus, RoundStatus
from surveys.tokens.services import token_create
from tests import factories
from tests.e2e.conftest import assert_accessible, axe_violations


@pytest.fixture
def org(transactional_db: Any) -> dict[str, Any]:
    version = factories.make_version(na_items=("data.i7",))
    member = factories.UserFactory(username="ana", first_name="Ana", last_name="Member")
    product = factories.ProductFactory(slug="ads-ctr", name="Ads CTR", members=[member])
    other = factories.ProductFactory(slug="search-rank", name="Search ranking")
    old = factories.make_round(
        version, label="2026-04", opens_on=dt.date(2026, 4, 1), status=RoundStatus.CLOSED
    )
    for p in (product, other):
        factories.make_assessment(old, p, default="0.5", status=AssessmentStatus.SUBMITTED)
    assessments_score_store(round=old, assessments=list(old.assessments.all()), source="admin")
    current = factories.make_round(version, label="2026-10", opens_on=dt.date(2026, 10, 1))
    draft = factories.make_assessment(current, product, {"data.i1": "1", "data.i2": "0.5"})
    submitted = factories.make_assessment(
        current, other, default="1", status=AssessmentStatus.SUBMITTED
    )
    assessments_score_store(round=current, assessments=[submitted], source="web")
    factories.make_evidence(product, "data.i1")
    factories.make_evidence(product, "data.i3", outcome="fail")
    factories.make_evidence(other, "data.i1", outcome="error")
    admin = factories.admin_user(username="root")
    token_create(product=product, name="nightly", by=admin)
    return {
        "member": member,
        "manager": factories.manager_user(username="manny"),
        "admin": admin,
        "draft": draft,
        "submitted": submitted,
        "old": old,
        "current": current,
        "version": version,
    }


def _pages(org: dict[str, Any]) -> dict[str, list[str]]:
    return {
        "member": [
            "/",
            f"/assessments/{org['draft'].pk}/",
            f"/assessments/{org['draft'].pk}/print/",
            "/products/ads-ctr/",
            "/tokens/",
            "/tokens/ads-ctr/",
            "/help/evidence/",
            "/no-such-page/",
        ],
        "manager": ["/", f"/assessments/{org['submitted'].pk}/", "/products/search-rank/"],
        "admin": [
            "/",
            f"/assessments/{org['submitted'].pk}/",
            "/rounds/",
            "/rounds/new/",
            f"/rounds/{org['current'].pk}/",
            f"/rounds/{org['current'].pk}/close/",
            f"/rounds/{org['current'].pk}/remind/",
            f"/rounds/{org['old'].pk}/",
            f"/rounds/{org['old'].pk}/rescore/",
        ],
    }


@pytest.mark.parametrize("who", ["member", "manager", "admin"])
def test_no_axe_violation_on_any_page(
    live_server: Any, page: Page, login: Any, org: dict[str, Any], who: str
) -> None:
    login(org[who])
    for path in _pages(org)[who]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert_accessible(page)


def _console(org: dict[str, Any]) -> list[str]:
    """The MLOps team's pages: questionnaires, organisation, guidelines, imports, audit,
    trust policies, review and lockouts."""
    version = org["version"].pk
    return [
        "/questionnaires/",
        f"/questionnaires/versions/{version}/",
        f"/questionnaires/versions/{version}/preview/",
        "/organisation/",
        "/organisation/products/",
        "/organisation/products/ads-ctr/",
        "/organisation/people/",
        "/imports/organisation/",
        "/guidelines/",
        "/guidelines/new/",
        "/imports/answers/",
        "/audit/",
        "/trust/ads-ctr/",
        "/reviews/",
        f"/reviews/rounds/{org['current'].pk}/",
        f"/reviews/assessments/{org['submitted'].pk}/",
        "/lockouts/",
    ]


def test_no_axe_violation_on_the_console(
    live_server: Any, page: Page, login: Any, org: dict[str, Any]
) -> None:
    login(org["admin"])
    found = []
    for path in _console(org):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        found += [
            f"{path}: {v['id']} ({v['impact']}) {v['help']} — "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
            for v in axe_violations(page)
        ]
    assert not found, "\n".join(found)


def test_no_axe_violation_on_the_login_page(live_server: Any, page: Page) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
