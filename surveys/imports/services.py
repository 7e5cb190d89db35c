"""Answers files (DESIGN §6.2): historical answers from CSV or XLSX, all or nothing.

The whole file is read and validated in memory first (dict lookups, no query per row);
any problem rejects it with every problem listed by its row number (the header is row
1). Only a valid file is written, in one transaction, with bulk inserts and updates, and
scored as closing its rounds would have scored it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError
from zipfile import BadZipFile

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from mlopsscore.errors import ApplicationError
from reports.services import round_report_store
from scoring.rules import NA, na_limit_problems, normalize_value
from surveys.assessments.scores import (
    assessments_score_clear,
    assessments_score_store,
    version_layout,
)
from surveys.models import (
    Answer,
    AnswerRevision,
    Assessment,
    AssessmentStatus,
    Department,
    Item,
    Phase,
    Product,
    QuestionnaireVersion,
    RevisionSource,
    Round,
    RoundEvent,
    RoundEventKind,
    RoundStatus,
)

COLUMNS = ("round", "round_date", "product", "department", "phase", "item", "answer", "note")
REQUIRED = ("round", "product", "item", "answer")
UNASSIGNED = "Unassigned"
BATCH = 5000
SCORE_BATCH = 250
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


@dataclass
class RoundResult:
    label: str
    created: bool = False
    rows: int = 0
    products_targeted: int = 0
    assessments_created: int = 0
    assessments_updated: int = 0
    assessments_unchanged: int = 0
    scored: int = 0
    not_submitted: int = 0
    answers_changed: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.products_targeted
            or self.assessments_created
            or self.assessments_updated
        )


@dataclass
class ImportResult:
    rows: int = 0
    rounds: list[RoundResult] = field(default_factory=list)
    departments_created: list[str] = field(default_factory=list)
    products_created: list[str] = field(default_factory=list)

    @property
    def rounds_created(self) -> list[str]:
        return [r.label for r in self.rounds if r.created]

    @property
    def scored(self) -> int:
        return sum(r.scored for r in self.rounds)

    @property
    def not_submitted(self) -> int:
        return sum(r.not_submitted for r in self.rounds)

    @property
    def unchanged(self) -> int:
        return sum(r.assessments_unchanged for r in self.rounds)

    @property
    def answers_changed(self) -> int:
        return sum(r.answers_changed for r in self.rounds)

    def summary(self) -> list[str]:
        created = ", ".join(self.rounds_created) or "none"
        lines = [
            f"Rows read: {self.rows}",
            f"Rounds created: {len(self.rounds_created)} ({created})",
            f"Departments created: {len(self.departments_created)}",
            f"Products created: {len(self.products_created)}",
            f"Assessments scored (submitted): {self.scored}",
            f"Assessments not submitted (incomplete, not scored): {self.not_submitted}",
            f"Assessments unchanged: {self.unchanged}",
            f"Answers changed: {self.answers_changed}",
        ]
        for r in self.rounds:
            lines.append(
                f"  {r.label}: {'created' if r.created else 'existing'}, "
                f"{r.scored} scored, {r.not_submitted} not submitted, "
                f"{r.assessments_unchanged} unchanged"
            )
        return lines


@dataclass
class _Row:
    number: int
    round: str
    round_date: date | None
    product: str  # the product's slug (existing or to create)
    product_value: str
    department: str
    phase: str
    item: Item
    value: str | None
    note: str


@dataclass
class _NewRound:
    label: str
    first_row: int
    rows: int = 0
    opens_on: date | None = None
    date_row: int = 0


# ---------------------------------------------------------------------------- reading


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time.min else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


def _round_label(cell: object) -> str:
    # A spreadsheet turns a typed "2021-10" into the date 2021-10-01: give it back.
    if isinstance(cell, date):
        day = cell.date() if isinstance(cell, datetime) else cell
        return f"{day:%Y-%m}" if day.day == 1 else day.isoformat()
    return _text(cell)


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
def _opened(path: str | Path | None, file: IO[Any] | None) -> Iterator[IO[bytes]]:
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


def _numbered_rows(stream: IO[bytes]) -> Iterator[tuple[int, Sequence[object]]]:
    """The file's rows, numbered as a spreadsheet numbers them (the header is row 1)."""
    magic = stream.read(4)
    stream.seek(0)
    if magic == _OLE_MAGIC:
        raise ApplicationError("Old .xls workbooks are not read: save it as .xlsx or CSV (UTF-8).")
    rows = _xlsx_rows(stream) if magic == _ZIP_MAGIC else _csv_rows(stream)
    return enumerate(rows, start=1)


