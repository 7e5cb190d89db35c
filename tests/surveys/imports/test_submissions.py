"""An answers file records submissions (DESIGN §5: initiatives read their history): a
complete assessment of a new historical round was submitted by the round's close; a file
that changes one later submits it again on the day of the import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine

from surveys.imports.services import answers_import
from surveys.models import Submission
from tests.data.answers_files import write_csv
from tests.surveys.imports.test_answers import KEYS, every, rows_for

pytestmark = pytest.mark.django_db

CLOSE = dt.datetime(2021, 10, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def _history() -> list[tuple[str, dt.datetime, dt.datetime | None]]:
    return list(
        Submission.objects.order_by("assessment__product__slug", "at").values_list(
            "assessment__product__slug", "at", "voided_at"
        )
    )


def test_an_import_records_and_replaces_submissions(version: Any, tmp_path: Path) -> None:
    rows = [
        *rows_for("ads-ctr", every(1)),
        *rows_for("incomplete", {k: 1 for k in KEYS if k != "model.i3"}),
    ]
    answers_import(path=write_csv(tmp_path / "a.csv", rows), version=version)
    assert _history() == [("ads-ctr", CLOSE, None)]

    with time_machine.travel(LATER, tick=False):
        changed = rows_for("ads-ctr", {"monitoring.i1": "0"})
        answers_import(path=write_csv(tmp_path / "b.csv", changed), version=version)
    assert _history() == [("ads-ctr", CLOSE, None), ("ads-ctr", LATER, None)]

    with time_machine.travel(LATER + dt.timedelta(days=1), tick=False):
        unchanged = rows_for("ads-ctr", {"monitoring.i1": "0"})
        answers_import(path=write_csv(tmp_path / "c.csv", unchanged), version=version)
    assert len(_history()) == 2  # a file equal to what is stored submits nothing


def test_a_file_that_leaves_an_assessment_incomplete_voids_its_submission(
    version: Any, tmp_path: Path
) -> None:
    answers_import(
        path=write_csv(tmp_path / "a.csv", rows_for("ads-ctr", every(1))), version=version
    )
    with time_machine.travel(LATER, tick=False):
        cleared = rows_for("ads-ctr", {"monitoring.i1": ""})
        answers_import(path=write_csv(tmp_path / "b.csv", cleared), version=version)
    assert _history() == [("ads-ctr", CLOSE, LATER)]
