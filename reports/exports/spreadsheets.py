"""How the app writes spreadsheets and CSV files: text stays text (DESIGN §6.2).

The workbook is written with XlsxWriter in ``constant_memory`` mode: each row goes to
disk as soon as the next one starts, so a sheet of any length takes little memory. Every
text is a string cell, never a formula, a number or a link. In a CSV, a cell that a
spreadsheet would run as a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) gets a leading ``'``, as OWASP advises; ``import_answers`` takes it off
again. CSV files start with a byte order mark, without which Excel reads UTF-8 as the
local code page and garbles Japanese.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import numbers
from collections.abc import Iterable, Iterator
from typing import IO, Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from surveys.imports.reading import FORMULA_TRIGGERS

EXCEL_MAX_TEXT = 32_767  # characters in one cell

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    # Text stays text: never turned into a formula, a number or a link.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "nan_inf_to_errors": False,
}


def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula: text beginning with a formula
    character gets a leading ``'`` (DESIGN §6.2); anything else is left as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class Book:
    """An XlsxWriter workbook with the few formats every sheet shares."""

    def __init__(self, out: IO[bytes]) -> None:
        self.wb = Workbook(out, WORKBOOK_OPTIONS)
        self.header = self.wb.add_format(
            {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F5FBF", "valign": "vcenter"}
        )
        self.title = self.wb.add_format({"bold": True, "font_size": 14})
        self.bold = self.wb.add_format({"bold": True})
        self._formats: dict[str, Format] = {}

    def number_format(self, fmt: str | None) -> Format | None:
        if fmt is None:
            return None
        if fmt not in self._formats:
            self._formats[fmt] = self.wb.add_format({"num_format": fmt})
        return self._formats[fmt]

    def sheet(self, title: str) -> Worksheet:
        return self.wb.add_worksheet(title)

    def close(self) -> None:
        self.wb.close()


_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0, for dates after February 1900


def write_cell(ws: Worksheet, row: int, col: int, value: Any, fmt: Format | None) -> None:
    """One cell, by the type of ``value``; text always as a string cell.

    XlsxWriter escapes control characters (``_x0007_``), which Excel and python-calamine
    decode: text comes back as it was typed.
    """
    if value is None:
        return
    if isinstance(value, str):
        if value:
            ws.write_string(row, col, value[:EXCEL_MAX_TEXT], fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, dt.datetime) or (isinstance(value, dt.date) and fmt is None):
        ws.write_datetime(row, col, value, fmt)
    elif isinstance(value, dt.date):
        # A date is a day number in a date format; this skips write_datetime's
        # conversion of every cell of a date column.
        ws.write_number(row, col, (value - _EPOCH).days, fmt)
    elif isinstance(value, numbers.Real):
        number = float(value)
        if math.isfinite(number):
            ws.write_number(row, col, number, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


class Rows:
    """A sheet of rows without header (the Summary): each ``append`` writes the next row."""

    def __init__(self, book: Book, ws: Worksheet) -> None:
        self.book, self.ws, self.rows = book, ws, 0

    def append(self, values: Iterable[Any], fmt: Format | None = None) -> None:
        for col, value in enumerate(values):
            write_cell(self.ws, self.rows, col, value, fmt)
        self.rows += 1


class Sheet:
    """A sheet with a styled, frozen header, column widths and number formats.

    Rows are appended in order: in ``constant_memory`` mode a row is on disk once the
    next one starts.
    """

    def __init__(
        self,
        book: Book,
        title: str,
        columns: list[tuple[str, int, str | None]],
    ) -> None:
        self.ws = book.sheet(title)
        self.formats = [book.number_format(fmt) for _, _, fmt in columns]
        for index, (name, width, _fmt) in enumerate(columns):
            self.ws.set_column(index, index, width)
            self.ws.write_string(0, index, name, book.header)
        self.ws.freeze_panes(1, 1 if len(columns) > 1 else 0)
        self.rows = 1
        self._write_string = self.ws.write_string

    def append(self, values: Iterable[Any]) -> None:
        ws, row, write_string = self.ws, self.rows, self._write_string
        for col, (value, fmt) in enumerate(zip(values, self.formats, strict=False)):
            # Text is most cells of a big sheet: written here without a second call.
            if type(value) is str:
                if value:
                    write_string(row, col, value[:EXCEL_MAX_TEXT], fmt)
            else:
                write_cell(ws, row, col, value, fmt)
        self.rows += 1


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    """``rows`` as CSV text lines after a byte order mark, formula-like cells escaped."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([csv_cell(cell) for cell in row])