# ------------------------------------------------------------------------- validation


class _Validator:
    """Reads rows into ``_Row``s, collecting every problem with its row number."""

    def __init__(self, version: QuestionnaireVersion) -> None:
        self.version = version
        self.errors: list[tuple[int, str]] = []
        self.rows: list[_Row] = []
        items = list(version.items.all())
        self.items_by_key = {it.key: it for it in items}
        self.items_by_code = {it.code: it for it in items}
        self.items_by_code_ci = {it.code.casefold(): it for it in items}
        self.rounds = {
            r.label: r
            for r in Round.objects.filter(questionnaire_id=version.questionnaire_id).select_related(
                "version__questionnaire"
            )
        }
        self.product_slugs: set[str] = set(Product.objects.values_list("slug", flat=True))
        self.product_by_name = dict(Product.objects.values_list("name", "slug"))
        self._product_of: dict[str, str] = {}
        self.new_products: dict[str, str] = {}  # slug -> name as given
        self.new_rounds: dict[str, _NewRound] = {}
        self.round_rows: dict[str, list[int]] = defaultdict(list)
        self.phases = {p.value for p in Phase}

    def error(self, number: int, message: str) -> None:
        self.errors.append((number, message))

    def item_of(self, text: str) -> Item | None:
        return (
            self.items_by_key.get(text)
            or self.items_by_code.get(text)
            or self.items_by_code_ci.get(text.casefold())
        )

    def product_slug(self, value: str) -> str:
        slug = self._product_of.get(value)
        if slug is None:
            plain = slugify(value)
            if value in self.product_slugs:
                slug = value
            elif plain and plain in self.product_slugs:
                slug = plain
            elif value in self.product_by_name:
                slug = self.product_by_name[value]
            else:
                slug = new_slug(value, "product")
                if slug not in self.product_slugs:
                    self.new_products.setdefault(slug, value)
            self._product_of[value] = slug
        return slug

    def header(self, cells: Sequence[object]) -> dict[str, int]:
        names = [_text(c).casefold() for c in cells]
        index: dict[str, int] = {}
        for position, name in enumerate(names):
            if name not in COLUMNS:
                continue  # extra columns are allowed and ignored
            if name in index:
                self.error(1, f"the column {name!r} appears twice in the header")
            index.setdefault(name, position)
        for name in REQUIRED:
            if name not in index:
                self.error(1, f"the header has no {name!r} column")
        return index

    def read(self, rows: Iterable[tuple[int, Sequence[object]]]) -> bool:
        """Read every row; False when the header is unusable (nothing else was read)."""
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            self.error(1, "the file is empty: it needs a header row")
            return False
        index = self.header(first[1])
        if self.errors:
            return False
        positions = [index.get(name) for name in COLUMNS]
        for number, cells in rows:
            values = [cells[p] if p is not None and p < len(cells) else None for p in positions]
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            self.row(number, dict(zip(COLUMNS, values, strict=True)))
        if not self.rows and not self.errors:
            self.error(2, "the file has a header but no answers")
        return True

    def row(self, number: int, cells: dict[str, object]) -> None:
        problems = len(self.errors)
        label = _round_label(cells["round"])
        product_value = _text(cells["product"])
        item_text = _text(cells["item"])
        if not label:
            self.error(number, "round is empty")
        elif len(label) > 50:
            self.error(number, f"round {label!r} is longer than 50 characters")
        if not product_value:
            self.error(number, "product is empty")
        for name, limit in (("product", 200), ("department", 200)):
            if len(_text(cells[name])) > limit:
                self.error(number, f"{name} is longer than {limit} characters")
        item = self.item_of(item_text) if item_text else None
        if not item_text:
            self.error(number, "item is empty")
        elif item is None:
            self.error(number, f"item {item_text!r} is not an item of {self.version.label}")
        value: str | None = None
        try:
            value = normalize_value(cells["answer"])
        except ValueError as exc:
            self.error(number, f"answer {exc}")
        if value == NA and item is not None and not item.na_allowed:
            self.error(number, f"item {item.code} ({item.key}) does not allow N/A")
        round_date = self.date_of(number, cells["round_date"])
        phase = _text(cells["phase"]).casefold()
        if phase and phase not in self.phases:
            self.error(
                number, f"phase {_text(cells['phase'])!r} is not one of poc, validation, production"
            )
        if label:
            self.round_of(number, label, round_date)
        if len(self.errors) > problems or item is None:
            return
        self.rows.append(
            _Row(
                number=number,
                round=label,
                round_date=round_date,
                product=self.product_slug(product_value),
                product_value=product_value,
                department=_text(cells["department"]),
                phase=phase,
                item=item,
                value=value,
                note=_text(cells["note"]),
            )
        )

    def date_of(self, number: int, cell: object) -> date | None:
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            return None
        if isinstance(cell, datetime):
            return cell.date()
        if isinstance(cell, date):
            return cell
        text = _text(cell)
        if _DATE_RE.match(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        self.error(number, f"round_date {text!r} is not a date (YYYY-MM-DD)")
        return None

    def round_of(self, number: int, label: str, round_date: date | None) -> None:
        self.round_rows[label].append(number)
        existing = self.rounds.get(label)
        if existing is not None:
            if round_date is not None and round_date != existing.opens_on:
                self.error(
                    number,
                    f"round_date {round_date} contradicts round {label!r}, "
                    f"which opened on {existing.opens_on}",
                )
            return
        new = self.new_rounds.setdefault(label, _NewRound(label, number))
        new.rows += 1
        if round_date is None:
            return
        if new.opens_on is None:
            new.opens_on, new.date_row = round_date, number
        elif round_date != new.opens_on:
            self.error(
                number,
                f"round_date {round_date} contradicts {new.opens_on}, "
                f"given for round {label!r} on row {new.date_row}",
            )

    def check_rounds(self) -> None:
        for label, numbers in self.round_rows.items():
            others = len(numbers) - 1
            more = f" (and {others} more row{'s' if others > 1 else ''} of this round)"
            more = more if others else ""
            existing = self.rounds.get(label)
            if existing is None:
                if self.new_rounds[label].opens_on is None:
                    self.error(
                        numbers[0],
                        f"round {label!r} does not exist yet and no row gives its "
                        f"round_date (YYYY-MM-DD){more}",
                    )
            elif existing.version_id != self.version.pk:
                self.error(
                    numbers[0],
                    f"round {label!r} exists with {existing.version.label}, "
                    f"not {self.version.label}{more}",
                )
            elif existing.status != RoundStatus.CLOSED:
                self.error(
                    numbers[0],
                    f"round {label!r} is {existing.status}, not closed: answers for an "
                    f"open round are given in the browser{more}",
                )

    def check_answers(self) -> None:
        """No answer twice, and no complete assessment over the N/A limit."""
        seen: dict[tuple[str, str, int], int] = {}
        by_assessment: dict[tuple[str, str], dict[int, _Row]] = defaultdict(dict)
        for row in self.rows:
            key = (row.round, row.product, row.item.pk)
            if key in seen:
                self.error(
                    row.number,
                    f"round {row.round!r}, product {row.product_value!r}, item "
                    f"{row.item.code} is already answered on row {seen[key]}",
                )
                continue
            seen[key] = row.number
            by_assessment[(row.round, row.product)][row.item.pk] = row
        layout = version_layout(self.version)
        total = sum(len(items) for _, items in layout.areas)
        for (label, _), rows in by_assessment.items():
            values = {item_id: row.value for item_id, row in rows.items()}
            if len(rows) < total or any(v is None for v in values.values()):
                continue  # incomplete: not submitted, so the limit does not apply
            by_area = layout.values_by_area(values)
            for area_key, count in na_limit_problems(by_area, self.version.policy).items():
                na_rows = sorted(
                    rows[item_id].number
                    for item_id, _ in dict(layout.areas)[area_key]
                    if values.get(item_id) == NA
                )
                listed = ", ".join(str(n) for n in na_rows)
                product = next(iter(rows.values())).product_value
                for number in na_rows:
                    self.error(
                        number,
                        f"product {product!r} in round {label!r} has {count} N/A answers in "
                        f"area {area_key!r} (rows {listed}), more than the "
                        f"{self.version.max_na_per_area} allowed per area: such answers "
                        "could never have been submitted",
                    )

    def problems(self) -> list[str]:
        errors = sorted(self.errors, key=lambda error: error[0])  # stable: in reading order
        return [f"row {number}: {message}" for number, message in errors]


def new_slug(value: str, prefix: str) -> str:
    """``value`` slugified; a digest keeps apart names that differ only in non-Latin text."""
    plain = slugify(value)[:80].strip("-")
    if plain and plain == slugify(value, allow_unicode=True)[:80].strip("-"):
        return plain
    digest = hashlib.sha1(value.encode()).hexdigest()[:8]
    return f"{plain or prefix}-{digest}"


# ---------------------------------------------------------------------------- writing


def insert_many(model: type[models.Model], rows: Iterable[dict[str, object]]) -> None:
    """Insert many rows, given as field attnames to values (the others get their default).

    PostgreSQL gets them through COPY: at a few hundred thousand answers that is several
    times faster than ``bulk_create``, which builds a model instance per row.
    """
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql":
        batch: list[models.Model] = []
        for row in rows:
            batch.append(model(**row))
            if len(batch) >= BATCH:
                model.objects.bulk_create(batch)  # type: ignore[attr-defined]
                batch = []
        model.objects.bulk_create(batch)  # type: ignore[attr-defined]
        return
    defaults = {f.attname: f.get_default() for f in fields}
    names = [f.attname for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[name] if name in row else defaults[name] for name in names])


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=timezone.get_default_timezone())


