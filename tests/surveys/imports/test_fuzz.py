"""Fuzzing the answers import: generated rows and cells, as CSV and as XLSX.

Whatever the file holds, the import either refuses it whole, every problem named by a
row of the file and nothing written, or imports exactly what each row says: the value
its answer spells (DESIGN §6.2) and its note as typed (without surrounding spaces).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.rules import normalize_value
from surveys.core.errors import ApplicationError
from surveys.imports.services import answers_import
from surveys.models import Answer, Product, Round
from tests.data.answers_files import HEADER

pytestmark = pytest.mark.django_db
ITEMS = [("data.i1", "D1"), ("data.i7", "D7"), ("model.i2", "M2"), ("monitoring.i7", "MON7")]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ROUNDS = {"2021-10": "2021-10-01", "2022-04": "2022-04-01"}

VALID = ["0", "0.5", "1", "1.0", "NA", "N/A", "n/a", "対象外", "", " 1 ", None]
answers = st.one_of(  # valid spellings twice as likely, so that many files import
    st.sampled_from(VALID),
    st.sampled_from(VALID),
    st.sampled_from(["1e0", "+1", "-0", "١", "１", ".5", "2", "0.0", "yes", "ＮＡ"]),
    st.sampled_from([0, 0.5, 1, 1.0, 2, -1, 0.25]),  # numbers: a spreadsheet's numeric cell
    st.text(max_size=4),
)
notes = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["=1+1", "+SUM(A1)", "-3", "@x", "\t=1", "\r=1", "'=1", "'x", "a\x00b"]),
    st.just(""),
)
rows = st.lists(
    st.tuples(
        st.sampled_from([*ROUNDS, " 2021-10 "]),  # round
        st.sampled_from([True, True, True, False]),  # whether the row gives the round's date
        st.sampled_from(["p-a", "Ads CTR", "製品", "p-a", ""]),  # product
        st.sampled_from(["", "Ads", "=Dept"]),  # department
        st.sampled_from(["", "poc", "production", "", "bogus"]),  # phase
        st.tuples(st.sampled_from(ITEMS), st.sampled_from(["key", "code", "lower", "key", "bad"])),
        answers,
        notes,
    ),
    min_size=1,
    max_size=8,
)


def item_cell(item: tuple[str, str], spelling: str) -> str:
    key, code = item
    return {"key": key, "code": code, "lower": code.lower(), "bad": "no.such"}[spelling]


def file_rows(generated: list[Any]) -> list[list[object]]:
    table = []
    for label, dated, product, department, phase, (item, spelling), answer, note in generated:
        date = ROUNDS[label.strip()] if dated else ""
        table.append(
            [label, date, product, department, phase, item_cell(item, spelling), answer, note]
        )
    return table


def write(kind: str, path: Path, table: list[list[object]]) -> Path:
    if kind == "csv":
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(HEADER)
            writer.writerows(["" if c is None else c for c in row] for row in table)
        return path
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    sheet = book.add_worksheet("Answers")
    sheet.write_row(0, 0, HEADER)
    for n, row in enumerate(table, start=1):
        for m, cell in enumerate(row):
            if isinstance(cell, str):
                sheet.write_string(n, m, cell)
            elif cell is not None:
                sheet.write_number(n, m, cell)
    book.close()
    return path


def as_read(kind: str, cell: object) -> object:
    """The cell as the import reads it: a CSV holds text only, and the app's own ``'``
    before formula-like text is taken off a CSV's cells."""
    if kind != "csv":
        return cell
    text = "" if cell is None else str(cell)
    return text[1:] if text[:1] == "'" and text[1:2] in TRIGGERS else text


def blank(kind: str, row: list[object]) -> bool:
    cells = [as_read(kind, c) for c in row]
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def spelled_value(kind: str, cell: object) -> str | None:
    """The answer the cell spells; ValueError when it spells none."""
    return normalize_value(as_read(kind, cell))


def check(kind: str, table: list[list[object]], path: Path, version: Any) -> None:
    lines = len(table) + 1
    try:
        answers_import(path=path, version=version)
    except ApplicationError as exc:
        # Refused whole: every problem named by a row of the file, nothing written.
        assert exc.details, exc.message
        for detail in exc.details:
            found = re.match(r"row (\d+): ", detail)
            assert found and 1 <= int(found.group(1)) <= lines, detail
        assert not Answer.objects.exists() and not Round.objects.exists()
        assert not Product.objects.exists()
        return
    # Imported: each row exactly as it says; so each row was a valid answer.
    named = 0
    for row in table:
        if blank(kind, row):
            continue
        label, _, product, _, _, item_text, _, note = (as_read(kind, c) for c in row)
        key = next(k for k, code in ITEMS if item_text in (k, code, code.lower()))
        stored = Answer.objects.get(
            assessment__round__label=str(label).strip(),
            assessment__product__name=str(product).strip(),
            item__key=key,
        )
        assert stored.value == spelled_value(kind, row[6])
        assert stored.note == ("" if note is None else str(note).strip())
        named += 1
    touched = Answer.objects.exclude(value=None, note="")
    assert touched.count() <= named


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(generated=rows)
def test_refused_whole_with_row_numbers_or_imported_exactly(
    version: Any, tmp_path: Path, kind: str, generated: list[Any]
) -> None:
    table = file_rows(generated)
    path = write(kind, tmp_path / f"answers.{kind}", table)
    with transaction.atomic():
        check(kind, table, path, version)
        transaction.set_rollback(True)


def test_a_wrong_spelling_is_never_imported(version: Any, tmp_path: Path) -> None:
    """The property above could hold by refusing everything: a file of valid rows is
    imported, and one wrong spelling among them refuses it by its row."""
    good = [["2021-10", "2021-10-01", "p-a", "", "", "D1", "0.5", "=1+1"]]
    write("csv", tmp_path / "a.csv", good)
    answers_import(path=tmp_path / "a.csv", version=version)
    assert Answer.objects.get(item__key="data.i1").note == "=1+1"
    bad = [*good, ["2021-10", "2021-10-01", "p-b", "", "", "D1", "+1", ""]]
    write("xlsx", tmp_path / "b.xlsx", bad)
    with pytest.raises(ApplicationError) as raised:
        answers_import(path=tmp_path / "b.xlsx", version=version)
    assert [d.split(":")[0] for d in raised.value.details] == ["row 3"]
