"""The review state machine: unreviewed → queried ⇄ replied → resolved → accepted."""

from __future__ import annotations

from typing import Any

import pytest

from surveys.assessments.services import answer_set, assessment_submit
from surveys.core.errors import ApplicationError
from surveys.models import (
    AssessmentStatus,
    Item,
    QueryStatus,
    ReviewState,
    ReviewStep,
    StepKind,
)
from surveys.reviews import selectors, services
from tests import factories


def item(assessment: Any, key: str) -> Item:
    return Item.objects.get(version=assessment.round.version, key=key)


def state(assessment: Any, user: Any) -> str:
    assessment.refresh_from_db()
    return selectors.assessment_review(assessment, user).state


def test_a_submitted_assessment_starts_unreviewed(assessment: Any, cast: Any) -> None:
    assert state(assessment, cast.admin) == ReviewState.UNREVIEWED


def test_query_answer_resolve_accept_records_every_step(
    assessment: Any, cast: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    scored = (assessment.final_score, assessment.verified_score)
    with django_capture_on_commit_callbacks(execute=True):
        [query] = services.review_query(
            assessment=assessment,
            items=[item(assessment, "infra.i2")],
            comment="1 claimed, no check has reported since March",
            by=cast.admin,
        )
    assert state(assessment, cast.admin) == ReviewState.QUERIED
    # A queried assessment stays submitted and scored.
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert (assessment.final_score, assessment.verified_score) == scored
    # The product's members are told by email, with the item and the comment.
    [mail] = mailoutbox
    assert mail.to == ["member@example.com"]
    assert "I2" in mail.body and "no check has reported since March" in mail.body
    assert f"/assessments/{assessment.pk}/" in mail.body

    services.review_query_reply(query=query, comment="The check runs nightly now", by=cast.member)
    query.refresh_from_db()
    assert query.status == QueryStatus.REPLIED
    services.review_query_resolve(query=query, by=cast.admin, comment="Thanks")
    services.review_accept(assessment=assessment, by=cast.admin)
    assert state(assessment, cast.admin) == ReviewState.ACCEPTED
    steps = list(ReviewStep.objects.filter(assessment=assessment).order_by("at", "id"))
    assert [(s.kind, s.by, s.comment) for s in steps] == [
        (StepKind.QUERIED, cast.admin, "1 claimed, no check has reported since March"),
        (StepKind.REPLIED, cast.member, "The check runs nightly now"),
        (StepKind.RESOLVED, cast.admin, "Thanks"),
        (StepKind.ACCEPTED, cast.admin, ""),
    ]
    assert all(s.source == "web" for s in steps)


def test_requery_sends_the_query_back_to_the_team(assessment: Any, cast: Any) -> None:
    [query] = services.review_query(
        assessment=assessment, items=[item(assessment, "data.i1")], comment="Why?", by=cast.admin
    )
    with pytest.raises(ApplicationError, match="still waiting for the team"):
        services.review_query_requery(query=query, comment="Again", by=cast.admin)
    services.review_query_reply(query=query, comment="Because", by=cast.member)
    services.review_query_requery(query=query, comment="Show the run, please", by=cast.admin)
    query.refresh_from_db()
    assert query.status == QueryStatus.OPEN
    assert [s.kind for s in query.steps.order_by("at", "id")] == [
        StepKind.QUERIED,
        StepKind.REPLIED,
        StepKind.REQUERIED,
    ]


def test_accept_is_refused_while_a_query_is_open(assessment: Any, cast: Any) -> None:
    services.review_query(
        assessment=assessment,
        items=[item(assessment, "data.i1"), item(assessment, "data.i2")],
        comment="Check these",
        by=cast.admin,
    )
    with pytest.raises(ApplicationError, match="2 queries are not resolved yet"):
        services.review_accept(assessment=assessment, by=cast.admin)
    assert state(assessment, cast.admin) == ReviewState.QUERIED


def test_a_changed_answer_shows_in_the_thread_and_needs_a_new_submission(
    assessment: Any, cast: Any
) -> None:
    infra = item(assessment, "infra.i2")
    [query] = services.review_query(
        assessment=assessment, items=[infra], comment="No check ran", by=cast.admin
    )
    answer_set(assessment=assessment, item=infra, value="0.5", base_revision=None, by=cast.member)
    review = selectors.assessment_review(assessment, cast.admin)
    [thread] = review.threads[infra.pk]
    assert thread.answer_changed and thread.value_now == "0.5"
    services.review_query_resolve(query=query, by=cast.admin)
    with pytest.raises(ApplicationError, match="Only a submitted assessment can be accepted"):
        services.review_accept(assessment=assessment, by=cast.admin)
    assessment_submit(assessment=assessment, by=cast.member)
    services.review_accept(assessment=assessment, by=cast.admin)
    assert state(assessment, cast.admin) == ReviewState.ACCEPTED


def test_an_acceptance_holds_only_for_the_submission_it_saw(assessment: Any, cast: Any) -> None:
    services.review_accept(assessment=assessment, by=cast.admin)
    answer_set(
        assessment=assessment,
        item=item(assessment, "data.i3"),
        value="0",
        base_revision=None,
        by=cast.member,
    )
    assessment_submit(assessment=assessment, by=cast.member)
    assert state(assessment, cast.admin) == ReviewState.UNREVIEWED


@pytest.mark.parametrize("who", ["member", "manager", "other_member"])
def test_only_admins_query_resolve_and_accept(assessment: Any, cast: Any, who: str) -> None:
    user = getattr(cast, who)
    with pytest.raises(ApplicationError, match="Only MLOps admins"):
        services.review_query(
            assessment=assessment, items=[item(assessment, "data.i1")], comment="x", by=user
        )
    with pytest.raises(ApplicationError, match="Only MLOps admins"):
        services.review_accept(assessment=assessment, by=user)


def test_only_the_products_team_replies(assessment: Any, cast: Any) -> None:
    [query] = services.review_query(
        assessment=assessment, items=[item(assessment, "data.i1")], comment="?", by=cast.admin
    )
    for user in (cast.other_member, cast.manager):
        with pytest.raises(ApplicationError, match="Only the product's members"):
            services.review_query_reply(query=query, comment="not mine", by=user)


def test_bad_input_gets_a_clear_message(assessment: Any, rnd: Any, cast: Any) -> None:
    data = item(assessment, "data.i1")
    with pytest.raises(ApplicationError, match="Write a comment"):
        services.review_query(assessment=assessment, items=[data], comment="  ", by=cast.admin)
    with pytest.raises(ApplicationError, match="Choose at least one answer"):
        services.review_query(assessment=assessment, items=[], comment="x", by=cast.admin)
    draft = factories.make_assessment(rnd, cast.other_product, default="1")  # never submitted
    with pytest.raises(ApplicationError, match="Only a submitted assessment"):
        services.review_query(assessment=draft, items=[data], comment="x", by=cast.admin)
    with pytest.raises(ApplicationError, match="at most 4000"):
        services.review_query(
            assessment=assessment, items=[data], comment="x" * 4001, by=cast.admin
        )


def test_home_page_lists_queries_waiting_for_the_team(assessment: Any, cast: Any) -> None:
    services.review_query(
        assessment=assessment, items=[item(assessment, "data.i1")], comment="?", by=cast.admin
    )
    assert selectors.queries_awaiting(cast.member) == [
        {"assessment_id": assessment.pk, "product": "Ads Ctr", "round": "2026-10", "count": 1}
    ]
    assert selectors.queries_awaiting(cast.other_member) == []


def test_review_steps_reach_the_audit_rows(assessment: Any, cast: Any) -> None:
    services.review_query(
        assessment=assessment, items=[item(assessment, "data.i1")], comment="?", by=cast.admin
    )
    services.review_query_reply(query=assessment.review_queries.get(), comment="ok", by=cast.member)
    rows = selectors.audit_rows(selectors.review_steps_for_audit())
    assert [(r["kind"], r["by"], r["target"], r["comment"]) for r in rows] == [
        ("review.replied", cast.member, "Ads Ctr · 2026-10 · D1", "ok"),
        ("review.queried", cast.admin, "Ads Ctr · 2026-10 · D1", "?"),
    ]


def test_changing_the_answer_answers_the_query(assessment: Any, cast: Any) -> None:
    infra = item(assessment, "infra.i2")
    services.review_query(assessment=assessment, items=[infra], comment="?", by=cast.admin)
    assert selectors.queries_awaiting(cast.member)[0]["count"] == 1
    answer_set(assessment=assessment, item=infra, value="0.5", base_revision=None, by=cast.member)
    assert selectors.queries_awaiting(cast.member) == []
    [thread] = selectors.assessment_review(assessment, cast.admin).threads[infra.pk]
    assert thread.awaits_reviewer