class _Writer:
    def __init__(self, version: QuestionnaireVersion, checked: _Validator, by: Any) -> None:
        self.version = version
        self.checked = checked
        self.by = by
        self.now = timezone.now()
        self.result = ImportResult(rows=len(checked.rows))
        self.items = list(version.items.order_by("position"))

    def write(self) -> ImportResult:
        product_ids = self.create_products()
        rounds = self.create_rounds()
        by_round: dict[str, dict[int, dict[int, _Row]]] = defaultdict(lambda: defaultdict(dict))
        for row in self.checked.rows:
            by_round[row.round][product_ids[row.product]][row.item.pk] = row
        for label, answers in by_round.items():
            outcome = self.round_results[label]
            outcome.rows = sum(len(v) for v in answers.values())
            self.write_round(rounds[label], answers, outcome)
        return self.result

    def create_departments(self, names: set[str]) -> dict[str, int]:
        """Department ids by name as written, creating the departments that are missing."""
        departments = list(Department.objects.values_list("id", "slug", "name"))
        by_name = {name: pk for pk, _, name in departments}
        by_name_ci = {name.casefold(): pk for pk, _, name in departments}
        by_slug = {slug: pk for pk, slug, _ in departments}
        found: dict[str, int] = {}
        new: dict[str, str] = {}  # slug -> name as first written
        for name in sorted(names):
            slug = new_slug(name, "department")
            pk = (
                by_name.get(name)
                or by_name_ci.get(name.casefold())
                or by_slug.get(name)
                or by_slug.get(slug)
            )
            if pk is not None:
                found[name] = pk
            else:
                new.setdefault(slug, name)
        Department.objects.bulk_create([Department(slug=s, name=n) for s, n in new.items()])
        created = dict(Department.objects.filter(slug__in=new).values_list("slug", "id"))
        for name in names:
            if name not in found:
                found[name] = created[new_slug(name, "department")]
        self.result.departments_created = sorted(new.values())
        return found

    def create_products(self) -> dict[str, int]:
        new = self.checked.new_products
        # Department and phase are set on creation only, from the product's latest round.
        dates = {label: r.opens_on for label, r in self.checked.rounds.items()}
        dates.update(
            {label: r.opens_on for label, r in self.checked.new_rounds.items() if r.opens_on}
        )
        department_at: dict[str, tuple[tuple[date, int], str]] = {}
        phase_at: dict[str, tuple[tuple[date, int], str]] = {}
        for row in self.checked.rows:
            if row.product not in new:
                continue
            when = (dates[row.round], row.number)
            if row.department and (
                row.product not in department_at or department_at[row.product][0] <= when
            ):
                department_at[row.product] = (when, row.department)
            if row.phase and (row.product not in phase_at or phase_at[row.product][0] <= when):
                phase_at[row.product] = (when, row.phase)
        departments = {slug: department_at.get(slug, (None, UNASSIGNED))[1] for slug in new}
        department_ids = self.create_departments(set(departments.values())) if new else {}
        Product.objects.bulk_create(
            [
                Product(
                    slug=slug,
                    name=name[:200],
                    department_id=department_ids[departments[slug]],
                    phase=phase_at.get(slug, (None, Phase.PRODUCTION.value))[1],
                )
                for slug, name in new.items()
            ],
            batch_size=BATCH,
        )
        self.result.products_created = sorted(new)
        wanted = {row.product for row in self.checked.rows}
        ids: dict[str, int] = {}
        slugs = sorted(wanted)
        for start in range(0, len(slugs), BATCH):
            chunk = slugs[start : start + BATCH]
            ids.update(Product.objects.filter(slug__in=chunk).values_list("slug", "id"))
        return ids

    def create_rounds(self) -> dict[str, Round]:
        rounds: dict[str, Round] = {}
        self.round_results: dict[str, RoundResult] = {}
        labels = list(dict.fromkeys(row.round for row in self.checked.rows))
        for label in labels:
            existing = self.checked.rounds.get(label)
            if existing is not None:
                rounds[label] = existing
                self.round_results[label] = RoundResult(label)
                continue
            opens_on = self.checked.new_rounds[label].opens_on
            assert opens_on is not None  # checked before writing
            closes_on = opens_on + timedelta(days=settings.ROUND_OPEN_DAYS)
            rounds[label] = Round.objects.create(
                questionnaire=self.version.questionnaire,
                version=self.version,
                label=label,
                opens_on=opens_on,
                closes_on=closes_on,
                status=RoundStatus.CLOSED,
                is_historical=True,
                opened_at=datetime.combine(
                    opens_on, time.min, tzinfo=timezone.get_default_timezone()
                ),
                closed_at=_end_of(closes_on),
                created_by=self.by,
            )
            self.round_results[label] = RoundResult(label, created=True)
        ordered = sorted(labels, key=lambda label: (rounds[label].opens_on, label))
        self.result.rounds = [self.round_results[label] for label in ordered]
        return rounds

    def write_round(
        self, rnd: Round, answers: dict[int, dict[int, _Row]], outcome: RoundResult
    ) -> None:
        through = Round.products.through
        targeted = set(through.objects.filter(round=rnd).values_list("product_id", flat=True))
        missing = [pid for pid in answers if pid not in targeted]
        through.objects.bulk_create(
            [through(round_id=rnd.pk, product_id=pid) for pid in missing], batch_size=BATCH
        )
        outcome.products_targeted = len(missing)
        existing = {
            a.product_id: a
            for a in Assessment.objects.filter(round=rnd).only(
                "id", "product_id", "status", "final_score", "submitted_at"
            )
            if a.product_id in answers
        }
        new_ids = self.create_assessments(rnd, [p for p in answers if p not in existing], answers)
        score: list[Assessment] = []
        clear: list[int] = []
        for product_id in new_ids:
            if self.is_complete(answers[product_id]):
                score.append(Assessment(pk=new_ids[product_id], product_id=product_id))
            else:
                clear.append(new_ids[product_id])
        outcome.assessments_created = len(new_ids)
        updated = self.update_assessments(rnd, existing, answers, outcome)
        for assessment in updated:
            if self.is_complete(answers[assessment.product_id]):
                score.append(assessment)
            else:
                clear.append(assessment.pk)
        outcome.assessments_updated = len(updated)
        outcome.assessments_unchanged = len(existing) - len(updated)
        # Small chunks: scores are written with one CASE per field, whose cost grows with
        # the square of the chunk.
        for start in range(0, len(score), SCORE_BATCH):
            assessments_score_store(round=rnd, assessments=score[start : start + SCORE_BATCH])
        for start in range(0, len(clear), BATCH):
            assessments_score_clear(assessment_ids=clear[start : start + BATCH])
        outcome.scored, outcome.not_submitted = len(score), len(clear)
        if outcome.changed:
            round_report_store(round=rnd)
            RoundEvent.objects.create(
                round=rnd,
                kind=RoundEventKind.IMPORTED,
                by=self.by,
                details={
                    "rows": outcome.rows,
                    "round_created": outcome.created,
                    "products_targeted": outcome.products_targeted,
                    "assessments_created": outcome.assessments_created,
                    "assessments_updated": outcome.assessments_updated,
                    "assessments_unchanged": outcome.assessments_unchanged,
                    "scored": outcome.scored,
                    "not_submitted": outcome.not_submitted,
                    "answers_changed": outcome.answers_changed,
                },
            )

    def is_complete(self, rows: dict[int, _Row]) -> bool:
        return len(rows) == len(self.items) and all(r.value is not None for r in rows.values())

    def status_of(self, rows: dict[int, _Row]) -> str:
        if self.is_complete(rows):
            return AssessmentStatus.SUBMITTED
        return AssessmentStatus.NOT_SUBMITTED

    def create_assessments(
        self, rnd: Round, product_ids: list[int], answers: dict[int, dict[int, _Row]]
    ) -> dict[int, int]:
        if not product_ids:
            return {}
        assessments = []
        for product_id in product_ids:
            status = self.status_of(answers[product_id])
            submitted = status == AssessmentStatus.SUBMITTED
            assessments.append(
                Assessment(
                    round=rnd,
                    product_id=product_id,
                    status=status,
                    created_at=self.now,
                    updated_at=self.now,
                    submitted_at=rnd.closed_at if submitted else None,
                )
            )
        Assessment.objects.bulk_create(assessments, batch_size=BATCH)
        wanted = set(product_ids)
        ids = {
            product_id: pk
            for product_id, pk in Assessment.objects.filter(round=rnd).values_list(
                "product_id", "id"
            )
            if product_id in wanted
        }
        by = self.by.pk if self.by is not None else None
        now = self.now

        def values() -> Iterator[dict[str, object]]:
            for product_id in product_ids:
                rows, assessment_id = answers[product_id], ids[product_id]
                for item in self.items:
                    row = rows.get(item.pk)
                    value, note = (row.value, row.note) if row else (None, "")
                    yield {
                        "assessment_id": assessment_id,
                        "item_id": item.pk,
                        "value": value,
                        "note": note,
                        "na_reason": note if value == NA else "",
                        "updated_at": now,
                        "updated_by_id": by,
                    }

        insert_many(Answer, values())
        self.round_results[rnd.label].answers_changed += sum(
            1 for p in product_ids for r in answers[p].values() if r.value is not None
        )
        return ids

    def answer(self, assessment_id: int, item_id: int, row: _Row | None) -> Answer:
        value = row.value if row else None
        note = row.note if row else ""
        return Answer(
            assessment_id=assessment_id,
            item_id=item_id,
            value=value,
            note=note,
            na_reason=note if value == NA else "",
            updated_at=self.now,
            updated_by=self.by,
        )

    def update_assessments(
        self,
        rnd: Round,
        existing: dict[int, Assessment],
        answers: dict[int, dict[int, _Row]],
        outcome: RoundResult,
    ) -> list[Assessment]:
        """Replace the answers of assessments already in the round; returns the changed ones."""
        if not existing:
            return []
        by_assessment = {a.pk: a for a in existing.values()}
        stored: dict[int, dict[int, Answer]] = defaultdict(dict)
        ids = list(by_assessment)
        for start in range(0, len(ids), BATCH):
            for answer in Answer.objects.filter(assessment_id__in=ids[start : start + BATCH]).only(
                "id", "assessment_id", "item_id", "value", "note", "na_reason", "revision"
            ):
                stored[answer.assessment_id][answer.item_id] = answer
        changed_answers: list[Answer] = []
        created_answers: list[Answer] = []
        revisions: list[tuple[Answer, str | None, str]] = []
        changed: list[Assessment] = []
        for assessment in existing.values():
            rows = answers[assessment.product_id]
            had = stored[assessment.pk]
            differs = False
            for item in self.items:
                fresh = self.answer(assessment.pk, item.pk, rows.get(item.pk))
                old = had.get(item.pk)
                if old is None:
                    created_answers.append(fresh)
                    if fresh.value is not None:
                        revisions.append((fresh, None, ""))
                    differs = True
                    continue
                if (old.value, old.note, old.na_reason) == (
                    fresh.value,
                    fresh.note,
                    fresh.na_reason,
                ):
                    continue
                revisions.append((old, old.value, old.note))
                old.value, old.note, old.na_reason = fresh.value, fresh.note, fresh.na_reason
                old.revision += 1
                old.updated_at, old.updated_by = self.now, self.by
                changed_answers.append(old)
                differs = True
            status = self.status_of(rows)
            scored_wrong = (assessment.final_score is None) == (
                status == AssessmentStatus.SUBMITTED
            )
            if differs or assessment.status != status or scored_wrong:
                assessment.status = status
                assessment.updated_at = self.now
                changed.append(assessment)
        Answer.objects.bulk_update(
            changed_answers,
            ["value", "note", "na_reason", "revision", "updated_at", "updated_by"],
            batch_size=BATCH,
        )
        Answer.objects.bulk_create(created_answers, batch_size=BATCH)
        self.record_revisions(revisions, created_answers)
        outcome.answers_changed += len(revisions)
        for assessment in changed:
            if assessment.status == AssessmentStatus.SUBMITTED:
                assessment.submitted_at = assessment.submitted_at or rnd.closed_at
            else:
                assessment.submitted_at = None
        Assessment.objects.bulk_update(
            changed, ["status", "updated_at", "submitted_at"], batch_size=BATCH
        )
        return changed

    def record_revisions(
        self, revisions: list[tuple[Answer, str | None, str]], created: list[Answer]
    ) -> None:
        if not revisions:
            return
        if any(answer.pk is None for answer, _, _ in revisions):
            # Answers just created: fetch their ids (not every database returns them).
            keys = {(a.assessment_id, a.item_id) for a in created}
            found = {
                (assessment_id, item_id): pk
                for pk, assessment_id, item_id in Answer.objects.filter(
                    assessment_id__in={a for a, _ in keys}
                ).values_list("id", "assessment_id", "item_id")
                if (assessment_id, item_id) in keys
            }
            for answer, _, _ in revisions:
                if answer.pk is None:
                    answer.pk = found[(answer.assessment_id, answer.item_id)]
        AnswerRevision.objects.bulk_create(
            [
                AnswerRevision(
                    answer_id=answer.pk,
                    by=self.by,
                    at=self.now,
                    old_value=old_value,
                    new_value=answer.value,
                    old_note=old_note,
                    new_note=answer.note,
                    na_reason=answer.na_reason,
                    source=RevisionSource.IMPORT,
                )
                for answer, old_value, old_note in revisions
            ],
            batch_size=BATCH,
        )


