"""An answers workbook is refused in seconds when reading it would be too much work
(DESIGN §6.2): calamine fills the sheet's whole rectangle, so the area (rows times the
widest row) is bounded by IMPORT_MAX_CELLS, found as the sheet streams by, before
anything is unpacked into cells."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from surveys.core.errors import ApplicationError
from surveys.imports.services import answers_import
from surveys.models import Answer, Round
from tests.data.answers_files import write_xlsx

from .test_limits import rows

pytestmark = pytest.mark.django_db
NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _with_sheet(tmp_path: Path, sheet: bytes) -> Path:
    base = write_xlsx(tmp_path / "base.xlsx", rows())
    path = tmp_path / "wide.xlsx"
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = sheet if info.filename.startswith("xl/worksheets/") else src.read(info)
            out.writestr(info.filename, data)
    return path


def _never(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the cells were read")


def refused(version: Any, path: Path, monkeypatch: Any) -> ApplicationError:
    monkeypatch.setattr("python_calamine.CalamineWorkbook.from_filelike", _never)
    with pytest.raises(ApplicationError) as raised:
        answers_import(path=path, version=version)
    assert not Answer.objects.exists() and not Round.objects.exists()
    return raised.value


def test_one_cell_in_the_last_column_of_a_long_sheet_is_refused(
    version: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    body = b'<row r="1"><c r="XFD1"><v>1</v></c></row>' + b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(2, 5000)
    )
    path = _with_sheet(tmp_path, NS + b"<sheetData>" + body + b"</sheetData></worksheet>")
    assert path.stat().st_size < 100_000
    error = refused(version, path, monkeypatch)
    assert "16,384 columns" in error.message
    assert "(IMPORT_MAX_CELLS)" in error.message


def test_a_stated_area_over_the_budget_is_refused_at_once(
    version: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    sheet = NS + b'<dimension ref="A1:XFD100000"/><sheetData></sheetData></worksheet>'
    error = refused(version, _with_sheet(tmp_path, sheet), monkeypatch)
    assert "100,000 rows by 16,384 columns" in error.message


def test_cells_without_references_count_by_their_row(
    version: Any, tmp_path: Path, monkeypatch: Any, settings: Any
) -> None:
    settings.IMPORT_MAX_CELLS = 10_000
    wide_row = b"<row>" + b"<c><v>1</v></c>" * 2000 + b"</row>"
    body = wide_row + b"<row><c><v>1</v></c></row>" * 10
    path = _with_sheet(tmp_path, NS + b"<sheetData>" + body + b"</sheetData></worksheet>")
    error = refused(version, path, monkeypatch)
    assert "2,000 columns" in error.message


def test_an_ordinary_file_is_within_the_budget(version: Any, tmp_path: Path, settings: Any) -> None:
    settings.IMPORT_MAX_CELLS = 29 * 8  # the header and 28 answers, 8 columns
    answers_import(path=write_xlsx(tmp_path / "a.xlsx", rows()), version=version)
    assert Answer.objects.count() == 28


def test_the_budget_is_named_in_japanese(
    version: Any, tmp_path: Path, monkeypatch: Any, settings: Any
) -> None:
    from django.utils import translation

    sheet = NS + b'<dimension ref="A1:XFD100000"/><sheetData></sheetData></worksheet>'
    with translation.override("ja"):
        error = refused(version, _with_sheet(tmp_path, sheet), monkeypatch)
    assert "IMPORT_MAX_CELLS" in error.message and "セル" in error.message


def test_long_texts_that_unpack_to_a_huge_sheet_are_refused_before_reading(
    version: Any, tmp_path: Path, monkeypatch: Any, settings: Any
) -> None:
    """Cells under the cell limit, in rows under the row limit, but hundreds of megabytes
    of text for the reader to hold: refused from the sizes the zip declares."""
    settings.IMPORT_MAX_SHEET_BYTES = 2_000_000
    cell = b'<c t="inlineStr"><is><t>' + b"x" * 30_000 + b"</t></is></c>"
    body = b"".join(b"<row>" + cell + b"</row>" for _ in range(100))
    path = _with_sheet(tmp_path, NS + b"<sheetData>" + body + b"</sheetData></worksheet>")
    assert path.stat().st_size < 100_000
    error = refused(version, path, monkeypatch)
    assert "over the limit of 2,000,000 bytes (IMPORT_MAX_SHEET_BYTES)" in error.message
