"""Feedback on items (DESIGN §2, §5): left by respondents, shown in the studio beside the
draft's items, answered by an admin, seen by the respondent, and reported per round."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from surveys.feedback.services import feedback_leave, feedback_resolve
from surveys.models import AuditEvent, Item, ItemFeedback
from surveys.questionnaires.services import version_copy
from tests import factories


@pytest.fixture
def assessment(cast: Any, version: Any) -> Any:
    rnd = factories.make_round(version, products=(cast.product, cast.other_product))
    factories.make_assessment(rnd, cast.other_product)
    return factories.make_assessment(rnd, cast.product)


def item_of(assessment: Any, key: str = "monitoring.i3") -> Item:
    return Item.objects.get(version=assessment.round.version, key=key)


def post_url(assessment: Any, item: Item) -> str:
    return f"/feedback/assessments/{assessment.pk}/items/{item.pk}/"


@pytest.mark.parametrize(
    ("who", "status", "stored"),
    [
        ("member", 302, 1),
        ("other_member", 404, 0),
        ("manager", 403, 0),
        ("admin", 302, 1),
        ("anonymous", 302, 0),
        ("foreign_token", 302, 0),
    ],
)
def test_who_may_leave_feedback(
    client_for: Callable[[str], Any], assessment: Any, who: str, status: int, stored: int
) -> None:
    item = item_of(assessment)
    response = client_for(who).post(
        post_url(assessment, item), {"kind": "does_not_apply", "comment": "No features here."}
    )
    assert response.status_code == status
    assert ItemFeedback.objects.count() == stored
    if stored:
        assert response["Location"] == f"/assessments/{assessment.pk}/#item-{item.pk}"
        feedback = ItemFeedback.objects.get()
        assert (feedback.item_key, feedback.kind, feedback.comment) == (
            "monitoring.i3",
            "does_not_apply",
            "No features here.",
        )
        assert AuditEvent.objects.filter(action="feedback.left").count() == 1


def test_the_respondent_sees_their_feedback_beside_the_item(
    client_for: Callable[[str], Any], assessment: Any
) -> None:
    client = client_for("member")
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "Feedback on this question" in page
    client.post(post_url(assessment, item_of(assessment)), {"kind": "unclear", "comment": "Which?"})
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "Your team's feedback" in page
    assert "Which?" in page


def test_a_manager_reads_the_page_without_a_feedback_form(
    client_for: Callable[[str], Any], assessment: Any
) -> None:
    page = client_for("manager").get(f"/assessments/{assessment.pk}/").content.decode()
    assert "Feedback on this question" not in page


def test_bad_input_gets_a_message_and_keeps_what_was_typed(
    client_for: Callable[[str], Any], assessment: Any
) -> None:
    client = client_for("member")
    item = item_of(assessment)
    response = client.post(post_url(assessment, item), {"kind": "other", "comment": "  "})
    assert response.status_code == 400
    assert "Say in a comment what the feedback is about." in response.content.decode()
    long = "x" * 5001
    response = client.post(post_url(assessment, item), {"kind": "unclear", "comment": long})
    assert response.status_code == 400
    assert long in response.content.decode()
    response = client.post(post_url(assessment, item), {"kind": "nonsense"})
    assert response.status_code == 400
    assert ItemFeedback.objects.count() == 0


def test_an_item_of_another_version_is_404(
    client_for: Callable[[str], Any], assessment: Any, version: Any
) -> None:
    draft = version_copy(version=version, new_version="2027.1")
    other_item = Item.objects.get(version=draft, key="monitoring.i3")
    response = client_for("member").post(post_url(assessment, other_item), {"kind": "unclear"})
    assert response.status_code == 404


def test_the_studio_shows_feedback_beside_the_draft_and_the_admin_answers_it(
    client_for: Callable[[str], Any], cast: Any, assessment: Any, version: Any
) -> None:
    item = item_of(assessment)
    first = feedback_leave(
        assessment=assessment, item=item, kind="too_strict", comment="Hourly?", by=cast.member
    )
    second = feedback_leave(
        assessment=assessment, item=item, kind="unclear", comment="", by=cast.member
    )
    draft = version_copy(version=version, new_version="2027.1")
    admin = client_for("admin")
    page = admin.get(f"/questionnaires/versions/{draft.pk}/").content.decode()
    assert 'data-studio-feedback="monitoring.i3"' in page
    assert "Criteria too strict 1" in page and "Unclear 1" in page
    assert "Hourly?" in page and cast.product.name in page and "2026-10" in page

    back = f"/questionnaires/versions/{draft.pk}/"
    response = admin.post(
        f"/feedback/{first.pk}/resolve/",
        {"status": "addressed", "version": draft.pk, "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    response = admin.post(f"/feedback/{second.pk}/resolve/", {"status": "declined", "next": back})
    second.refresh_from_db()
    assert second.status == "open"  # no reason: refused with a message
    admin.post(
        f"/feedback/{second.pk}/resolve/",
        {"status": "declined", "reason": "The criteria say it.", "next": back},
    )
    page = client_for("member").get(f"/assessments/{assessment.pk}/").content.decode()
    assert "Addressed by mlts@2027.1" in page
    assert "The criteria say it." in page
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"feedback.addressed", "feedback.declined"} <= actions


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member", 403),
        ("other_member", 403),
        ("manager", 403),
        ("admin", 302),
        ("anonymous", 302),
        ("foreign_token", 302),
    ],
)
def test_only_admins_answer_feedback(
    client_for: Callable[[str], Any], cast: Any, assessment: Any, who: str, status: int
) -> None:
    feedback = feedback_leave(
        assessment=assessment, item=item_of(assessment), kind="unclear", comment="", by=cast.member
    )
    response = client_for(who).post(
        f"/feedback/{feedback.pk}/resolve/", {"status": "declined", "reason": "no"}
    )
    assert response.status_code == status
    feedback.refresh_from_db()
    assert feedback.status == ("declined" if who == "admin" else "open")


def test_a_version_of_another_questionnaire_cannot_address_it(cast: Any, assessment: Any) -> None:
    from surveys.core.errors import ApplicationError

    other = factories.make_version(key="other")
    feedback = feedback_leave(
        assessment=assessment, item=item_of(assessment), kind="unclear", comment="", by=cast.member
    )
    with pytest.raises(ApplicationError):
        feedback_resolve(feedback=feedback, status="addressed", version=other, by=cast.admin)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member", 403),
        ("other_member", 403),
        ("manager", 200),
        ("admin", 200),
        ("anonymous", 302),
        ("foreign_token", 302),
    ],
)
def test_the_report_lists_the_items_with_most_feedback_per_round(
    client_for: Callable[[str], Any], cast: Any, assessment: Any, who: str, status: int
) -> None:
    for kind in ("unclear", "too_lax", "unclear"):
        feedback_leave(
            assessment=assessment, item=item_of(assessment), kind=kind, comment="", by=cast.member
        )
    feedback_leave(
        assessment=assessment,
        item=item_of(assessment, "data.i1"),
        kind="other",
        comment="?",
        by=cast.member,
    )
    response = client_for(who).get("/feedback/")
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert page.index('data-report-item="monitoring.i3"') < page.index(
            'data-report-item="data.i1"'
        )
        assert "Unclear 2" in page and "Criteria too lax 1" in page


def test_feedback_reads_in_japanese(
    client_for: Callable[[str], Any], cast: Any, assessment: Any
) -> None:
    feedback = feedback_leave(
        assessment=assessment,
        item=item_of(assessment),
        kind="too_strict",
        comment="",
        by=cast.member,
    )
    feedback_resolve(feedback=feedback, status="declined", reason="理由", by=cast.admin)
    page = (
        client_for("member")
        .get(f"/assessments/{assessment.pk}/", HTTP_ACCEPT_LANGUAGE="ja")
        .content.decode()
    )
    assert "この設問へのフィードバック" in page
    assert "基準が厳しすぎる" in page and "見送り" in page
    report = client_for("admin").get("/feedback/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "項目へのフィードバック" in report and "基準が厳しすぎる 1" in report
