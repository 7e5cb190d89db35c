"""Services of the assessment: answer_set (validation, revisions, conflicts), submit."""

from __future__ import annotations

from typing import Any

import pytest

from surveys.assessments.services import AnswerConflict, answer_set, assessment_submit
from surveys.core.errors import ApplicationError
from surveys.models import Answer, AnswerRevision, AreaScore, AssessmentStatus, RoundStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(version: Any, cast: Any) -> Any:
    rnd = factories.make_round(version, products=(cast.product,))
    return factories.make_assessment(rnd, cast.product, status=AssessmentStatus.NOT_STARTED)


def item(assessment: Any, key: str) -> Any:
    return assessment.round.version.items.get(key=key)


def test_answer_set_stores_value_bumps_revision_and_keeps_history(assessment: Any, cast: Any):
    answer = answer_set(
        assessment=assessment,
        item=item(assessment, "data.i1"),
        value="0.5",
        note="run by hand",
        base_revision=0,
        by=cast.member,
    )
    assert (answer.value, answer.revision, answer.updated_by) == ("0.5", 1, cast.member)
    answer = answer_set(
        assessment=assessment, item=answer.item, value="1", base_revision=1, by=cast.member
    )
    assert answer.revision == 2
    history = list(
        AnswerRevision.objects.filter(answer=answer).values_list("old_value", "new_value")
    )
    assert history == [(None, "0.5"), ("0.5", "1")]
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT


def test_na_only_where_allowed_and_with_a_reason(assessment: Any, cast: Any):
    with pytest.raises(ApplicationError, match="N/A is not allowed for D1"):
        answer_set(
            assessment=assessment, item=item(assessment, "data.i1"), value="NA",
            na_reason="x", base_revision=0, by=cast.member,
        )  # fmt: skip
    with pytest.raises(ApplicationError, match="Give a reason"):
        answer_set(
            assessment=assessment, item=item(assessment, "data.i7"), value="N/A",
            na_reason="  ", base_revision=0, by=cast.member,
        )  # fmt: skip
    answer = answer_set(
        assessment=assessment, item=item(assessment, "data.i7"), value="対象外",
        na_reason="no hand-made features", base_revision=0, by=cast.member,
    )  # fmt: skip
    assert (answer.value, answer.na_reason) == ("NA", "no hand-made features")


@pytest.mark.parametrize("value", ["2", "yes", "0.25"])
def test_bad_values_are_refused(assessment: Any, cast: Any, value: str):
    with pytest.raises(ApplicationError, match=r"Choose 0, 0\.5, 1 or N/A"):
        answer_set(
            assessment=assessment, item=item(assessment, "data.i1"), value=value,
            base_revision=0, by=cast.member,
        )  # fmt: skip


def test_evidence_link_must_be_a_web_address(assessment: Any, cast: Any):
    with pytest.raises(ApplicationError, match="web address"):
        answer_set(
            assessment=assessment, item=item(assessment, "data.i1"), value="1",
            evidence_url="javascript:alert(1)", base_revision=0, by=cast.member,
        )  # fmt: skip


def test_a_change_based_on_an_older_revision_is_a_conflict(assessment: Any, cast: Any):
    it = item(assessment, "model.i1")
    answer_set(assessment=assessment, item=it, value="1", base_revision=0, by=cast.admin)
    with pytest.raises(AnswerConflict) as caught:
        answer_set(assessment=assessment, item=it, value="0", base_revision=0, by=cast.member)
    assert (caught.value.answer.value, caught.value.answer.updated_by) == ("1", cast.admin)
    assert Answer.objects.get(assessment=assessment, item=it).value == "1"
    # Overwriting on purpose means basing the change on the revision now stored.
    answer = answer_set(assessment=assessment, item=it, value="0", base_revision=1, by=cast.member)
    assert (answer.value, answer.revision) == ("0", 2)


def test_a_retried_save_of_what_is_stored_is_not_a_conflict(assessment: Any, cast: Any):
    it = item(assessment, "model.i1")
    answer_set(assessment=assessment, item=it, value="1", base_revision=0, by=cast.member)
    again = answer_set(assessment=assessment, item=it, value="1", base_revision=0, by=cast.member)
    assert again.revision == 1
    assert AnswerRevision.objects.filter(answer=again).count() == 1


def test_closed_rounds_and_outsiders_cannot_change_answers(assessment: Any, cast: Any):
    it = item(assessment, "data.i1")
    for user in (cast.manager, cast.other_member):
        with pytest.raises(ApplicationError, match="may not change"):
            answer_set(assessment=assessment, item=it, value="1", base_revision=0, by=user)
    assessment.round.status = RoundStatus.CLOSED
    assessment.round.save()
    with pytest.raises(ApplicationError, match="closed"):
        answer_set(assessment=assessment, item=it, value="1", base_revision=0, by=cast.admin)


def test_submit_needs_every_answer(assessment: Any, cast: Any):
    with pytest.raises(ApplicationError, match="28 items are still unanswered") as caught:
        assessment_submit(assessment=assessment, by=cast.member)
    assert caught.value.details == ["28 items are still unanswered; answer every item to submit."]


def test_submit_refuses_more_na_than_allowed(version: Any, cast: Any):
    version = factories.make_version(
        version="na-heavy", na_items=("data.i1", "data.i2", "data.i3", "data.i4")
    )
    rnd = factories.make_round(version, label="na", products=(cast.product,))
    values = {f"data.i{n}": "NA" for n in range(1, 5)}
    assessment = factories.make_assessment(rnd, cast.product, values, default="1")
    with pytest.raises(ApplicationError) as caught:
        assessment_submit(assessment=assessment, by=cast.member)
    assert caught.value.details == ["Data: 4 items are N/A, at most 3 are allowed per area."]


def test_submit_stores_scores_and_can_be_repeated_while_open(assessment: Any, cast: Any):
    assessment.answers.update(value="1")
    assessment.answers.filter(item__key="monitoring.i1").update(value="0")
    assessment_submit(assessment=assessment, by=cast.member)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert assessment.final_score == 6.0 and assessment.band == ">5"
    assert AreaScore.objects.get(assessment=assessment, area_key="monitoring").score == 6.0
    it = item(assessment, "monitoring.i2")
    answer_set(assessment=assessment, item=it, value="0", base_revision=0, by=cast.member)
    assessment.refresh_from_db()
    # The submission stands (DESIGN §2): its score too, until submitted again.
    assert (assessment.status, assessment.unsubmitted_changes) == (AssessmentStatus.SUBMITTED, 1)
    assert assessment.final_score == 6.0
    assessment_submit(assessment=assessment, by=cast.member)
    assessment.refresh_from_db()
    assert (assessment.status, assessment.final_score) == (AssessmentStatus.SUBMITTED, 5.0)


def test_every_band_meaning_is_translated_in_japanese():
    from django.utils import translation

    from scoring.bands import BANDS
    from surveys.assessments.selectors import band_meaning

    with translation.override("ja"):
        shown = [band_meaning(band.key) for band in BANDS]
    assert all(text and text != band.meaning for text, band in zip(shown, BANDS, strict=True))


def test_a_scheduled_round_cannot_be_answered_yet(assessment: Any, cast: Any):
    assessment.round.status = RoundStatus.SCHEDULED
    assessment.round.save()
    with pytest.raises(ApplicationError, match="not opened yet"):
        answer_set(
            assessment=assessment, item=item(assessment, "data.i1"), value="1",
            base_revision=0, by=cast.member,
        )  # fmt: skip
