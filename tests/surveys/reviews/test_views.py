"""The review pages for the whole cast (STYLE.md): a member of the product, a member of
another product, a manager, an admin, an anonymous visitor and a CI token of another
product; and what each sees of a review on the assessment, product and home pages."""

from __future__ import annotations

from typing import Any

import pytest

from surveys.models import Item, QueryStatus, ReviewQuery, ReviewSample, ReviewState
from surveys.reviews import selectors, services
from tests.conftest import WHO


def query_on(assessment: Any, cast: Any, key: str = "infra.i2") -> ReviewQuery:
    item = Item.objects.get(version=assessment.round.version, key=key)
    return services.review_query(
        assessment=assessment, items=[item], comment="No check has run since March", by=cast.admin
    )[0]


# Anonymous visitors and tokens (which sign nobody in to the web pages) are sent to log in.
READ = {"member": 403, "other_member": 403, "manager": 200, "admin": 200}
READ_ONE = {"member": 403, "other_member": 404, "manager": 200, "admin": 200}


@pytest.mark.parametrize("who", WHO)
def test_round_review_page(assessment: Any, rnd: Any, cast: Any, who: str, client_for: Any) -> None:
    response = client_for(who).get(f"/reviews/rounds/{rnd.pk}/")
    if who in ("anonymous", "foreign_token"):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    assert response.status_code == READ[who]
    if response.status_code == 200:
        html = response.content.decode()
        assert "Review coverage" in html and "Ads Ctr" in html
        assert ('id="sample-form"' in html) == (who == "admin")
    index = client_for(who).get("/reviews/")
    assert index.status_code == READ[who]


@pytest.mark.parametrize("who", WHO)
def test_assessment_review_page(assessment: Any, cast: Any, who: str, client_for: Any) -> None:
    response = client_for(who).get(f"/reviews/assessments/{assessment.pk}/")
    if who in ("anonymous", "foreign_token"):
        assert response.status_code == 302
        return
    assert response.status_code == READ_ONE[who]
    if response.status_code == 200:
        assert ('id="query-form"' in response.content.decode()) == (who == "admin")


@pytest.mark.parametrize("who", WHO)
def test_only_admins_query_accept_resolve_and_draw(
    assessment: Any, rnd: Any, cast: Any, who: str, client_for: Any
) -> None:
    item = Item.objects.get(version=rnd.version, key="data.i1")
    client = client_for(who)
    response = client.post(
        f"/reviews/assessments/{assessment.pk}/query/", {"items": [item.pk], "comment": "Why?"}
    )
    expected = {"member": 403, "other_member": 404, "manager": 403, "admin": 302}
    assert response.status_code == expected.get(who, 302)
    assert ReviewQuery.objects.exists() == (who == "admin")
    query = ReviewQuery.objects.first() or query_on(assessment, cast)
    services.review_query_reply(query=query, comment="because", by=cast.member)
    resolve = client.post(f"/reviews/queries/{query.pk}/resolve/")
    assert resolve.status_code == expected.get(who, 302)
    query.refresh_from_db()
    assert (query.status == QueryStatus.RESOLVED) == (who == "admin")
    accept = client.post(f"/reviews/assessments/{assessment.pk}/accept/")
    assert accept.status_code == expected.get(who, 302)
    assessment.refresh_from_db()
    state = selectors.assessment_review(assessment, cast.admin).state
    assert (state == ReviewState.ACCEPTED) == (who == "admin")
    draw = client.post(f"/reviews/rounds/{rnd.pk}/sample/", {"size": "1", "seed": "1"})
    assert draw.status_code == {"member": 403, "other_member": 403, "manager": 403}.get(who, 302)
    assert ReviewSample.objects.exists() == (who == "admin")


@pytest.mark.parametrize("who", WHO)
def test_the_products_team_replies(assessment: Any, cast: Any, who: str, client_for: Any) -> None:
    query = query_on(assessment, cast)
    response = client_for(who).post(
        f"/reviews/queries/{query.pk}/reply/", {"comment": "The check runs nightly"}
    )
    expected = {"member": 302, "other_member": 404, "manager": 403, "admin": 302}
    assert response.status_code == expected.get(who, 302)
    query.refresh_from_db()
    assert (query.status == QueryStatus.REPLIED) == (who in ("member", "admin"))
    if who == "member":
        assert response["Location"] == f"/assessments/{assessment.pk}/#item-{query.item_id}"


def test_the_team_sees_the_query_beside_its_item_and_the_mark(
    assessment: Any, cast: Any, client_for: Any
) -> None:
    query = query_on(assessment, cast)
    member = client_for("member")
    html = member.get(f"/assessments/{assessment.pk}/").content.decode()
    block = html[html.index(f'id="review-{query.item_id}"') :]
    assert "No check has run since March" in block[:3000]
    assert f'form="reply-{query.pk}"' in block[:3000]
    assert (
        f'<form id="reply-{query.pk}" method="post" action="/reviews/queries/{query.pk}/reply/"'
        in html
    )
    assert "Under review" in html and "1 open query from the reviewer" in html
    home = member.get("/").content.decode()
    assert "Questions from reviewers" in home and "1 query waits for your reply" in home
    product = member.get(f"/products/{cast.product.slug}/").content.decode()
    assert 'data-review-state="queried"' in product
    # Another product's member sees none of it on their home page.
    assert "Questions from reviewers" not in client_for("other_member").get("/").content.decode()


