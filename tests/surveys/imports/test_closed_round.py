"""DESIGN §6.2 and §4 for imports into rounds: rows for a closed round change only the
answers they name, as a recorded re-score; historical rounds are frozen like a close,
regressions included."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from surveys.imports.services import answers_import
from surveys.models import (
    AnswerRevision,
    AreaScore,
    Assessment,
    AssessmentStatus,
    RevisionSource,
    RoundEventKind,
    RoundReport,
    RoundStatus,
)
from surveys.rounds import services
from tests import factories
from tests.data.answers_files import write_csv

pytestmark = pytest.mark.django_db

KEYS = [f"{area}.i{n}" for area in ("data", "model", "infra", "monitoring") for n in range(1, 8)]


def test_a_one_row_file_changes_only_the_answer_it_names(
    version: Any, cast: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(
        rnd, cast.product, default="0.5", status=AssessmentStatus.SUBMITTED
    )
    Assessment.objects.filter(pk=assessment.pk).update(
        submitted_at=dt.datetime(2026, 10, 20, tzinfo=dt.UTC)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(round=rnd, now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assessment.refresh_from_db()
    assert (assessment.status, assessment.final_score) == (AssessmentStatus.SUBMITTED, 3.5)
    submitted_at = assessment.submitted_at
    built_before = RoundReport.objects.get(round=rnd).built_at

    path = tmp_path / "one.csv"
    path.write_text("round,product,item,answer\n2026-10,ads-ctr,data.i1,1\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        result = answers_import(path=path, version=version, by=cast.admin)

    assessment.refresh_from_db()
    assert (assessment.status, assessment.submitted_at) == (
        AssessmentStatus.SUBMITTED,
        submitted_at,
    )
    values = dict(assessment.answers.values_list("item__key", "value"))
    assert values == {key: "1" if key == "data.i1" else "0.5" for key in KEYS}
    # Stored scores are rebuilt from all 28 answers: data rose to 4.0, the minimum stays 3.5.
    assert assessment.final_score == 3.5 and assessment.score_source == RevisionSource.IMPORT
    assert AreaScore.objects.get(assessment=assessment, area_key="data").score == 4.0
    [revision] = AnswerRevision.objects.filter(answer__assessment=assessment)
    assert (revision.old_value, revision.new_value, revision.source, revision.by) == (
        "0.5",
        "1",
        RevisionSource.IMPORT,
        cast.admin,
    )
    event = rnd.events.order_by("-pk").first()
    assert event is not None
    assert (event.kind, event.source, event.by) == (
        RoundEventKind.RESCORED,
        RevisionSource.IMPORT,
        cast.admin,
    )
    assert event.details["answers_changed"] == 1 and event.details["submitted"] == 1
    assert RoundReport.objects.get(round=rnd).built_at > built_before
    assert result.answers_changed == 1
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.CLOSED


def test_an_import_flags_regressions_as_a_close_does(
    version: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [("2021-04", "2021-04-01", "p1", "", "", key, 1, "") for key in KEYS]
    rows += [("2021-10", "2021-10-01", "p1", "", "", key, 0.5, "") for key in KEYS]
    with django_capture_on_commit_callbacks(execute=True):
        result = answers_import(path=write_csv(tmp_path / "a.csv", rows), version=version)
    assert [r.regressions for r in result.rounds] == [0, 1]
    later = Assessment.objects.get(round__label="2021-10")
    assert later.is_regression and later.regression["previous_round"] == "2021-04"
    assert later.regression["final_drop"] == 3.5
    event = later.round.events.get()
    assert (event.kind, event.source) == (RoundEventKind.IMPORTED, RevisionSource.IMPORT)
    assert event.details["regressions"] == 1
    assert RoundReport.objects.filter(round=later.round).exists()
