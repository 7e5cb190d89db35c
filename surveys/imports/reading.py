"""Reading an answers file (CSV or XLSX) into numbered rows of cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError
from zipfile import BadZipFile

from mlopsscore.errors import ApplicationError

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


def cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time.min else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


def round_label(cell: object) -> str:
    # A spreadsheet turns a typed "2021-10" into the date 2021-10-01: give it back.
    if isinstance(cell, date):
        day = cell.date() if isinstance(cell, datetime) else cell
        return f"{day:%Y-%m}" if day.day == 1 else day.isoformat()
    return cell_text(cell)


def _csv_rows(stream: IO[bytes]) -> Iterator[Sequence[object]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
        text.seek(0)
        delimiter = ","
        if "," not in first:
            # Spreadsheets in some locales save with semicolons or tabs.
            delimiter = ";" if ";" in first else ("\t" if "\t" in first else ",")
        yield from csv.reader(text, delimiter=delimiter)
    except UnicodeDecodeError as exc:
        raise ApplicationError(
            "The file is neither an XLSX workbook nor UTF-8 text; save the CSV as UTF-8."
        ) from exc
    except csv.Error as exc:
        raise ApplicationError(f"The CSV file cannot be read: {exc}.") from exc


def _read_only_workbook(stream: IO[bytes]) -> Any:
    """``openpyxl.load_workbook(stream, read_only=True, data_only=True)``, minus one cost.

    When a file does not state a sheet's size (openpyxl's own write-only files do not),
    openpyxl parses the whole sheet once just to look for it, before the rows are read:
    a third of the reading time of a large file. The rows are read to the end anyway, so
    the sheets here skip that search; the rest is openpyxl's read-only loading as is.
    """
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class Sheet(ReadOnlyWorksheet):  # type: ignore[misc]
        def _get_size(self) -> None:
            pass

    class Reader(ExcelReader):  # type: ignore[misc]
        def read_worksheets(self) -> None:
            for sheet, rel in self.parser.find_sheets():
                if rel.target not in self.valid_files:
                    continue
                if "chartsheet" in rel.Type:
                    self.read_chartsheet(sheet, rel)
                    continue
                ws = Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
                ws.sheet_state = sheet.state
                self.wb._sheets.append(ws)

    reader = Reader(stream, read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _answers_sheet(workbook: Any) -> Any:
    """The sheet named "Answers" (any case) when there is one, as in the report's
    workbook; else the first sheet."""
    for sheet in workbook.worksheets:
        if sheet.title.strip().casefold() == "answers":
            return sheet
    return workbook.worksheets[0]


def _xlsx_rows(stream: IO[bytes]) -> Iterator[Sequence[object]]:
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = _read_only_workbook(stream)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ApplicationError(f"The XLSX workbook cannot be read: {exc}.") from exc
    try:
        if not workbook.worksheets:
            raise ApplicationError("The XLSX workbook has no worksheet.")
        sheet = _answers_sheet(workbook)
        # Some writers store a wrong sheet size; read what is really there.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True)
    except (ParseError, BadZipFile, KeyError) as exc:
        raise ApplicationError(f"The XLSX workbook is damaged: {exc}.") from exc
    finally:
        workbook.close()


@contextmanager
def opened(path: str | Path | None, file: IO[Any] | None) -> Iterator[IO[bytes]]:
    if path is not None:
        with open(path, "rb") as stream:
            yield stream
        return
    if file is None:
        raise ApplicationError("Give the answers file.")
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    yield io.BytesIO(data.encode("utf-8") if isinstance(data, str) else data)


def numbered_rows(stream: IO[bytes]) -> Iterator[tuple[int, Sequence[object]]]:
    """The file's rows, numbered as a spreadsheet numbers them (the header is row 1)."""
    magic = stream.read(4)
    stream.seek(0)
    if magic == _OLE_MAGIC:
        raise ApplicationError("Old .xls workbooks are not read: save it as .xlsx or CSV (UTF-8).")
    rows = _xlsx_rows(stream) if magic == _ZIP_MAGIC else _csv_rows(stream)
    return enumerate(rows, start=1)
