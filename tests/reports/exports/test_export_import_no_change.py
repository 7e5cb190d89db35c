"""What the app exports in the answers format imports back as no change at all (DESIGN
§6.2): a row equal to what is stored is no change, whatever the round's state, so a dry
run of the file just downloaded changes no answer, re-scores nothing, and a round still
open is not refused for rows that say what it holds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from surveys.core.errors import ApplicationError
from surveys.imports.services import answers_import
from surveys.models import (
    Answer,
    AnswerRevision,
    Assessment,
    AssessmentStatus,
    QuestionnaireVersion,
    RoundEvent,
    RoundStatus,
)
from tests import factories

pytestmark = pytest.mark.django_db
NA_ITEMS = ("data.i3", "model.i1", "model.i2", "model.i3")


def build() -> QuestionnaireVersion:
    version = factories.make_version(areas=("data", "model"), per_area=3, na_items=NA_ITEMS)
    ads = factories.DepartmentFactory(slug="ads", name="Ads")
    p1 = factories.ProductFactory(slug="p1", department=ads)
    p2 = factories.ProductFactory(slug="p2", department=ads, phase="poc")
    closed = factories.make_round(
        version, label="2021-10", opens_on=dt.date(2021, 10, 1), status=RoundStatus.CLOSED
    )
    factories.make_assessment(
        closed,
        p1,
        {"data.i3": "NA", "model.i1": "0.5"},
        default="1",
        status=AssessmentStatus.SUBMITTED,
    )
    # Complete but never submitted before the close: not scored, and must stay so.
    factories.make_assessment(closed, p2, default="1", status=AssessmentStatus.NOT_SUBMITTED)
    factories.score_round(closed)
    Assessment.objects.filter(product=p2, round=closed).update(final_score=None)
    opened = factories.make_round(
        version, label="2022-04", opens_on=dt.date(2022, 4, 1), status=RoundStatus.OPEN
    )
    factories.make_assessment(opened, p1, {"model.i2": "NA"}, default="0.5")
    factories.make_assessment(opened, p2, {"data.i1": None}, default="0")
    # An N/A's reason is kept apart from its note; notes as people type them.
    Answer.objects.filter(item__key="data.i3").update(note="no hand-made features  ")
    Answer.objects.filter(item__key="model.i1", assessment__round=closed).update(
        note="=SUM(A1) typed as text"
    )
    Answer.objects.filter(item__key="model.i2").update(note="  padded")
    return version


def stored() -> list[tuple[Any, ...]]:
    return list(
        Answer.objects.order_by("pk").values_list(
            "pk", "value", "note", "na_reason", "revision", "updated_at"
        )
    )


def scores() -> list[tuple[Any, ...]]:
    return list(
        Assessment.objects.order_by("pk").values_list(
            "pk", "status", "final_score", "submitted_at", "updated_at"
        )
    )


def downloaded(tmp_path: Path) -> Path:
    client = Client()
    client.force_login(factories.admin_user(username="admin"))
    response = client.get("/reports/answers.csv")
    assert response.status_code == 200
    path = tmp_path / "answers.csv"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def test_the_csv_just_downloaded_imports_back_as_no_change(tmp_path: Path) -> None:
    version = build()
    path = downloaded(tmp_path)
    answers, assessments = stored(), scores()
    dry = answers_import(path=path, version=version, dry_run=True)
    assert dry.answers_changed == 0
    assert dry.scored == 0 and not dry.rounds_created
    result = answers_import(path=path, version=version)
    assert result.answers_changed == 0
    assert stored() == answers and scores() == assessments
    assert not AnswerRevision.objects.exists()
    assert not RoundEvent.objects.exists()  # no re-score recorded


def test_the_workbook_answers_sheet_imports_back_as_no_change(tmp_path: Path) -> None:
    version = build()
    answers, assessments = stored(), scores()
    for label in ("2021-10", "2022-04"):
        out = tmp_path / f"{label}.xlsx"
        call_command(
            "export_report",
            "--questionnaire",
            version.questionnaire.key,
            "--format",
            "xlsx",
            "--answers-round",
            label,
            "-o",
            str(out),
        )
        assert answers_import(path=out, version=version).answers_changed == 0
    assert stored() == answers and scores() == assessments


def test_an_open_rounds_row_that_differs_is_still_refused(tmp_path: Path) -> None:
    version = build()
    path = downloaded(tmp_path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    changed = [
        line.replace(",0.5,", ",1,", 1) if line.startswith("2022-04,") and ",p1," in line else line
        for line in lines
    ]
    assert changed != lines
    path.write_text("\n".join(changed) + "\n", encoding="utf-8")
    answers = stored()
    with pytest.raises(ApplicationError) as raised:
        answers_import(path=path, version=version, dry_run=True)
    assert "round '2022-04' is open, not closed" in raised.value.details[0]
    assert stored() == answers


def test_a_changed_row_of_a_closed_round_still_changes_only_that_answer(tmp_path: Path) -> None:
    version = build()
    path = downloaded(tmp_path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    target = next(
        n
        for n, line in enumerate(lines)
        if line.startswith("2021-10,") and ",p1," in line and ",data.i1," in line
    )
    lines[target] = lines[target].replace(",data.i1,1,", ",data.i1,0,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = answers_import(path=path, version=version)
    assert result.answers_changed == 1
    assert AnswerRevision.objects.count() == 1
    assert (
        Answer.objects.get(
            assessment__round__label="2021-10", assessment__product__slug="p1", item__key="data.i1"
        ).value
        == "0"
    )
    # The N/A keeps its reason; the assessment never submitted stays unscored.
    na = Answer.objects.get(
        assessment__round__label="2021-10", assessment__product__slug="p1", item__key="data.i3"
    )
    assert na.na_reason == "does not apply"
    p2 = Assessment.objects.get(round__label="2021-10", product__slug="p2")
    assert p2.status == AssessmentStatus.NOT_SUBMITTED and p2.final_score is None
