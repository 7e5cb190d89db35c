"""A submission stands until the team submits again (DESIGN §2): changes after it are
unsubmitted changes, counted, submitted again or discarded; the stored score stays the
last submission's."""

from __future__ import annotations

from typing import Any

import pytest

from surveys.assessments.services import answer_set, assessment_discard, assessment_submit
from surveys.core.errors import ApplicationError
from surveys.models import Answer, AnswerRevision, AssessmentStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(version: Any, cast: Any) -> Any:
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(rnd, cast.product, default="0.5")
    return assessment_submit(assessment=assessment, by=cast.member)


def _set(assessment: Any, key: str, value: str | None, by: Any, **fields: str) -> Any:
    item = assessment.round.version.items.get(key=key)
    revision = Answer.objects.get(assessment=assessment, item=item).revision
    return answer_set(
        assessment=assessment, item=item, value=value, base_revision=revision, by=by, **fields
    )


def _answer(assessment: Any, key: str) -> Answer:
    return Answer.objects.get(assessment=assessment, item__key=key)


def test_saving_the_submitted_value_again_is_no_change(submitted: Any, cast: Any) -> None:
    _set(submitted, "data.i1", "0.5", cast.member)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.unsubmitted_changes) == (AssessmentStatus.SUBMITTED, 0)
    assert not AnswerRevision.objects.filter(answer__assessment=submitted).exists()


def test_touching_a_submitted_answer_keeps_the_submission_and_its_score(
    submitted: Any, cast: Any
) -> None:
    score = submitted.final_score
    _set(submitted, "data.i1", "1", cast.member)
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.SUBMITTED
    assert submitted.unsubmitted_changes == 1
    assert submitted.final_score == score  # the stored score is the submission's
    answer = _answer(submitted, "data.i1")
    assert (answer.value, answer.submitted_value) == ("1", "0.5")


def test_a_change_that_ends_where_it_started_is_no_unsubmitted_change(
    submitted: Any, cast: Any
) -> None:
    _set(submitted, "data.i1", "1", cast.member)
    _set(submitted, "data.i2", "0", cast.member)
    submitted.refresh_from_db()
    assert submitted.unsubmitted_changes == 2
    _set(submitted, "data.i1", "0.5", cast.member)  # the keyboard passing through
    submitted.refresh_from_db()
    assert submitted.unsubmitted_changes == 1
    _set(submitted, "data.i2", "0.5", cast.member)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.unsubmitted_changes) == (AssessmentStatus.SUBMITTED, 0)


def test_a_count_written_short_behind_the_service_is_counted_afresh_not_a_500(
    submitted: Any, cast: Any, client_for: Any
) -> None:
    """Seen on deadline day's bench: a raw restore left a count of 0 beside an answer that
    differed from the submission; changing that answer back failed the count's check
    (below zero), a 500. The save now goes through and the count is the true one."""
    import json

    from surveys.models import Assessment

    _set(submitted, "data.i1", "1", cast.member)
    _set(submitted, "data.i2", "0", cast.member)
    Assessment.objects.filter(pk=submitted.pk).update(unsubmitted_changes=0)
    answer = _answer(submitted, "data.i1")
    response = client_for("member").post(
        f"/assessments/{submitted.pk}/items/{answer.item_id}/",
        data=json.dumps({"value": "0.5", "base_revision": answer.revision}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["unsubmitted_changes"] == 1  # data.i2 still differs
    submitted.refresh_from_db()
    assert (submitted.status, submitted.unsubmitted_changes) == (AssessmentStatus.SUBMITTED, 1)
    _set(submitted, "data.i2", "0.5", cast.member)
    submitted.refresh_from_db()
    assert submitted.unsubmitted_changes == 0


def test_a_changed_note_is_an_unsubmitted_change_too(submitted: Any, cast: Any) -> None:
    _set(submitted, "data.i1", "0.5", cast.member, note="run by hand monthly")
    submitted.refresh_from_db()
    assert submitted.unsubmitted_changes == 1


def test_submitting_again_replaces_the_submission(submitted: Any, cast: Any) -> None:
    _set(submitted, "data.i1", "1", cast.member)
    again = assessment_submit(assessment=submitted, by=cast.member)
    assert again.unsubmitted_changes == 0
    assert _answer(again, "data.i1").submitted_value == "1"
    assert again.final_score is not None and again.final_score >= submitted.final_score


def test_discarding_goes_back_to_the_submission_and_records_it(submitted: Any, cast: Any) -> None:
    _set(submitted, "data.i1", "1", cast.member, note="automated now")
    _set(submitted, "data.i7", "NA", cast.member, na_reason="no such data")
    restored = assessment_discard(assessment=submitted, by=cast.member)
    assert restored == 2
    submitted.refresh_from_db()
    assert (submitted.status, submitted.unsubmitted_changes) == (AssessmentStatus.SUBMITTED, 0)
    first, second = _answer(submitted, "data.i1"), _answer(submitted, "data.i7")
    assert (first.value, first.note) == ("0.5", "")
    assert (second.value, second.na_reason) == ("0.5", "")
    # Every step stays in the history: two changes, two going back.
    history = list(
        AnswerRevision.objects.filter(answer=first).values_list("old_value", "new_value")
    )
    assert history == [("0.5", "1"), ("1", "0.5")]


def test_there_is_nothing_to_discard_before_a_first_submission(version: Any, cast: Any) -> None:
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(rnd, cast.product, default="0.5")
    with pytest.raises(ApplicationError, match="no submission"):
        assessment_discard(assessment=assessment, by=cast.member)


def test_others_may_not_discard(submitted: Any, cast: Any) -> None:
    _set(submitted, "data.i1", "1", cast.member)
    for user in (cast.manager, cast.other_member):
        with pytest.raises(ApplicationError, match="may not change"):
            assessment_discard(assessment=submitted, by=user)
    submitted.refresh_from_db()
    assert submitted.unsubmitted_changes == 1


def test_a_never_submitted_assessment_becomes_a_draft(version: Any, cast: Any) -> None:
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(rnd, cast.product, status=AssessmentStatus.NOT_STARTED)
    _set(assessment, "data.i1", "1", cast.member)
    _set(assessment, "data.i1", None, cast.member)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT
