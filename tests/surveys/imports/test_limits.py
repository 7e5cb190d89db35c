"""Answers files that are too big, lie about their size, or hold formulas without values
(DESIGN §6.2): refused whole, with the row or the limit named, nothing written.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from surveys.core.errors import ApplicationError
from surveys.imports.services import answers_import
from surveys.models import Answer, Department, Product, Round
from tests.data.answers_files import HEADER, write_csv, write_xlsx

pytestmark = pytest.mark.django_db
KEYS = [f"{area}.i{n}" for area in ("data", "model", "infra", "monitoring") for n in range(1, 8)]


def rows(product: str = "p", note: str = "", **values: object) -> list[tuple[object, ...]]:
    answers = dict.fromkeys(KEYS, 1)
    answers.update({key.replace("_", "."): v for key, v in values.items()})
    return [("2021-10", "2021-10-01", product, "", "", k, v, note) for k, v in answers.items()]


def refused(version: Any, path: Path) -> ApplicationError:
    with pytest.raises(ApplicationError) as raised:
        answers_import(path=path, version=version)
    assert not Answer.objects.exists() and not Round.objects.exists()
    assert not Product.objects.exists() and not Department.objects.exists()
    return raised.value


def test_a_formula_without_a_cached_value_is_refused_by_its_row(
    version: Any, tmp_path: Path
) -> None:
    # openpyxl writes formulas without the value a spreadsheet would store on saving.
    table = rows()
    table[2] = (*table[2][:6], "=0.5*2", "")
    table[5] = (*table[5][:7], "=A1")
    error = refused(version, write_xlsx(tmp_path / "a.xlsx", table))
    assert [d.split(":")[0] for d in error.details] == ["row 4", "row 7"]
    assert "formula without a value" in error.details[0]


def test_a_formula_with_its_cached_value_is_read_as_the_value(version: Any, tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Answers")
    sheet.write_row(0, 0, HEADER)
    for n, row in enumerate(rows(), start=1):
        sheet.write_row(n, 0, row)
    sheet.write_formula(1, 6, "=1/2", None, 0.5)  # data.i1, as Excel saves it
    book.close()
    answers_import(path=path, version=version)
    assert Answer.objects.get(item__key="data.i1").value == "0.5"


def _replaced(path: Path, old: bytes, new: bytes) -> Path:
    """``path`` with ``old`` replaced by ``new`` in every part: spreadsheet writers cut a
    text at 32,767 characters, a file made otherwise need not."""
    out = path.with_name("replaced-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info).replace(old, new))
    return out


def _xlsxwriter_file(path: Path, table: list[tuple[object, ...]]) -> Path:
    book = xlsxwriter.Workbook(str(path))  # not constant_memory: shared strings
    sheet = book.add_worksheet("Answers")
    for n, row in enumerate([HEADER, *table]):
        sheet.write_row(n, 0, row)
    book.close()
    return path


@pytest.mark.parametrize("length", [32_768, 200_000])  # over ours; over the csv module's too
@pytest.mark.parametrize("kind", ["csv", "xlsx-inline", "xlsx-shared"])
def test_a_cell_over_the_limit_is_refused_like_in_a_csv(
    version: Any, tmp_path: Path, kind: str, length: int
) -> None:
    table = rows()
    table[3] = (*table[3][:7], "LONGNOTE")
    if kind == "csv":
        table[3] = (*table[3][:7], "x" * length)
        path = write_csv(tmp_path / "a.csv", table)
    elif kind == "xlsx-inline":  # openpyxl writes inline strings
        path = _replaced(write_xlsx(tmp_path / "a.xlsx", table), b"LONGNOTE", b"x" * length)
    else:
        path = _replaced(_xlsxwriter_file(tmp_path / "a.xlsx", table), b"LONGNOTE", b"x" * length)
    error = refused(version, path)
    assert error.details == ["row 5: a cell is longer than 32,767 characters"]
    assert "IMPORT_MAX_CELL_CHARS" in error.message and "nothing was imported" in error.message


def test_a_cell_at_the_limit_is_imported(version: Any, tmp_path: Path) -> None:
    table = rows()
    table[3] = (*table[3][:7], "é" * 32_767)
    for path in (write_csv(tmp_path / "a.csv", table), write_xlsx(tmp_path / "a.xlsx", table)):
        answers_import(path=path, version=version)
        assert Answer.objects.get(item__key="data.i4").note == "é" * 32_767


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_nul_character_is_refused_by_its_row(version: Any, tmp_path: Path, kind: str) -> None:
    table = rows(note="")
    table[1] = (*table[1][:7], "a\x00b")
    if kind == "csv":
        path = write_csv(tmp_path / "a.csv", table)
    else:  # openpyxl will not write a NUL; XlsxWriter writes it escaped (_x0000_)
        path = _xlsxwriter_file(tmp_path / "a.xlsx", table)
    assert refused(version, path).details == ["row 3: a cell holds a NUL character"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_too_many_rows_are_refused_naming_the_limit(
    version: Any, tmp_path: Path, settings: Any, kind: str
) -> None:
    settings.IMPORT_MAX_ROWS = 20
    writer = write_csv if kind == "csv" else write_xlsx
    error = refused(version, writer(tmp_path / f"a.{kind}", rows()))
    assert "over the limit of 20 rows (IMPORT_MAX_ROWS)" in error.message


def _sheet_xml(rows: int, dimension: str | None) -> bytes:
    """A sheet of ``rows`` rows of one answer each (no header worth reading)."""
    head = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    if dimension:
        head += f'<dimension ref="{dimension}"/>'.encode()
    body = b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, rows + 1)
    )
    return head + b"<sheetData>" + body + b"</sheetData></worksheet>"


def _with_sheet(tmp_path: Path, sheet: bytes) -> Path:
    """A real XLSX whose only sheet's XML is replaced by ``sheet``."""
    base = write_xlsx(tmp_path / "base.xlsx", rows())
    path = tmp_path / "big.xlsx"
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = sheet if info.filename.startswith("xl/worksheets/") else src.read(info)
            out.writestr(info.filename, data)
    return path


