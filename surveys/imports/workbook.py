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
- a formula cell (``<f>``) without a cached value (``<v>``) is refused by its row.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, cast
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from django.conf import settings

from mlopsscore.errors import ApplicationError

CHUNK = 1 << 20
# XML around a tag name: an optional namespace prefix, then the name and a delimiter.
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"")
_CARRY = 64  # bytes kept between chunks, so that a tag cut in two is still found
_OFFICE_DOCUMENT = "/officeDocument"
_MAX_PARTS = 10_000
_MAX_LISTED = 100  # formula rows listed in a message


@dataclass(frozen=True)
class Limits:
    """The limits an answers file must fit (settings ``IMPORT_MAX_*``, docs/operations.md)."""

    file_bytes: int
    uncompressed_bytes: int
    rows: int
    cell_chars: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            file_bytes=settings.IMPORT_MAX_FILE_BYTES,
            uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
            rows=settings.IMPORT_MAX_ROWS,
            cell_chars=settings.IMPORT_MAX_CELL_CHARS,
        )


def too_many_rows(count: int, limits: Limits) -> ApplicationError:
    return ApplicationError(
        f"The file has {count:,} rows or more, over the limit of {limits.rows:,} rows "
        "(IMPORT_MAX_ROWS); nothing was imported. Split it into smaller files."
    )


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
        raise ApplicationError(f"The XLSX workbook has no {name}: it is damaged.") from None
    except ParseError as exc:
        raise ApplicationError(f"The XLSX workbook is damaged: {name}: {exc}.") from exc


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


def answers_sheet(zf: zipfile.ZipFile) -> tuple[str, str]:
    """The sheet the answers are read from, ``(name, part path)``: the one named
    "Answers" (any case), as in the report's workbook, else the first."""
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
        raise ApplicationError("The XLSX workbook has no worksheet.")
    for name, path in sheets:
        if name.strip().casefold() == "answers":
            return name, path
    return sheets[0]


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with zf.open(info) as part:
        while chunk := part.read(CHUNK):
            yield chunk


def _scan_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bool:
    """Count the sheet's rows as they stream by; True when it holds a formula."""
    rows, formulas, carry, first = 0, False, b"", True
    for chunk in _chunks(zf, info):
        if first:
            stated = _DIMENSION.search(chunk[:4096])
            if stated and int(stated.group(1)) > limits.rows:
                raise too_many_rows(int(stated.group(1)), limits)
            first = False
        text = carry + chunk
        rows += sum(1 for m in _ROW_TAG.finditer(text) if m.end() > len(carry))
        if rows > limits.rows:
            raise too_many_rows(rows, limits)
        formulas = formulas or _FORMULA_TAG.search(text) is not None
        carry = text[-_CARRY:]
    return formulas


def _formula_rows(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> list[int]:
    """Rows holding a formula cell with no cached value (Excel writes one on saving;
    a file made by a program may not)."""
    parser = XMLPullParser(events=("end",))
    found: list[int] = []
    row = 0
    for chunk in _chunks(zf, info):
        parser.feed(chunk)
        events = cast(Iterator[tuple[str, Element]], parser.read_events())
        for _event, element in events:
            tag = _local(element.tag)
            if tag == "row":
                row = int(element.get("r") or row + 1)
                element.clear()
            elif tag == "c":
                children = {_local(child.tag): child for child in element}
                value = children.get("v")
                if "f" in children and (value is None or not (value.text or "")):
                    found.append(row if element.get("r") is None else _row_of(element, row))
    parser.close()
    return found


def _row_of(cell: Element, row: int) -> int:
    digits = "".join(ch for ch in cell.get("r", "") if ch.isdigit())
    return int(digits) if digits else row


def xlsx_inspect(stream: IO[bytes], limits: Limits) -> str:
    """Check an XLSX against ``limits`` and its formulas; the name of the sheet to read."""
    try:
        with zipfile.ZipFile(stream) as zf:
            infos = zf.infolist()
            declared = sum(info.file_size for info in infos)
            if declared > limits.uncompressed_bytes or len(infos) > _MAX_PARTS:
                raise ApplicationError(
                    f"The XLSX workbook unpacks to {declared:,} bytes, over the limit of "
                    f"{limits.uncompressed_bytes:,} bytes (IMPORT_MAX_UNCOMPRESSED_BYTES); "
                    "nothing was imported."
                )
            name, path = answers_sheet(zf)
            sheet = zf.NameToInfo.get(path)
            if sheet is None:
                raise ApplicationError(f"The XLSX workbook has no {path}: it is damaged.")
            has_formulas = _scan_sheet(zf, sheet, limits)
            for info in infos:  # unpacks every other part once: its CRC and size hold
                if info is not sheet:
                    for _ in _chunks(zf, info):
                        pass
            if has_formulas:
                rows = _formula_rows(zf, sheet)
                if rows:
                    raise _formulas_refused(rows)
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
        raise ApplicationError(f"The XLSX workbook cannot be read: {exc}.") from exc


def _formulas_refused(rows: list[int]) -> ApplicationError:
    details = [
        f"row {row}: a cell holds a formula without a value; open the file in a spreadsheet "
        "and save it again (the value is then stored), or type the value"
        for row in sorted(set(rows))
    ]
    more = len(details) - _MAX_LISTED
    if more > 0:
        details = [*details[:_MAX_LISTED], f"… and {more} more row(s) with such formulas"]
    return ApplicationError(
        f"The answers file has {len(set(rows))} row(s) with a formula without a value; "
        "nothing was imported.",
        details=details,
    )