# ---------------------------------------------------------------------------- service


def _checked(
    *,
    version: QuestionnaireVersion,
    path: str | Path | None = None,
    file: IO[Any] | None = None,
) -> tuple[_Validator, list[str]]:
    checked = _Validator(version)
    with _opened(path, file) as stream:
        header_ok = checked.read(_numbered_rows(stream))
    if header_ok:
        # Invalid rows were left out; the checks across rows still run on the others,
        # so that one reading lists every problem of the file.
        checked.check_rounds()
        checked.check_answers()
    return checked, checked.problems()


@transaction.atomic
def answers_import(
    *,
    version: QuestionnaireVersion,
    path: str | Path | None = None,
    file: IO[Any] | None = None,
    by: Any = None,
) -> ImportResult:
    """Import an answers file (DESIGN §6.2) into ``version``'s rounds, all or nothing.

    Give ``path`` or an open binary ``file`` (CSV in UTF-8, with or without BOM, or
    XLSX). Raises ``ApplicationError`` whose ``details`` list every problem as
    ``row N: ...``; nothing is written then.
    """
    checked, problems = _checked(version=version, path=path, file=file)
    if problems:
        raise ApplicationError(
            f"The answers file has {len(problems)} problem(s); nothing was imported.",
            details=problems,
        )
    try:
        with transaction.atomic():
            return _Writer(version, checked, by).write()
    except IntegrityError as exc:
        # Only another import (or an admin) writing the same rounds at the same time.
        raise ApplicationError(
            "The same rounds or products were changed while importing; import the file again."
        ) from exc
