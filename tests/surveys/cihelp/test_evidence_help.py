"""How to post evidence, a page per product in the reader's language (DESIGN §6.5, §6.6):
its address, its items by code, title and key, its token and OIDC set-up, and steps ready
to paste into GitHub Actions and GitLab CI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def _url(slug: str, **query: str) -> str:
    url = reverse("help-evidence-product", args=[slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_product_page_holds_everything_to_paste(
    client: Any, cast: Any, version: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://mlops.acme.test"
    settings.EVIDENCE_OIDC_AUDIENCE = "https://mlops.acme.test"
    settings.EVIDENCE_OIDC_ISSUERS = ["https://token.actions.githubusercontent.com"]
    factories.make_round(version, products=(cast.product,))
    client.force_login(cast.member)
    page = client.get(_url(cast.product.slug, item="model.i2")).content.decode()
    assert f"Posting evidence from CI for {cast.product.name}" in page
    assert "https://mlops.acme.test/api/v1/evidence/" in page and "example.com" not in page
    assert "DESIGN" not in page
    # Every item by code, title and the key to post.
    assert "<td>M2</td><td>model practice 2</td><td><code>model.i2</code></td>" in page
    assert page.count("<code>data.i") == 7
    # Snippets for the product and the item the reader came from.
    assert f'\\"product\\": \\"{cast.product.slug}\\", \\"item\\": \\"model.i2\\"' in page
    assert "id-token: write" in page and "MLOPS_ID_TOKEN" in page
    assert "aud: https://mlops.acme.test" in page
    assert "https://token.actions.githubusercontent.com" in page
    assert reverse("trust:product", args=[cast.product.slug]) in page
    assert reverse("tokens:product", args=[cast.product.slug]) in page


def test_the_page_is_in_the_readers_language(client: Any, cast: Any, version: Any) -> None:
    client.force_login(cast.member)
    page = client.get(_url(cast.product.slug), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<html lang="ja">' in page
    assert "What to post" not in page and "Items and their keys" not in page


def test_an_unverified_answer_links_to_its_products_page(
    client: Any, cast: Any, version: Any
) -> None:
    rnd = factories.make_round(version)
    assessment = factories.make_assessment(rnd, cast.product, {"data.i3": "1"})
    client.force_login(cast.member)
    page = client.get(reverse("assessment", args=[assessment.pk])).content.decode()
    assert f'href="{_url(cast.product.slug)}?item=data.i3"' in page


def test_the_index_leads_to_the_readers_products(client: Any, cast: Any) -> None:
    client.force_login(cast.member)
    response = client.get(reverse("help-evidence"))
    assert response.status_code == 302 and response["Location"] == _url(cast.product.slug)
    client.force_login(cast.manager)
    page = client.get(reverse("help-evidence")).content.decode()
    assert _url(cast.product.slug) in page and _url(cast.other_product.slug) in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 200), ("manager", 200), ("admin", 200), ("other_member", 404)],
)
def test_who_reads_a_products_page(
    client: Any, cast: Any, version: Any, who: str, status: int
) -> None:
    client.force_login(getattr(cast, who))
    assert client.get(_url(cast.product.slug)).status_code == status


def test_anonymous_and_a_token_are_refused(client: Any, cast: Any) -> None:
    response = client.get(_url(cast.product.slug))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.get(
        _url(cast.product.slug), HTTP_AUTHORIZATION=f"Bearer {cast.foreign_token}"
    )
    assert response.status_code in (302, 404)


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_lead_back_to_the_app(client: Any, cast: Any, path: str) -> None:
    client.force_login(cast.member)
    page = client.get(path).content.decode()
    assert '<a href="/">← Back to mlopsscore</a>' in page
    assert "<style>" not in page


def test_the_guideline_slug_pattern_is_valid_in_current_browsers(client: Any, cast: Any) -> None:
    """Chromium compiles `pattern` with the `v` flag, where a bare `-` at the end of a
    class is an error (the field then goes unchecked): it is escaped."""
    client.force_login(cast.admin)
    page = client.get("/guidelines/new/").content.decode()
    assert 'pattern="[a-z0-9][a-z0-9\\-]*"' in page


def test_redoc_loads_its_bundle_without_the_cdn_logo(client: Any, cast: Any) -> None:
    from django.contrib.staticfiles import finders

    client.force_login(cast.member)
    page = client.get("/api/redoc/").content.decode()
    assert '<script src="/static/api/redoc.standalone.js"></script>' in page
    bundle = finders.find("api/redoc.standalone.js")
    assert bundle
    text = Path(bundle).read_text(encoding="utf-8")
    assert "cdn.redoc.ly" not in text and '"/static/favicon.svg"' in text
