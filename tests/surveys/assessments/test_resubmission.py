"""A submitted assessment stays submitted unless an answer really differs."""

from __future__ import annotations

from typing import Any

import pytest

from surveys.assessments.services import answer_set, assessment_submit
from surveys.models import Answer, AnswerRevision, AssessmentStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(version: Any, cast: Any) -> Any:
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(rnd, cast.product, default="0.5")
    return assessment_submit(assessment=assessment, by=cast.member)


def _set(assessment: Any, key: str, value: str, by: Any) -> Any:
    item = assessment.round.version.items.get(key=key)
    revision = Answer.objects.get(assessment=assessment, item=item).revision
    return answer_set(assessment=assessment, item=item, value=value, base_revision=revision, by=by)


def test_saving_the_submitted_value_again_is_no_change(submitted: Any, cast: Any) -> None:
    _set(submitted, "data.i1", "0.5", cast.member)
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.SUBMITTED
    assert not AnswerRevision.objects.filter(answer__assessment=submitted).exists()


def test_a_change_that_ends_where_it_started_leaves_it_submitted(submitted: Any, cast: Any) -> None:
    _set(submitted, "data.i1", "1", cast.member)
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.DRAFT  # one real difference: submit again
    _set(submitted, "data.i1", "0.5", cast.member)
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.SUBMITTED


def test_it_stays_a_draft_while_another_answer_still_differs(submitted: Any, cast: Any) -> None:
    _set(submitted, "data.i1", "1", cast.member)
    _set(submitted, "data.i2", "0", cast.member)
    _set(submitted, "data.i1", "0.5", cast.member)
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.DRAFT
    _set(submitted, "data.i2", "0.5", cast.member)
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.SUBMITTED


def test_a_never_submitted_assessment_becomes_a_draft(version: Any, cast: Any) -> None:
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(rnd, cast.product, status=AssessmentStatus.NOT_STARTED)
    _set(assessment, "data.i1", "1", cast.member)
    _set(assessment, "data.i1", None, cast.member)  # type: ignore[arg-type]
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT
