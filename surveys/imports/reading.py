"""Reading an answers file (CSV or XLSX) into numbered rows of cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from surveys.core.errors import ApplicationError
from surveys.imports.workbook import Limits, too_many_rows, unreadable, xlsx_inspect

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
# What a spreadsheet runs as a formula when a cell begins with it (DESIGN §6.2).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


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


def _unescaped(cells: list[str]) -> list[str]:
    # The app's own CSV puts a ``'`` before text a spreadsheet would run as a formula
    # (reports.exports.spreadsheets.csv_cell); take it off again, so that its files read
    # back as typed.
    return [
        cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_TRIGGERS else cell for cell in cells
    ]


def _csv_rows(stream: IO[bytes], limits: Limits) -> Iterator[Sequence[object]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    read = 0
    try:
        first = text.readline()
        text.seek(0)
        delimiter = ","
        if "," not in first:
            # Spreadsheets in some locales save with semicolons or tabs.
            delimiter = ";" if ";" in first else ("\t" if "\t" in first else ",")
        for cells in csv.reader(text, delimiter=delimiter):
            read += 1
            yield _unescaped(cells) if any(c[:1] == "'" for c in cells) else cells
    except UnicodeDecodeError as exc:
        raise ApplicationError(
            _("The file is neither an XLSX workbook nor UTF-8 text; save the CSV as UTF-8.")
        ) from exc
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _cell_too_long(read + 1, limits) from exc
        raise ApplicationError(
            _("The CSV file cannot be read: %(error)s.") % {"error": exc}
        ) from exc


def _xlsx_rows(stream: IO[bytes], limits: Limits) -> Iterator[Sequence[object]]:
    from python_calamine import CalamineError, CalamineWorkbook

    name = xlsx_inspect(stream, limits)
    stream.seek(0)
    try:
        with CalamineWorkbook.from_filelike(stream) as workbook:
            sheet = workbook.get_sheet_by_name(name)
            if sheet.end is not None and sheet.end[0] >= limits.rows:
                raise too_many_rows(sheet.end[0] + 1, limits)
            # Rows come from the sheet's first row (empty rows above the data are given
            # as empty rows), so that they are numbered as the spreadsheet numbers them.
            yield from sheet.iter_rows()
    except CalamineError as exc:
        raise unreadable(exc) from exc


@contextmanager
def opened(path: str | Path | None, file: IO[Any] | None) -> Iterator[IO[bytes]]:
    if path is not None:
        with open(path, "rb") as stream:
            yield stream
        return
    if file is None:
        raise ApplicationError(_("Give the answers file."))
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(Limits.from_settings().file_bytes + 1)
    yield io.BytesIO(data.encode("utf-8") if isinstance(data, str) else data)


def _cell_too_long(number: int, limits: Limits) -> ApplicationError:
    return ApplicationError(
        _(
            "Row %(row)s: a cell is longer than %(limit)s characters (IMPORT_MAX_CELL_CHARS); "
            "nothing was imported."
        )
        % {"row": number, "limit": f"{limits.cell_chars:,}"},
        details=[f"row {number}: a cell is longer than {limits.cell_chars:,} characters"],
    )


def _within_limits(
    rows: Iterable[Sequence[object]], limits: Limits
) -> Iterator[tuple[int, Sequence[object]]]:
    for number, cells in enumerate(rows, start=1):
        if number > limits.rows:
            raise too_many_rows(number, limits)
        for cell in cells:
            if type(cell) is str and (len(cell) > limits.cell_chars or "\x00" in cell):
                if "\x00" in cell:
                    raise ApplicationError(
                        _("Row %(row)s: a cell holds a NUL character; nothing was imported.")
                        % {"row": number},
                        details=[f"row {number}: a cell holds a NUL character"],
                    )
                raise _cell_too_long(number, limits)
        yield number, cells


def numbered_rows(stream: IO[bytes]) -> Iterator[tuple[int, Sequence[object]]]:
    """The file's rows, numbered as a spreadsheet numbers them (the header is row 1).

    A file over a limit of ``Limits`` is refused whole (ApplicationError) before the
    validation sees a row past the limit.
    """
    limits = Limits.from_settings()
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size > limits.file_bytes:
        raise ApplicationError(
            _(
                "The file has %(size)s bytes, over the limit of %(limit)s bytes "
                "(IMPORT_MAX_FILE_BYTES); nothing was imported."
            )
            % {"size": f"{size:,}", "limit": f"{limits.file_bytes:,}"}
        )
    magic = stream.read(4)
    stream.seek(0)
    if magic == _OLE_MAGIC:
        raise ApplicationError(
            _("Old .xls workbooks are not read: save it as .xlsx or CSV (UTF-8).")
        )
    rows = _xlsx_rows(stream, limits) if magic == _ZIP_MAGIC else _csv_rows(stream, limits)
    return _within_limits(rows, limits)
