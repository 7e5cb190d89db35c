"""Writing guidelines: admins only, a sanitised live preview, linked items, revisions."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from surveys.models import AuditEvent, Guideline, GuidelineRevision
from surveys.questionnaires.services import questionnaire_load
from surveys.tokens.services import token_create
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def guideline(db: Any) -> Guideline:
    return Guideline.objects.create(
        slug="data-validation",
        title={"en": "Data validation", "ja": "データ検証"},
        body={"en": "# Data validation\n\nCheck every batch.", "ja": "# データ検証"},
    )


def pages(guideline: Guideline) -> list[tuple[str, str]]:
    return [
        ("get", reverse("guidelines:list")),
        ("get", reverse("guidelines:new")),
        ("post", reverse("guidelines:new")),
        ("get", reverse("guidelines:edit", args=[guideline.slug])),
        ("post", reverse("guidelines:edit", args=[guideline.slug])),
        ("post", reverse("guidelines:preview")),
        ("get", reverse("guidelines:history", args=[guideline.slug])),
    ]


@pytest.mark.parametrize("who", ["member", "other_member", "manager"])
def test_only_admins_write_guidelines(client: Any, cast: Any, guideline: Any, who: str) -> None:
    client.force_login(getattr(cast, who))
    for method, url in pages(guideline):
        data = {"slug": "x", "body_en": "changed"} if method == "post" else None
        assert getattr(client, method)(url, data).status_code == 403, url
    guideline.refresh_from_db()
    assert guideline.body["en"].startswith("# Data validation")
    # Everyone signed in still reads the page itself.
    assert client.get(reverse("guideline", args=[guideline.slug])).status_code == 200


def test_anonymous_and_tokens_are_refused(client: Any, cast: Any, guideline: Any) -> None:
    _, raw = token_create(product=cast.other_product, name="ci", by=cast.admin)
    for method, url in pages(guideline):
        assert getattr(client, method)(url).status_code == 302, url
        response = getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code in (302, 403), url
    assert not GuidelineRevision.objects.exists()


def test_the_preview_is_sanitised_like_the_page(client: Any, cast: Any) -> None:
    client.force_login(cast.admin)
    html = client.post(
        reverse("guidelines:preview"),
        {"markdown": "## Purpose\n\n**bold** <script>alert(1)</script> [x](javascript:alert(1))"},
    ).json()["html"]
    assert "<h2>Purpose</h2>" in html and "<strong>bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html


def test_editing_keeps_every_revision_with_who_when_and_a_diff(
    client: Any, cast: Any, guideline: Any
) -> None:
    client.force_login(cast.admin)
    client.post(
        reverse("guidelines:edit", args=[guideline.slug]),
        {"title_en": "Data validation", "title_ja": "データ検証",
         "body_en": "# Data validation\n\nCheck every batch, daily.", "body_ja": "# データ検証"},
    )  # fmt: skip
    guideline.refresh_from_db()
    assert guideline.body["en"].endswith("daily.")
    revisions = list(guideline.revisions.order_by("number").values_list("number", "by", "body"))
    assert [(n, by) for n, by, _ in revisions] == [(0, None), (1, cast.admin.pk)]
    assert revisions[0][2]["en"] == "# Data validation\n\nCheck every batch."
    event = AuditEvent.objects.get(action="guideline.changed")
    assert "-Check every batch." in event.data["diff"]
    assert "+Check every batch, daily." in event.data["diff"]
    page = client.get(reverse("guidelines:history", args=[guideline.slug])).content.decode()
    assert (
        "Revision 1" in page
        and "+Check every batch, daily." in page
        and "loaded from files" in page
    )


def test_creating_a_guideline_and_the_items_linking_to_it(client: Any, cast: Any) -> None:
    data = factories.questionnaire_data(per_area=2)
    data["areas"][0]["items"][0]["guideline"] = "drift"
    questionnaire_load(data=data, publish=True)
    client.force_login(cast.admin)
    bad = client.post(reverse("guidelines:new"), {"slug": "new", "body_en": "x"})
    assert "cannot be a guideline slug" in bad.content.decode()
    response = client.post(
        reverse("guidelines:new"),
        {
            "slug": "drift",
            "title_en": "Drift",
            "title_ja": "ドリフト",
            "body_en": "# Drift",
            "body_ja": "",
        },
    )
    assert response["Location"] == reverse("guidelines:edit", args=["drift"])
    page = client.get(response["Location"]).content.decode()
    assert "mlts@2017.1" in page and "D1" in page
    listing = client.get(reverse("guidelines:list"))
    assert [(g.slug, n) for g, n in listing.context["rows"]] == [("drift", 1)]
    ja = client.get(reverse("guidelines:list"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "新しいガイドライン" in ja
