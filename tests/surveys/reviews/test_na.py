"""N/A governance: where the version asks for it, an N/A is pending until an MLOps admin
approves it (scored as N/A meanwhile) or rejects it (the item is then unanswered); an
approval may expire after a date or a number of rounds, and is carried forward until then."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from surveys.core.errors import ApplicationError
from surveys.models import (
    Answer,
    AnswerRevision,
    AssessmentStatus,
    CarryStatus,
    NaStatus,
    RoundStatus,
    StepKind,
)
from surveys.reviews import selectors, services
from surveys.rounds.services import round_close, round_open
from tests import factories
from tests.surveys.reviews.conftest import submitted

NA_ITEMS = {"data.i7": "NA", "monitoring.i7": "NA"}


def na_answer(assessment: Any, key: str = "data.i7") -> Answer:
    return Answer.objects.get(assessment=assessment, item__key=key)


def first_round(version: Any, cast: Any) -> Any:
    rnd = factories.make_round(
        version, label="2026-04", opens_on=dt.date(2026, 4, 1), products=(cast.product,)
    )
    return rnd, submitted(rnd, cast.product, cast.member, NA_ITEMS)


def next_round(version: Any, cast: Any, previous: Any, label: str, opens_on: dt.date) -> Any:
    round_close(round=previous, notify=False)
    rnd = factories.make_round(
        version,
        label=label,
        opens_on=opens_on,
        status=RoundStatus.SCHEDULED,
        products=(cast.product,),
    )
    round_open(round=rnd, notify=False)
    rnd.refresh_from_db()
    return rnd, rnd.assessments.get(product=cast.product)


def test_pending_na_is_scored_as_na_and_marked(approval_version: Any, cast: Any) -> None:
    rnd, assessment = first_round(approval_version, cast)
    review = selectors.assessment_review(assessment, cast.member)
    data, monitoring = na_answer(assessment), na_answer(assessment, "monitoring.i7")
    assert review.na == {data.item_id: "pending", monitoring.item_id: "pending"}
    assert review.pending_na == 2
    # Scored as N/A: data is rescaled over its 6 applicable items, all 1 → 7.
    assert assessment.final_score == 7.0
    assert selectors.pending_na_of([assessment]) == {assessment.pk: 2}
    assert selectors.na_counts(rnd) == {"approved": 0, "pending": 2, "rejected": 0}


def test_approve_then_reject(
    approval_version: Any, cast: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rnd, assessment = first_round(approval_version, cast)
    services.na_approve(answer=na_answer(assessment), by=cast.admin, comment="Image model")
    with django_capture_on_commit_callbacks(execute=True):
        services.na_reject(
            answer=na_answer(assessment, "monitoring.i7"),
            by=cast.admin,
            comment="The model is served: monitoring applies",
        )
    assert selectors.na_counts(rnd) == {"approved": 1, "pending": 0, "rejected": 1}
    rejected = na_answer(assessment, "monitoring.i7")
    assert rejected.value is None  # the item is unanswered
    revision = AnswerRevision.objects.filter(answer=rejected).last()
    assert (revision.old_value, revision.new_value, revision.source, revision.by) == (
        "NA",
        None,
        "admin",
        cast.admin,
    )
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT  # to be answered and submitted again
    [mail] = mailoutbox
    assert "MON7" in mail.body and "monitoring applies" in mail.body
    kinds = list(assessment.review_steps.values_list("kind", "source"))
    assert kinds == [(StepKind.NA_APPROVED, "admin"), (StepKind.NA_REJECTED, "admin")]


def test_changing_the_reason_needs_a_new_approval(approval_version: Any, cast: Any) -> None:
    from surveys.assessments.services import answer_set

    _, assessment = first_round(approval_version, cast)
    answer = na_answer(assessment)
    services.na_approve(answer=answer, by=cast.admin)
    assert selectors.assessment_review(assessment, cast.admin).na[answer.item_id] == "approved"
    answer_set(
        assessment=assessment,
        item=answer.item,
        value="NA",
        na_reason="another reason",
        base_revision=None,
        by=cast.member,
    )
    assert selectors.assessment_review(assessment, cast.admin).na[answer.item_id] == "pending"


def test_decisions_are_checked(approval_version: Any, cast: Any) -> None:
    _, assessment = first_round(approval_version, cast)
    with pytest.raises(ApplicationError, match="Write a comment"):
        services.na_reject(answer=na_answer(assessment), by=cast.admin, comment="")
    with pytest.raises(ApplicationError, match="Only MLOps admins"):
        services.na_approve(answer=na_answer(assessment), by=cast.manager)
    with pytest.raises(ApplicationError, match="not N/A"):
        services.na_approve(answer=na_answer(assessment, "data.i1"), by=cast.admin)
    with pytest.raises(ApplicationError, match="1 to 20 rounds"):
        services.na_approve(answer=na_answer(assessment), by=cast.admin, rounds=0)
    with pytest.raises(ApplicationError, match="expire after the round opened"):
        services.na_approve(
            answer=na_answer(assessment), by=cast.admin, expires_on=dt.date(2026, 3, 1)
        )


def test_no_approval_where_the_version_does_not_ask_for_it(version: Any, cast: Any) -> None:
    rnd, assessment = first_round(version, cast)
    assert selectors.assessment_review(assessment, cast.admin).na == {}
    assert selectors.na_counts(rnd) == {"approved": 0, "pending": 0, "rejected": 0}
    with pytest.raises(ApplicationError, match="does not ask for N/A approval"):
        services.na_approve(answer=na_answer(assessment), by=cast.admin)


def test_an_approval_for_two_rounds_is_carried_once_then_expires(
    approval_version: Any, cast: Any
) -> None:
    first, assessment = first_round(approval_version, cast)
    services.na_approve(answer=na_answer(assessment), by=cast.admin, rounds=2)
    # monitoring.i7 stays pending: it is carried, and pending again in the next round.
    second, carried = next_round(approval_version, cast, first, "2026-10", dt.date(2026, 10, 1))
    review = selectors.assessment_review(carried, cast.admin)
    data, monitoring = na_answer(carried), na_answer(carried, "monitoring.i7")
    assert (data.value, data.carry) == ("NA", CarryStatus.CARRIED)
    assert review.na == {data.item_id: "approved", monitoring.item_id: "pending"}
    assert review.na_decisions[data.item_id].rounds_left == 1
    # Submitted again as carried, the third round finds the approval used up.
    from surveys.assessments.services import assessment_submit

    assessment_submit(assessment=carried, by=cast.member)
    _, latest = next_round(approval_version, cast, second, "2027-04", dt.date(2027, 4, 1))
    data = na_answer(latest)
    assert (data.value, data.na_reason, data.carry) == (None, "", CarryStatus.NA_EXPIRED)
    monitoring = na_answer(latest, "monitoring.i7")
    assert (monitoring.value, monitoring.carry) == ("NA", CarryStatus.CARRIED)


def test_an_approval_until_a_date_expires_in_the_first_round_after_it(
    approval_version: Any, cast: Any
) -> None:
    first, assessment = first_round(approval_version, cast)
    services.na_approve(
        answer=na_answer(assessment), by=cast.admin, expires_on=dt.date(2026, 9, 30)
    )
    _, carried = next_round(approval_version, cast, first, "2026-10", dt.date(2026, 10, 1))
    expired = na_answer(carried)
    assert (expired.value, expired.carry) == (None, CarryStatus.NA_EXPIRED)
    # The expiry is a change of the answer like any other: its history says so.
    [revision] = expired.revisions.all()
    assert (revision.old_value, revision.new_value, revision.source) == ("NA", None, "carry")


def test_an_approval_without_expiry_keeps_being_carried(approval_version: Any, cast: Any) -> None:
    first, assessment = first_round(approval_version, cast)
    services.na_approve(answer=na_answer(assessment), by=cast.admin)
    _, carried = next_round(approval_version, cast, first, "2026-10", dt.date(2026, 10, 1))
    review = selectors.assessment_review(carried, cast.admin)
    assert review.na[na_answer(carried).item_id] == NaStatus.APPROVED


def test_the_assessment_page_marks_pending_and_expired_na(
    approval_version: Any, cast: Any, client_for: Any
) -> None:
    first, assessment = first_round(approval_version, cast)
    html = client_for("member").get(f"/assessments/{assessment.pk}/").content.decode()
    assert "2 N/A pending approval" in html
    assert html.count("data-na-state>N/A pending approval") == 2
    services.na_approve(answer=na_answer(assessment), by=cast.admin, rounds=1)
    _, carried = next_round(approval_version, cast, first, "2026-10", dt.date(2026, 10, 1))
    html = client_for("member").get(f"/assessments/{carried.pk}/").content.decode()
    assert "N/A approval expired" in html and "answer this item again" in html
    assert "1 N/A pending approval" in html  # monitoring.i7 was never approved


def test_the_product_page_marks_pending_na_beside_the_score(
    approval_version: Any, cast: Any, client_for: Any
) -> None:
    first_round(approval_version, cast)
    html = client_for("manager").get(f"/products/{cast.product.slug}/").content.decode()
    assert html.count("data-pending-na>2 N/A pending") == 2  # latest score and history


def test_the_reviews_index_counts_na_per_round(
    approval_version: Any, cast: Any, client_for: Any
) -> None:
    rnd, assessment = first_round(approval_version, cast)
    services.na_approve(answer=na_answer(assessment), by=cast.admin)
    services.na_reject(answer=na_answer(assessment, "monitoring.i7"), by=cast.admin, comment="no")
    [row] = selectors.rounds_summary([rnd])
    assert row["na"] == {"approved": 1, "pending": 0, "rejected": 1}
    assert (row["submitted"], row["sampled"], row["queried"], row["accepted"]) == (0, 0, 0, 0)
    html = client_for("manager").get("/reviews/").content.decode()
    assert "1 · 0 · 1" in html
