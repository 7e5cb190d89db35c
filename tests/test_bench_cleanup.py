"""`make bench` puts the bench database back after each section: a round it made is
dropped with every row that points to it, whichever models hold them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from benchmarks.sections import drop_round
from surveys.assessments.services import answer_set, assessment_submit
from surveys.models import (
    Answer,
    AnswerRevision,
    AreaScore,
    Assessment,
    AssessmentStatus,
    Item,
    Round,
    Submission,
)
from tests import factories


def _submitted_then_changed(rnd: Round, product: Any, by: Any) -> Assessment:
    assessment = factories.make_assessment(rnd, product, default="1")
    assessment_submit(assessment=assessment, by=by)
    item = Item.objects.get(version=rnd.version, key="data.i1")
    answer_set(assessment=assessment, item=item, value="0", base_revision=None, by=by)
    return assessment


def test_a_bench_round_goes_with_its_submissions_revisions_and_scores(
    cast: Any, version: Any
) -> None:
    kept = factories.make_round(version, label="2026-04", opens_on=dt.date(2026, 4, 1))
    bench = factories.make_round(version, label="bench-x", opens_on=dt.date(2026, 10, 1))
    mine = _submitted_then_changed(kept, cast.product, cast.member)
    theirs = _submitted_then_changed(bench, cast.product, cast.member)
    for model in (Submission, AnswerRevision, AreaScore):
        field = "answer__assessment" if model is AnswerRevision else "assessment"
        assert model.objects.filter(**{field: theirs}).exists(), model

    drop_round(bench.pk)

    assert not Round.objects.filter(pk=bench.pk).exists()
    assert not Assessment.objects.filter(pk=theirs.pk).exists()
    assert not Answer.objects.filter(assessment_id=theirs.pk).exists()
    assert not Submission.objects.filter(assessment_id=theirs.pk).exists()
    # The other round keeps everything.
    mine.refresh_from_db()
    assert mine.status == AssessmentStatus.SUBMITTED and mine.unsubmitted_changes == 1
    assert (
        Answer.objects.filter(assessment=mine).count()
        == Item.objects.filter(version=version).count()
    )
    assert Submission.objects.filter(assessment=mine).count() == 1
    assert AnswerRevision.objects.filter(answer__assessment=mine).count() >= 1
    assert AreaScore.objects.filter(assessment=mine).exists()
