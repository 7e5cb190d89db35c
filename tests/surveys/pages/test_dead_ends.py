"""No dead ends: each role sees only what it can do; error
pages in the site's layout and language with a way back; a favicon; offline API docs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from surveys.models import AssessmentStatus
from tests import factories

pytestmark = pytest.mark.django_db


def client_for(cast: Any, who: str) -> Client:
    client = Client()
    client.force_login(getattr(cast, who))
    return client


@pytest.fixture
def draft(version: Any, cast: Any) -> Any:
    rnd = factories.make_round(version, label="2026-10")
    factories.make_assessment(rnd, cast.other_product, status=AssessmentStatus.SUBMITTED)
    return factories.make_assessment(rnd, cast.product, status=AssessmentStatus.DRAFT)


def _row(html: str, slug: str) -> str:
    return re.search(rf"/products/{slug}/.*?</tr>", html, re.S)[0]  # type: ignore[index]


def test_a_manager_is_offered_no_link_to_change_what_they_cannot(draft: Any, cast: Any) -> None:
    html = client_for(cast, "manager").get("/").content.decode()
    for slug in ("ads-ctr", "search-rank"):
        row = _row(html, slug)
        assert "Fill in" not in row and "View or change" not in row
        assert ">View</a>" in row
    member = client_for(cast, "member").get("/").content.decode()
    assert "Fill in" in _row(member, "ads-ctr")
    admin = client_for(cast, "admin").get("/").content.decode()
    assert "Fill in" in _row(admin, "ads-ctr") and "View or change" in _row(admin, "search-rank")


@pytest.mark.parametrize(("who", "shown"), [("manager", False), ("member", True), ("admin", True)])
def test_api_tokens_only_for_those_who_manage_some(cast: Any, who: str, shown: bool) -> None:
    html = client_for(cast, who).get("/reports/").content.decode()
    assert ('href="/tokens/"' in html) is shown


def test_not_found_page_has_the_layout_and_a_way_back(cast: Any) -> None:
    response = client_for(cast, "member").get("/products/no-such-product/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This page does not exist" in html
    assert 'href="/reports/"' in html  # the site's navigation
    assert re.search(r'<a href="/"[^>]*>Back to the home page</a>', html)
    assert 'rel="icon"' in html


def test_forbidden_page_says_why_in_the_readers_language(cast: Any) -> None:
    client = client_for(cast, "manager")
    response = client.get(f"/tokens/{cast.product.slug}/")
    assert response.status_code == 403
    assert "You may not do this" in response.content.decode()
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    html = client.get(f"/tokens/{cast.product.slug}/").content.decode()
    assert 'lang="ja"' in html and "この操作はできません" in html
    assert "ホームに戻る" in html


def test_server_error_page_has_the_layout_and_a_way_back() -> None:
    request = RequestFactory().get("/")
    with translation.override("ja"):
        html = server_error(request).content.decode()
    assert 'lang="ja"' in html and "問題が発生しました" in html
    assert 'href="/">' in html and "css/app" in html


def test_favicon_is_served_from_the_apps_static_files(client: Client) -> None:
    assert finders.find("favicon.svg")
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("favicon.svg")


def test_redoc_loads_nothing_from_the_internet(cast: Any) -> None:
    response = client_for(cast, "member").get("/api/redoc/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and not [s for s in sources if re.match(r"(https?:)?//", s)]
    assert "fonts.googleapis" not in html and "<script>" not in html
    # Besides its static files, only the links back to the app and to Swagger.
    assert [s for s in sources if not s.startswith(settings.STATIC_URL)] == ["/", "/api/docs/"]
    for path in sources:
        if not path.startswith(settings.STATIC_URL):
            continue
        found = finders.find(path.removeprefix(settings.STATIC_URL))
        assert found and Path(found).stat().st_size > 0, path
