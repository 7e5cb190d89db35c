"""Looking inside an XLSX answers file before it is read: sizes, rows and formulas.

python-calamine reads the cells fast, but it unpacks a whole sheet into memory and
gives a formula cell's cached value, or an empty cell when it has none. So one streamed
pass over the zip comes first, bounded by the limits of ``Limits``:

- the zip's declared sizes must fit ``IMPORT_MAX_UNCOMPRESSED_BYTES`` (a zip bomb is
  refused before anything is unpacked); every part is then unpacked in chunks, and
  Python's ``zipfile`` stops at the declared size and checks the CRC, so a part that
  lies about its size is refused too;
- the sheet's stated dimension, then its ``<row>`` elements as they stream by, must fit
  ``IMPORT_MAX_ROWS``: a five-million-row sheet is refused after its first megabytes;
- a formula cell (``<f>``) without a cached value (``<v>``) is refused by its row;
- the sheet's area (its rows times its widest row, as cell references and cells per row
  say) must fit ``IMPORT_MAX_CELLS``: calamine fills the whole rectangle, so one cell in
  column XFD of a small file would otherwise make it build billions of empty cells.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import IO, cast
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from django.conf import settings
from django.utils.translation import gettext as _

from surveys.core.errors import ApplicationError

CHUNK = 1 << 20
# XML around a tag name: an optional namespace prefix, then the name and a delimiter.
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"")
# A row or a cell tag, whole (a tag cut at the end of a chunk is matched in the next one).
_ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_CELL_REF = re.compile(rb"\br\s*=\s*[\"']([A-Z]{1,3})(\d+)[\"']")
_DIMENSION_AREA = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\""
)
_CARRY = 64  # bytes kept between chunks, so that a tag cut in two is still found
_OFFICE_DOCUMENT = "/officeDocument"
_MAX_PARTS = 10_000
EXCEL_MAX_CELL_CHARS = 32_767
_MAX_LISTED = 100  # formula rows listed in a message


@dataclass(frozen=True)
class Limits:
    """The limits an answers file must fit (settings ``IMPORT_MAX_*``, docs/operations.md)."""

    file_bytes: int
    uncompressed_bytes: int
    rows: int
    cell_chars: int
    cells: int = 10 * 1_048_576
    sheet_bytes: int = 400 * 1024 * 1024

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            file_bytes=settings.IMPORT_MAX_FILE_BYTES,
            uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
            rows=settings.IMPORT_MAX_ROWS,
            cell_chars=settings.IMPORT_MAX_CELL_CHARS,
            cells=settings.IMPORT_MAX_CELLS,
            sheet_bytes=settings.IMPORT_MAX_SHEET_BYTES,
        )


def too_many_rows(count: int, limits: Limits) -> ApplicationError:
    return ApplicationError(
        _(
            "The file has %(count)s rows or more, over the limit of %(limit)s rows "
            "(IMPORT_MAX_ROWS); nothing was imported. Split it into smaller files."
        )
        % {"count": f"{count:,}", "limit": f"{limits.rows:,}"}
    )


def unreadable(error: object) -> ApplicationError:
    return ApplicationError(_("The XLSX workbook cannot be read: %(error)s.") % {"error": error})


def _damaged(part: str) -> ApplicationError:
    return ApplicationError(_("The XLSX workbook has no %(part)s: it is damaged.") % {"part": part})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(element: Element, name: str) -> str:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return ""


def _small_xml(zf: zipfile.ZipFile, name: str) -> Element:
    """A small part of the package (the workbook, its relationships), parsed."""
    from xml.etree.ElementTree import fromstring

    try:
        return fromstring(zf.read(name))
    except KeyError:
        raise _damaged(name) from None
    except ParseError as exc:
        raise unreadable(f"{name}: {exc}") from exc


def _relationships(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """``{id: (type, part path)}`` of ``part``'s relationships."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in zf.NameToInfo:
        return {}
    found = {}
    for rel in _small_xml(zf, rels):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        found[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(path))
    return found


def answers_sheet(zf: zipfile.ZipFile) -> tuple[str, str, str | None]:
    """The sheet the answers are read from, ``(name, part path, shared strings path)``:
    the one named "Answers" (any case), as in the report's workbook, else the first."""
    workbook = next(
        (path for kind, path in _relationships(zf, "").values() if kind.endswith(_OFFICE_DOCUMENT)),
        "xl/workbook.xml",
    )
    rels = _relationships(zf, workbook)
    sheets = []
    for element in _small_xml(zf, workbook).iter():
        if _local(element.tag) == "sheet":
            rel = rels.get(_attr(element, "id"))
            if rel is not None and rel[0].endswith("/worksheet"):
                sheets.append((element.get("name", ""), rel[1]))
    if not sheets:
        raise ApplicationError(_("The XLSX workbook has no worksheet."))
    shared = next((path for kind, path in rels.values() if kind.endswith("/sharedStrings")), None)
    for name, path in sheets:
        if name.strip().casefold() == "answers":
            return name, path, shared
    return (*sheets[0], shared)


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with zf.open(info) as part:
        while chunk := part.read(CHUNK):
            yield chunk


def too_large_an_area(height: int, width: int, limits: Limits) -> ApplicationError:
    return ApplicationError(
        _(
            "The sheet spans %(height)s rows by %(width)s columns (%(cells)s cells), over the "
            "limit of %(limit)s cells (IMPORT_MAX_CELLS); nothing was imported. An answers "
            "file needs 8 columns: delete the cells beyond them, or split the file."
        )
        % {
            "height": f"{height:,}",
            "width": f"{width:,}",
            "cells": f"{height * width:,}",
            "limit": f"{limits.cells:,}",
        }
    )


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


@dataclass
class _Area:
    """The rectangle calamine will fill: the last row and the widest row seen so far."""

    height: int = 0
    width: int = 0
    row: int = 0  # the current row's number
    cells: int = 0  # cells in the current row
    column: int = 0  # the current row's last column

    def feed(self, text: bytes, skip: int) -> None:
        for m in _ROW_OR_CELL.finditer(text):
            if m.end() <= skip:
                continue  # counted with the previous chunk
            ref = _CELL_REF.search(m.group(2))
            if m.group(1) == b"row":
                self.row = int(ref.group(2)) if ref else self.row + 1
                self.cells = self.column = 0
                self.height = max(self.height, self.row)
                continue
            self.cells += 1
            self.column = _column(ref.group(1)) if ref else self.column + 1
            self.width = max(self.width, self.column, self.cells)
            if ref:
                self.height = max(self.height, int(ref.group(2)))

    def check(self, limits: Limits) -> None:
        if self.height * self.width > limits.cells:
            raise too_large_an_area(self.height, self.width, limits)


def _stated_area(head: bytes, limits: Limits) -> None:
    stated = _DIMENSION_AREA.search(head)
    if stated and stated.group(3):
        width = _column(stated.group(3)) - _column(stated.group(1)) + 1
        height = int(stated.group(4)) - int(stated.group(2)) + 1
        if height * width > limits.cells:
            raise too_large_an_area(height, width, limits)


@dataclass
class _Scan:
    formulas: bool = False
    long_text: bool = False  # a run of text that may be longer than the cell limit


def _scan(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, *, rows: bool) -> _Scan:
    """One streamed pass over a part: count its rows (when ``rows``), stop past the limit,
    and note whether it holds a formula or a text that may be over the cell limit."""
    found, count, carry, first, area = _Scan(), 0, b"", True, _Area()
    # Text holds no "<": a text over the limit is a run of more bytes without one. The
    # run is searched from just after a "<" only, so each byte is looked at once.
    long_run = re.compile(rb"(?<=<)[^<]{%d,}" % (limits.cell_chars + 1))
    for chunk in _chunks(zf, info):
        if rows and first:
            stated = _DIMENSION.search(chunk[:4096])
            if stated and int(stated.group(1)) > limits.rows:
                raise too_many_rows(int(stated.group(1)), limits)
            _stated_area(chunk[:4096], limits)
        first = False
        text = carry + chunk
        if rows:
            count += sum(1 for m in _ROW_TAG.finditer(text) if m.end() > len(carry))
            if count > limits.rows:
                raise too_many_rows(count, limits)
            area.feed(text, len(carry))
            area.check(limits)
        found.formulas = found.formulas or _FORMULA_TAG.search(text) is not None
        found.long_text = found.long_text or long_run.search(text) is not None
        last = text.rfind(b"<")
        carry = text[max(0, min(last if last >= 0 else 0, len(text) - _CARRY)) :]
    return found


def _events(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[tuple[str, Element]]:
    parser = XMLPullParser(events=("start", "end"))
    for chunk in _chunks(zf, info):
        parser.feed(chunk)
        yield from cast(Iterator[tuple[str, Element]], parser.read_events())
    parser.close()


def _text_length(element: Element) -> int:
    return sum(len(node.text or "") for node in element.iter() if _local(node.tag) == "t")


def _long_shared_strings(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> set[int]:
    """Indexes of the shared strings longer than ``limit`` characters."""
    found, index = set(), 0
    for event, element in _events(zf, info):
        if event == "end" and _local(element.tag) == "si":
            if _text_length(element) > limit:
                found.add(index)
            index += 1
            element.clear()
    return found


def _cell_problems(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, long_shared: set[int], limit: int
) -> list[tuple[int, str]]:
    """``(row, problem)`` of every formula without a cached value (Excel stores one on
    saving; a file made by a program may not) and every text over ``limit``."""
    found: list[tuple[int, str]] = []
    row = 0
    for event, element in _events(zf, info):
        tag = _local(element.tag)
        if event == "start":
            if tag == "row":
                row = int(element.get("r") or row + 1)
            continue
        if tag == "row":
            element.clear()
        elif tag == "c":
            number = _row_of(element, row)
            children = {_local(child.tag): child for child in element}
            value = children.get("v")
            cached = "" if value is None else (value.text or "")
            if "f" in children and not cached:
                found.append((number, FORMULA))
            kind = element.get("t")
            if kind == "s" and cached.strip().isdigit():
                long = int(cached) in long_shared
            elif kind == "inlineStr":
                long = _text_length(element) > limit
            else:
                long = len(cached) > limit
            if long:
                found.append((number, LONG))
    return found


def _row_of(cell: Element, row: int) -> int:
    digits = "".join(ch for ch in cell.get("r", "") if ch.isdigit())
    return int(digits) if digits else row


def _check_sheet_bytes(
    sheet: zipfile.ZipInfo, shared: zipfile.ZipInfo | None, limits: Limits
) -> None:
    """The XML calamine parses and holds (the sheet and its shared strings) is bounded, as
    declared; a part that unpacks to more than it declares fails its CRC check later."""
    size = sheet.file_size + (shared.file_size if shared is not None else 0)
    if size > limits.sheet_bytes:
        raise ApplicationError(
            _(
                "The answers sheet unpacks to %(size)s bytes, over the limit of %(limit)s "
                "bytes (IMPORT_MAX_SHEET_BYTES); nothing was imported. Split it into "
                "smaller files."
            )
            % {"size": f"{size:,}", "limit": f"{limits.sheet_bytes:,}"}
        )


def xlsx_inspect(stream: IO[bytes], limits: Limits) -> str:
    """Check an XLSX against ``limits`` and its formulas; the name of the sheet to read."""
    # python-calamine cuts a text at what a spreadsheet cell holds: refuse longer ones.
    limits = replace(limits, cell_chars=min(limits.cell_chars, EXCEL_MAX_CELL_CHARS))
    try:
        with zipfile.ZipFile(stream) as zf:
            infos = zf.infolist()
            declared = sum(info.file_size for info in infos)
            if declared > limits.uncompressed_bytes or len(infos) > _MAX_PARTS:
                raise ApplicationError(
                    _(
                        "The XLSX workbook unpacks to %(size)s bytes, over the limit of "
                        "%(limit)s bytes (IMPORT_MAX_UNCOMPRESSED_BYTES); nothing was imported."
                    )
                    % {"size": f"{declared:,}", "limit": f"{limits.uncompressed_bytes:,}"}
                )
            name, path, shared_path = answers_sheet(zf)
            sheet = zf.NameToInfo.get(path)
            if sheet is None:
                raise _damaged(path)
            shared = zf.NameToInfo.get(shared_path or "")
            _check_sheet_bytes(sheet, shared, limits)
            scanned = _scan(zf, sheet, limits, rows=True)
            long_shared: set[int] = set()
            if shared is not None and _scan(zf, shared, limits, rows=False).long_text:
                long_shared = _long_shared_strings(zf, shared, limits.cell_chars)
            for info in infos:  # unpack every other part once: its CRC and size hold
                if info is not sheet and info is not shared:
                    for _chunk in _chunks(zf, info):
                        pass
            if scanned.formulas or scanned.long_text or long_shared:
                problems = _cell_problems(zf, sheet, long_shared, limits.cell_chars)
                if problems:
                    raise _refused(problems, limits)
            return name
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        OSError,
        ParseError,
        NotImplementedError,  # a compression method zipfile does not know
    ) as exc:
        raise unreadable(exc) from exc


FORMULA = (
    "a cell holds a formula without a value; open the file in a spreadsheet and save it "
    "again (the value is then stored), or type the value"
)
LONG = "a cell is longer than {limit:,} characters"


def _refused(problems: list[tuple[int, str]], limits: Limits) -> ApplicationError:
    details = [
        f"row {row}: {problem.format(limit=limits.cell_chars)}" for row, problem in sorted(problems)
    ]
    more = len(details) - _MAX_LISTED
    if more > 0:
        details = [*details[:_MAX_LISTED], f"… and {more} more"]
    kinds = {problem for _row, problem in problems}
    if kinds == {FORMULA}:
        message = _("The answers file holds formulas without a value; nothing was imported.")
    else:
        message = _(
            "The answers file holds cells longer than %(limit)s characters "
            "(IMPORT_MAX_CELL_CHARS)%(formulas)s; nothing was imported."
        ) % {
            "limit": f"{limits.cell_chars:,}",
            "formulas": _(" and formulas without a value") if FORMULA in kinds else "",
        }
    return ApplicationError(message, details=details)
