"""README badges behind a per-product key (DESIGN §6.9), and the pages that manage keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from surveys.assessments.services import answer_set, assessment_submit
from surveys.badges.services import badge_key_create, badge_key_revoke
from surveys.models import AuditEvent, BadgeKey, Item
from tests import factories

URL = "/badges/ads-ctr.svg"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def submitted(cast: Any, version: Any) -> Any:
    """ads-ctr submitted at 3.5 (monitoring's items at 0.5), band (3,5]."""
    rnd = factories.make_round(version, products=(cast.product,))
    values = {f"monitoring.i{n}": "0.5" for n in range(1, 8)}
    assessment = factories.make_assessment(rnd, cast.product, values, default="1")
    return assessment_submit(assessment=assessment, by=cast.member)


@pytest.fixture
def raw_key(cast: Any) -> str:
    return badge_key_create(product=cast.product, name="README", by=cast.member)[1]


def test_a_live_key_draws_the_latest_claimed_and_verified_score_and_band(
    client: Client, submitted: Any, raw_key: str
) -> None:
    response = client.get(URL, {"key": raw_key})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "MLOps score · 3.50 (3,5] · verified 3.50" in svg
    assert 'fill="#2e7d32"' in svg  # the (3,5] band's green


def test_the_badge_reads_in_japanese(client: Client, submitted: Any, raw_key: str) -> None:
    svg = client.get(URL, {"key": raw_key, "lang": "ja"}).content.decode()
    assert "MLOpsスコア · 3.50 (3,5] · 検証済 3.50" in svg


def test_a_product_without_a_submission_says_so(client: Client, cast: Any, raw_key: str) -> None:
    svg = client.get(URL, {"key": raw_key}).content.decode()
    assert "not submitted" in svg


@pytest.mark.parametrize("case", ["none", "wrong", "revoked", "other_product", "too_long"])
def test_without_a_live_key_of_this_product_the_answer_is_404(
    client: Client, cast: Any, submitted: Any, case: str, django_capture_on_commit_callbacks: Any
) -> None:
    key = {
        "none": "",
        "wrong": "b0000nope",
        "revoked": "",
        "other_product": badge_key_create(product=cast.other_product)[1],
        "too_long": "b" * 5000,
    }[case]
    if case == "revoked":
        made, key = badge_key_create(product=cast.product)
        assert client.get(URL, {"key": key}).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            badge_key_revoke(key=made, by=cast.member)
    assert client.get(URL, {"key": key}).status_code == 404


def test_a_cached_badge_costs_no_query(
    client: Client, submitted: Any, raw_key: str, django_assert_num_queries: Any
) -> None:
    client.get(URL, {"key": raw_key})
    with django_assert_num_queries(0):
        assert client.get(URL, {"key": raw_key}).status_code == 200


def test_a_new_submission_redraws_the_badge(
    client: Client, cast: Any, submitted: Any, raw_key: str, django_capture_on_commit_callbacks: Any
) -> None:
    assert "3.50" in client.get(URL, {"key": raw_key}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(1, 8):
            item = Item.objects.get(version=submitted.round.version, key=f"monitoring.i{n}")
            answer_set(
                assessment=submitted, item=item, value="1", base_revision=None, by=cast.member
            )
        assessment_submit(assessment=submitted, by=cast.member)
    assert "7.00 &gt;5" in client.get(URL, {"key": raw_key}).content.decode()


def test_keys_are_stored_hashed_and_their_changes_audited(cast: Any) -> None:
    key, raw = badge_key_create(product=cast.product, name="README", by=cast.member)
    assert raw not in key.key_hash and key.key_hash != raw
    badge_key_revoke(key=key, by=cast.admin)
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "by__username"))
    assert actions == [("badge_key.created", "member"), ("badge_key.revoked", "admin")]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member", 200),
        ("other_member", 404),
        ("manager", 403),
        ("admin", 200),
        ("anonymous", 302),
        ("foreign_token", 302),
    ],
)
def test_who_may_manage_badge_keys(
    client_for: Callable[[str], Any], cast: Any, who: str, status: int
) -> None:
    client = client_for(who)
    assert client.get("/badges/ads-ctr/keys/").status_code == status
    response = client.post("/badges/ads-ctr/keys/new/", {"name": "README"})
    assert response.status_code == status
    if status == 200:
        assert "?key=b" in response.content.decode()
        assert response["Cache-Control"] == "no-store"
    assert BadgeKey.objects.count() == (1 if status == 200 else 0)


def test_a_member_revokes_a_key_from_the_page(
    client_for: Callable[[str], Any], cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    key, raw = badge_key_create(product=cast.product)
    assert client_for("anonymous").get(URL, {"key": raw}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("member").post(f"/badges/ads-ctr/keys/{key.pk}/revoke/")
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert client_for("anonymous").get(URL, {"key": raw}).status_code == 404


def test_another_products_member_cannot_revoke(client_for: Callable[[str], Any], cast: Any) -> None:
    key, _ = badge_key_create(product=cast.product)
    assert (
        client_for("other_member").post(f"/badges/ads-ctr/keys/{key.pk}/revoke/").status_code == 404
    )
    key.refresh_from_db()
    assert key.revoked_at is None


def test_a_name_too_long_is_refused_with_a_message(
    client_for: Callable[[str], Any], cast: Any
) -> None:
    response = client_for("member").post("/badges/ads-ctr/keys/new/", {"name": "x" * 101})
    assert response.status_code == 400
    assert BadgeKey.objects.count() == 0


def test_the_badge_key_pages_read_in_japanese(client_for: Callable[[str], Any], cast: Any) -> None:
    member = client_for("member")
    page = member.get("/badges/ads-ctr/keys/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "バッジキー" in page and "バッジキーを作成" in page
    created = member.post(
        "/badges/ads-ctr/keys/new/", {"name": "README"}, HTTP_ACCEPT_LANGUAGE="ja"
    ).content.decode()
    assert "バッジのアドレスを今すぐコピーしてください" in created


def test_an_image_proxy_may_ask_with_head(client: Client, submitted: Any, raw_key: str) -> None:
    response = client.head(URL, {"key": raw_key})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert client.post(URL, {"key": raw_key}).status_code == 405


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize(
    ("final", "verified", "band"), [(None, None, ""), (0.0, 0.0, "0"), (2.5, 1.25, "(2,3]")]
)
def test_the_drawing_is_well_formed_svg_with_a_title(
    lang: str, final: float | None, verified: float | None, band: str
) -> None:
    from xml.etree import ElementTree

    from surveys.badges.svg import BadgeFigures, badge_svg

    root = ElementTree.fromstring(badge_svg(BadgeFigures(final, verified, band), lang))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg" and int(root.get("width", "0")) > 0
    title = root.find(f"{ns}title")
    assert title is not None and title.text == root.get("aria-label")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member", 302),
        ("other_member", 404),
        ("manager", 403),
        ("admin", 302),
        ("anonymous", 302),
        ("foreign_token", 302),
    ],
)
def test_who_may_revoke_a_badge_key(
    client_for: Callable[[str], Any], cast: Any, who: str, status: int
) -> None:
    key, _ = badge_key_create(product=cast.product)
    response = client_for(who).post(f"/badges/ads-ctr/keys/{key.pk}/revoke/")
    assert response.status_code == status
    key.refresh_from_db()
    assert (key.revoked_at is not None) == (who in {"member", "admin"})