def test_a_five_million_row_sheet_is_refused_by_its_stated_size(
    version: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    path = _with_sheet(tmp_path, _sheet_xml(10, "A1:H5000000"))
    error = refused(version, path)
    assert "5,000,000 rows" in error.message and "1,048,576 rows (IMPORT_MAX_ROWS)" in error.message


def test_a_sheet_that_states_no_size_is_refused_as_its_rows_stream_by(
    version: Any, tmp_path: Path, settings: Any, monkeypatch: Any
) -> None:
    """The count stops at the limit: the cells are never unpacked by calamine."""
    settings.IMPORT_MAX_ROWS = 1000
    path = _with_sheet(tmp_path, _sheet_xml(50_000, None))

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the cells were read")

    monkeypatch.setattr("python_calamine.CalamineWorkbook.from_filelike", never)
    error = refused(version, path)
    assert "rows or more, over the limit of 1,000 rows (IMPORT_MAX_ROWS)" in error.message


def test_a_zip_bomb_is_refused_by_its_declared_size(
    version: Any, tmp_path: Path, settings: Any
) -> None:
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 5_000_000
    path = write_xlsx(tmp_path / "a.xlsx", rows())
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/zeros.bin", b"\0" * 10_000_000)  # 10 MB packed in 10 kB
    assert path.stat().st_size < 100_000
    error = refused(version, path)
    assert "over the limit of 5,000,000 bytes (IMPORT_MAX_UNCOMPRESSED_BYTES)" in error.message


def test_a_zip_that_lies_about_its_size_is_refused(version: Any, tmp_path: Path) -> None:
    """A part that declares 1 kB and unpacks to 50 MB is stopped at 1 kB (then its
    checksum fails): neither the declared nor the real size gets through."""
    path = write_xlsx(tmp_path / "a.xlsx", rows())
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/zeros.bin", b"\0" * 50_000_000)
        info = zf.getinfo("xl/media/zeros.bin")
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, info.header_offset + 22, 1000)  # the local header
    name = b"xl/media/zeros.bin"
    central = data.find(b"PK\x01\x02")  # the central directory: its entry of the part
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, 1000)
    path.write_bytes(bytes(data))
    assert zipfile.ZipFile(path).getinfo("xl/media/zeros.bin").file_size == 1000
    error = refused(version, path)
    assert "cannot be read" in error.message and "CRC" in error.message


def test_a_file_over_the_byte_limit_is_refused(version: Any, tmp_path: Path, settings: Any) -> None:
    settings.IMPORT_MAX_FILE_BYTES = 1000
    error = refused(version, write_csv(tmp_path / "a.csv", rows()))
    assert "over the limit of 1,000 bytes (IMPORT_MAX_FILE_BYTES)" in error.message


def test_rows_are_numbered_as_in_the_sheet(version: Any, tmp_path: Path) -> None:
    """Data that starts in column C, with an empty row, keeps the sheet's row numbers."""
    path = tmp_path / "a.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Answers"
    table = rows()
    table[1] = (*table[1][:6], "1e0", "")
    for n, row in enumerate([HEADER, (), *table]):
        for m, value in enumerate(row):
            sheet.cell(row=1 + n, column=3 + m, value=value)
    workbook.save(path)
    error = refused(version, path)
    assert error.details == [
        "row 4: answer '1e0' is not an answer: use 0, 0.5, 1 or NA (N/A, 対象外), or leave it empty"
    ]


@pytest.mark.parametrize("typed", ["1e0", "+1", "-0", "١", "１", ".5", "0.50"])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_answers_in_other_spellings_are_refused(
    version: Any, tmp_path: Path, typed: str, kind: str
) -> None:
    table = rows(data_i2=typed)
    writer = write_csv if kind == "csv" else write_xlsx
    error = refused(version, writer(tmp_path / f"a.{kind}", table))
    assert error.details == [
        f"row 3: answer {typed!r} is not an answer: use 0, 0.5, 1 or NA (N/A, 対象外), "
        "or leave it empty"
    ]


def test_the_limits_are_named_in_japanese_too(version: Any, tmp_path: Path, settings: Any) -> None:
    from django.utils import translation

    settings.IMPORT_MAX_ROWS = 20
    with translation.override("ja"):
        error = refused(version, write_csv(tmp_path / "a.csv", rows()))
    assert error.message.startswith("ファイルは 21 行以上あり、上限の 20 行 (IMPORT_MAX_ROWS)")