def test_bad_input_is_a_message_not_a_500(
    assessment: Any, rnd: Any, cast: Any, client_for: Any
) -> None:
    admin = client_for("admin")
    response = admin.post(
        f"/reviews/assessments/{assessment.pk}/query/", {"comment": "x"}, follow=True
    )
    assert "Choose at least one answer to query." in response.content.decode()
    response = admin.post(f"/reviews/rounds/{rnd.pk}/sample/", {"size": "many"}, follow=True)
    assert response.status_code == 200 and "Enter a whole number." in response.content.decode()
    response = admin.post(
        f"/reviews/assessments/{assessment.pk}/query/",
        {"items": ["999999"], "comment": "x"},
        follow=True,
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    query = query_on(assessment, cast)
    response = admin.post(f"/reviews/assessments/{assessment.pk}/accept/", follow=True)
    assert "1 query is not resolved yet" in response.content.decode()
    response = admin.post(f"/reviews/queries/{query.pk}/requery/", {"comment": ""}, follow=True)
    assert "This field is required." in response.content.decode()


def test_round_page_shows_coverage_changes_and_raw_scores(
    assessment: Any, rnd: Any, cast: Any, client_for: Any
) -> None:
    from surveys.assessments.services import answer_set, assessment_submit
    from tests.surveys.reviews.conftest import submitted

    other = submitted(rnd, cast.other_product, cast.other_member)
    services.sample_draw(round=rnd, size=2, seed=1, by=cast.admin)
    query = query_on(assessment, cast)
    answer_set(
        assessment=assessment, item=query.item, value="0.5", base_revision=None, by=cast.member
    )
    assessment_submit(assessment=assessment, by=cast.member)
    services.review_query_resolve(query=query, by=cast.admin)
    services.review_accept(assessment=assessment, by=cast.admin)
    rows, total = selectors.round_coverage(rnd)
    assert (total.accepted, total.sampled, total.submitted) == (1, 2, 2)
    by_department = {
        r.department: (r.accepted, r.sampled, r.submitted, r.changed_answers) for r in rows
    }
    assert by_department == {
        cast.product.department.name: (1, 1, 1, 1),
        cast.other_product.department.name: (0, 1, 1, 0),
    }
    assert (total.changed_answers, total.reviewed_answers) == (1, 28)
    html = client_for("manager").get(f"/reviews/rounds/{rnd.pk}/").content.decode()
    assert "1 / 2 / 2" in html and "(1 / 28)" in html
    accepted = client_for("manager").get(f"/reviews/rounds/{rnd.pk}/?state=accepted")
    assert "Ads Ctr" in accepted.content.decode()
    assert other.product.name not in accepted.content.decode().split('id="assessments"')[1]


def test_japanese_pages_and_email(
    assessment: Any,
    rnd: Any,
    cast: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
    client_for: Any,
) -> None:
    from surveys.models import Profile

    Profile.objects.create(user=cast.member, language="ja")
    with django_capture_on_commit_callbacks(execute=True):
        query_on(assessment, cast)
    [mail] = mailoutbox
    assert "レビュアーから質問があります" in mail.subject
    assert "次の回答について問い合わせています" in mail.body
    manager = client_for("manager")
    manager.cookies["django_language"] = "ja"
    html = manager.get(f"/reviews/rounds/{rnd.pk}/").content.decode()
    assert "レビューの網羅率" in html and "校正サンプル" in html
    member = client_for("member")
    member.cookies["django_language"] = "ja"
    html = member.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "レビュー中" in html and "レビュアーへの返信" in html


def test_the_round_page_links_to_its_review(rnd: Any, cast: Any, client_for: Any) -> None:
    html = client_for("admin").get(f"/rounds/{rnd.pk}/").content.decode()
    assert f'href="/reviews/rounds/{rnd.pk}/"' in html


def test_the_round_page_shows_the_answers_the_reviewer_has_to_read(
    assessment: Any, rnd: Any, cast: Any, client_for: Any
) -> None:
    query = query_on(assessment, cast)
    page = client_for("admin").get(f"/reviews/rounds/{rnd.pk}/").content.decode()
    assert "data-awaiting" not in page
    services.review_query_reply(query=query, comment="done", by=cast.member)
    page = client_for("admin").get(f"/reviews/rounds/{rnd.pk}/").content.decode()
    assert "data-awaiting>1 answer to read<" in page


def test_the_previous_score_column_is_the_previous_round_in_japanese(
    assessment: Any, rnd: Any, client_for: Any
) -> None:
    """The column of last round's score is 前回, not the pager's 前へ."""
    response = client_for("admin").get(f"/reviews/rounds/{rnd.pk}/", HTTP_ACCEPT_LANGUAGE="ja")
    html = response.content.decode()
    assert '<th scope="col" class="num">前回</th>' in html
