"""The release gate's settings per phase, a guideline's required and recommended lists,
and the gate on the product page (DESIGN §2, §6.8), for the whole cast."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from surveys.assessments.services import answer_set, assessment_submit
from surveys.models import AuditEvent, GatePolicy, Guideline, Item
from tests import factories

WHO_STATUS = [
    ("member", 403),
    ("other_member", 403),
    ("manager", 403),
    ("admin", 200),
    ("anonymous", 302),
    ("foreign_token", 302),
]


@pytest.fixture
def guideline(db: Any) -> Guideline:
    return Guideline.objects.create(
        slug="monitoring", title={"en": "Monitoring", "ja": "監視"}, body={"en": "# Monitoring"}
    )


@pytest.mark.parametrize(("who", "status"), WHO_STATUS)
def test_who_may_set_the_gate(
    client_for: Callable[[str], Any], cast: Any, version: Any, who: str, status: int
) -> None:
    client = client_for(who)
    assert client.get("/gate/").status_code == status
    response = client.post(
        "/gate/phases/production/", {"basis": "verified", "items": ["monitoring.i1"]}
    )
    assert response.status_code == (302 if status == 200 else status)
    saved = GatePolicy.objects.filter(phase="production").first()
    if who == "admin":
        assert saved.basis == "verified" and saved.required_items == ["monitoring.i1"]
        event = AuditEvent.objects.get(action="gate.changed")
        assert event.by == cast.admin and event.target == "production"
        page = client.get("/gate/").content.decode()
        assert 'value="monitoring.i1" checked' in page
    else:
        assert saved is None


def test_an_unknown_item_or_phase_is_refused_and_nothing_saved(
    client_for: Callable[[str], Any], version: Any
) -> None:
    client = client_for("admin")
    response = client.post("/gate/phases/production/", {"basis": "claimed", "items": ["nope.x"]})
    assert response.status_code == 302
    page = client.get("/gate/").content.decode()
    assert "No questionnaire has an item nope.x." in page
    assert client.post("/gate/phases/nonsense/", {"basis": "claimed"}).status_code == 404
    assert client.post("/gate/phases/poc/", {"basis": "whatever"}).status_code == 302
    assert not GatePolicy.objects.exists()


@pytest.mark.parametrize(("who", "status"), WHO_STATUS)
def test_who_may_edit_a_guidelines_requirements(
    client_for: Callable[[str], Any], guideline: Guideline, who: str, status: int
) -> None:
    client = client_for(who)
    assert client.get("/gate/guidelines/monitoring/").status_code == status
    response = client.post(
        "/gate/guidelines/monitoring/",
        {"required_en": "- Alert on skew", "recommended_en": "- A dashboard"},
    )
    assert response.status_code == (302 if status == 200 else status)
    guideline.refresh_from_db()
    assert guideline.required == ({"en": "- Alert on skew"} if who == "admin" else {})


def test_the_guideline_page_shows_required_and_recommended_apart_in_both_languages(
    client_for: Callable[[str], Any], cast: Any, guideline: Guideline, version: Any
) -> None:
    client_for("admin").post(
        "/gate/guidelines/monitoring/",
        {
            "required_en": "- Alert on training/serving skew",
            "required_ja": "- 学習と推論のずれを通知する",
            "recommended_en": "- A dashboard per model",
            "recommended_ja": "- モデルごとのダッシュボード",
        },
    )
    assert AuditEvent.objects.filter(action="guideline.requirements_changed").count() == 1
    Item.objects.filter(version=version, key="monitoring.i2").update(guideline="monitoring")
    GatePolicy.objects.create(phase="production", required_items=["monitoring.i2"])
    member = client_for("member")
    page = member.get("/guidelines/monitoring/").content.decode()
    required = page.index('id="required"')
    recommended = page.index('id="recommended"')
    assert required < page.index("Alert on training/serving skew") < recommended
    assert recommended < page.index("A dashboard per model")
    assert "Required for release" in page and "monitoring practice 2" in page
    ja = member.get("/guidelines/monitoring/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "学習と推論のずれを通知する" in ja and "モデルごとのダッシュボード" in ja


def test_markdown_in_the_requirements_is_sanitised(
    client_for: Callable[[str], Any], guideline: Guideline
) -> None:
    client_for("admin").post(
        "/gate/guidelines/monitoring/", {"required_en": "- ok <script>alert(1)</script>"}
    )
    page = client_for("member").get("/guidelines/monitoring/").content.decode()
    assert "<script>alert(1)</script>" not in page


def test_the_product_page_shows_the_gate_turning_from_fail_to_pass(
    client_for: Callable[[str], Any], cast: Any, version: Any, settings: Any
) -> None:
    settings.SCORE_TARGETS_BY_PHASE = {"production": 5.0}
    rnd = factories.make_round(version, products=(cast.product,))
    values = {f"monitoring.i{n}": "0.5" for n in range(1, 8)}
    assessment = factories.make_assessment(rnd, cast.product, values, default="1")
    assessment_submit(assessment=assessment, by=cast.member)
    page = client_for("member").get("/products/ads-ctr/").content.decode()
    assert 'data-gate="fail"' in page
    assert "Monitoring: 3.50, needs 5.00" in page
    assert "Badge for a README" in page
    for n in (1, 2, 3):
        item = Item.objects.get(version=version, key=f"monitoring.i{n}")
        answer_set(assessment=assessment, item=item, value="1", base_revision=None, by=cast.member)
    assessment_submit(assessment=assessment, by=cast.member)
    page = client_for("manager").get("/products/ads-ctr/").content.decode()
    assert 'data-gate="pass"' in page
    assert "Badge for a README" not in page  # managers read; members and admins manage keys


def test_the_gate_pages_read_in_japanese(
    client_for: Callable[[str], Any], cast: Any, version: Any, guideline: Guideline
) -> None:
    admin = client_for("admin")
    page = admin.get("/gate/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "リリースゲート" in page and "リリースに必須 (1 であること)" in page
    page = admin.get("/gate/guidelines/monitoring/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "必須" in page and "推奨" in page
    page = (
        client_for("member").get("/products/ads-ctr/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    )
    assert "リリースゲート" in page and "不通過" in page


def test_the_assessment_page_marks_the_items_required_for_release(
    client_for: Callable[[str], Any], cast: Any, version: Any
) -> None:
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(rnd, cast.product)
    GatePolicy.objects.create(phase="poc", required_items=["data.i1"])
    page = client_for("member").get(f"/assessments/{assessment.pk}/").content.decode()
    assert "data-required-for-release" not in page  # ads-ctr is in production
    GatePolicy.objects.create(phase="production", required_items=["data.i2"])
    page = client_for("member").get(f"/assessments/{assessment.pk}/").content.decode()
    assert page.count("data-required-for-release") == 1
    item = page.index("data-required-for-release")
    assert page.rindex('data-code="D2"', 0, item) > page.rindex('data-code="D1"', 0, item)
