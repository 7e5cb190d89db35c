"""The Answers sheet and the CSV of answers are read back by ``import_answers`` (DESIGN §6.2).

Round trip: export, wipe the organisation, import the file, and get the same trend and
the same answers back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from io import StringIO
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client

from reports.figures.trend import trend_document
from surveys.models import (
    Answer,
    AnswerRevision,
    Assessment,
    Department,
    Product,
    Round,
    RoundStatus,
)
from tests import factories

pytestmark = pytest.mark.django_db
NA_ITEMS = ("data.i3", "model.i1", "model.i2", "model.i3")


def build() -> None:
    version = factories.make_version(areas=("data", "model"), per_area=3, na_items=NA_ITEMS)
    ads = factories.DepartmentFactory(slug="ads", name="Ads")
    search = factories.DepartmentFactory(slug="search", name="Search")
    products = {
        "p1": factories.ProductFactory(slug="p1", department=ads),
        "p2": factories.ProductFactory(slug="p2", department=ads, phase="poc"),
        "p3": factories.ProductFactory(slug="p3", department=search),
    }
    table = {
        ("2021-10", dt.date(2021, 10, 1)): {
            "p1": {"data.i1": "1", "data.i2": "1", "data.i3": "NA", "model.i1": "0.5"},
            "p2": {"data.i1": "0"},
            "p3": {"data.i1": None},  # incomplete: targeted, not scored
        },
        ("2022-04", dt.date(2022, 4, 1)): {
            "p1": {"data.i3": "0.5", "model.i1": "NA", "model.i2": "NA", "model.i3": "NA"},
            "p3": {},
        },
    }
    for (label, opens_on), answers in table.items():
        rnd = factories.make_round(
            version, label=label, opens_on=opens_on, status=RoundStatus.CLOSED
        )
        for slug, values in answers.items():
            factories.make_assessment(rnd, products[slug], values, default="1")
        factories.score_round(rnd)
    Answer.objects.filter(assessment__product__slug="p1", item__key="data.i3").update(
        note="no hand-made features"
    )


def answer_set() -> set[tuple[Any, ...]]:
    return set(
        Answer.objects.values_list(
            "assessment__round__label",
            "assessment__product__slug",
            "assessment__product__department__name",
            "assessment__product__phase",
            "item__key",
            "value",
            "note",
        )
    )


def wipe() -> None:
    AnswerRevision.objects.all().delete()
    Answer.objects.all().delete()
    Assessment.objects.all().delete()
    Round.objects.all().delete()
    Product.objects.all().delete()
    Department.objects.all().delete()


def round_trip(*paths: str) -> None:
    before_document = trend_document(questionnaire="mlts")
    before_answers = answer_set()
    wipe()
    for path in paths:
        call_command("import_answers", path, "--questionnaire", "mlts@2017.1", stdout=StringIO())
    assert trend_document(questionnaire="mlts") == before_document
    assert answer_set() == before_answers


def test_the_workbook_reads_back(tmp_path: Any) -> None:
    """A workbook holds one round's answers: the workbooks of both rounds, read back in
    turn, give the same trend and the same answers."""
    build()
    first, latest = tmp_path / "2021-10.xlsx", tmp_path / "latest.xlsx"
    export = ("export_report", "--questionnaire", "mlts", "--format", "xlsx")
    call_command(*export, "--answers-round", "2021-10", "-o", str(first))
    call_command(*export, "-o", str(latest))  # the latest round with answers: 2022-04
    for path, label in ((first, "2021-10"), (latest, "2022-04")):
        workbook = openpyxl.load_workbook(path, read_only=True)
        assert workbook.sheetnames[-1] == "Answers"
        assert {row[0] for row in workbook["Answers"].iter_rows(min_row=2, values_only=True)} == {
            label
        }
    round_trip(str(first), str(latest))


def test_the_csv_of_answers_reads_back(tmp_path: Any) -> None:
    build()
    client = Client()
    client.force_login(factories.manager_user(username="manager"))
    response = client.get("/reports/answers.csv")
    text = b"".join(response.streaming_content).decode()
    assert len(list(csv.reader(io.StringIO(text)))) == 1 + 5 * 6
    path = tmp_path / "answers.csv"
    path.write_text(text, encoding="utf-8")
    round_trip(str(path))


def test_formula_like_text_reads_back_as_typed(tmp_path: Any) -> None:
    """The CSV's ``'`` before formula-like text is taken off again on import, and the
    workbook's string cells read back as they are (DESIGN §6.2)."""
    build()
    notes = ["=1+1", "+SUM(A1)", "-3", "@here", "'quoted already", "a=b"]
    answers = Answer.objects.filter(assessment__product__slug="p1").order_by("pk")
    for answer, note in zip(answers, notes, strict=False):
        answer.note = note
        answer.save(update_fields=["note"])
    Department.objects.filter(slug="ads").update(name="=Ads")
    client = Client()
    client.force_login(factories.manager_user(username="manager"))
    text = b"".join(client.get("/reports/answers.csv").streaming_content).decode("utf-8-sig")
    assert "'=1+1" in text and "'=Ads" in text
    path = tmp_path / "answers.csv"
    path.write_text(text, encoding="utf-8")
    round_trip(str(path))
    assert set(Answer.objects.values_list("note", flat=True)) >= set(notes)
    assert Department.objects.filter(name="=Ads").exists()
    first, latest = tmp_path / "2021-10.xlsx", tmp_path / "latest.xlsx"
    export = ("export_report", "--questionnaire", "mlts", "--format", "xlsx")
    call_command(*export, "--answers-round", "2021-10", "-o", str(first))
    call_command(*export, "-o", str(latest))
    round_trip(str(first), str(latest))
