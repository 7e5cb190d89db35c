"""Review of submitted assessments (issue 16, point 1): the state machine, the team's
replies on its assessment page, emails, and the whole permission cast."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from mlopsscore import celery_app
from mlopsscore.errors import ApplicationError
from surveys.models import AssessmentStatus, AuditEvent, QueryState, ReviewQuery, ReviewState
from surveys.reviews import services
from surveys.tokens.services import token_create
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(version: Any, cast: Any) -> Any:
    rnd = factories.make_round(version)
    assessment = factories.make_assessment(
        rnd, cast.product, default="1", status=AssessmentStatus.SUBMITTED
    )
    factories.score_round(rnd)
    return assessment


@pytest.fixture
def eager() -> Iterator[None]:
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def item(assessment: Any, code: str) -> Any:
    return assessment.round.version.items.get(code=code)


def test_query_reply_resolve_accept(
    client: Any, cast: Any, submitted: Any, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(cast.admin)
    d1, d2 = item(submitted, "D1"), item(submitted, "D2")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reviews:query", args=[submitted.pk]),
            {"item": [d1.pk, d2.pk], "comment": "1 claimed, no check has reported since March"},
        )
    submitted.refresh_from_db()
    assert submitted.review.state == ReviewState.QUERIED
    assert submitted.status == AssessmentStatus.SUBMITTED and submitted.final_score is not None
    assert [m.to for m in mail.outbox] == [["member@example.com"]]
    assert "D1, D2" in mail.outbox[0].body
    # Accepting with open queries is refused.
    page = client.post(reverse("reviews:accept", args=[submitted.pk]), follow=True).content.decode()
    assert "Resolve the open queries first: D1, D2." in page
    # The team sees the query beside the item and replies.
    client.force_login(cast.member)
    page = client.get(reverse("assessment", args=[submitted.pk])).content.decode()
    assert "1 claimed, no check has reported since March" in page and "Under review" in page
    query = ReviewQuery.objects.get(item=d1)
    client.post(
        reverse("reviews:reply", args=[query.pk]), {"text": "The check runs nightly in CI."}
    )
    query.refresh_from_db()
    assert query.state == QueryState.ANSWERED
    # The reviewer sees the reply, re-queries D1 once, then resolves both and accepts.
    client.force_login(cast.admin)
    page = client.get(reverse("reviews:detail", args=[submitted.pk])).content.decode()
    assert "The check runs nightly in CI." in page
    client.post(
        reverse("reviews:resolve", args=[query.pk]), {"action": "requery", "text": "Link the run?"}
    )
    query.refresh_from_db()
    assert query.state == QueryState.OPEN
    assert [m.kind for m in query.messages.all()] == ["query", "reply", "requery"]
    for q in ReviewQuery.objects.all():
        client.post(reverse("reviews:resolve", args=[q.pk]))
    client.post(reverse("reviews:accept", args=[submitted.pk]))
    submitted.review.refresh_from_db()
    assert submitted.review.state == ReviewState.ACCEPTED
    actions = list(
        AuditEvent.objects.filter(category="reviews")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "review.queried", "review.replied", "review.queried",
        "review.resolved", "review.resolved", "review.accepted",
    ]  # fmt: skip


def test_only_submitted_assessments_are_reviewed(cast: Any, version: Any) -> None:
    rnd = factories.make_round(version)
    draft = factories.make_assessment(rnd, cast.product, default="1")
    with pytest.raises(ApplicationError, match="Only a submitted assessment"):
        services.review_query(
            assessment=draft, items=[item(draft, "D1")], comment="?", by=cast.admin
        )
    with pytest.raises(ApplicationError, match="Only a submitted assessment"):
        services.review_accept(assessment=draft, by=cast.admin)


def test_the_cast(client: Any, cast: Any, submitted: Any) -> None:
    d1 = item(submitted, "D1")
    services.review_query(assessment=submitted, items=[d1], comment="why?", by=cast.admin)
    query = ReviewQuery.objects.get()
    admin_pages = [
        ("get", reverse("reviews:list")),
        ("get", reverse("reviews:detail", args=[submitted.pk])),
        ("post", reverse("reviews:query", args=[submitted.pk])),
        ("post", reverse("reviews:accept", args=[submitted.pk])),
        ("post", reverse("reviews:resolve", args=[query.pk])),
    ]
    for who in ("member", "other_member", "manager"):
        client.force_login(getattr(cast, who))
        for method, url in admin_pages:
            assert getattr(client, method)(url).status_code == 403, (who, url)
    reply = reverse("reviews:reply", args=[query.pk])
    client.force_login(cast.other_member)
    assert client.post(reply, {"text": "not mine"}).status_code == 404
    client.force_login(cast.manager)
    assert client.post(reply, {"text": "I only read"}).status_code == 403
    client.logout()
    for method, url in [*admin_pages, ("post", reply)]:
        assert getattr(client, method)(url).status_code == 302
    _, raw = token_create(product=cast.other_product, name="ci", by=cast.admin)
    for method, url in [*admin_pages, ("post", reply)]:
        response = getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code in (302, 403), url
    query.refresh_from_db()
    assert query.state == QueryState.OPEN and query.messages.count() == 1


def test_review_list_shows_states_and_open_queries(client: Any, cast: Any, submitted: Any) -> None:
    services.review_query(
        assessment=submitted, items=[item(submitted, "D1")], comment="why?", by=cast.admin
    )
    client.force_login(cast.admin)
    response = client.get(reverse("reviews:list"))
    row = response.context["rows"][0]
    assert row.open_queries == 1 and row.review.state == "queried"
    ja = client.get(reverse("reviews:list"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "レビュー" in ja
