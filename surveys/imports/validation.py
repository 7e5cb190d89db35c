"""Validating an answers file in memory: every problem by its row number, no query per row."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.text import slugify

from scoring.rules import NA, na_limit_problems, normalize_value
from surveys.assessments.models import Answer
from surveys.assessments.scores import (
    version_layout,
)
from surveys.imports.reading import cell_text, round_label
from surveys.organisation.models import Phase, Product
from surveys.questionnaires.models import Item, QuestionnaireVersion
from surveys.rounds.models import Round, RoundStatus

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
COLUMNS = ("round", "round_date", "product", "department", "phase", "item", "answer", "note")
REQUIRED = ("round", "product", "item", "answer")
UNASSIGNED = "Unassigned"
BATCH = 5000
SCORE_BATCH = 250


@dataclass
class Row:
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
class NewRound:
    label: str
    first_row: int
    rows: int = 0
    opens_on: date | None = None
    date_row: int = 0


class Validator:
    """Reads rows into ``Row``s, collecting every problem with its row number."""

    def __init__(self, version: QuestionnaireVersion) -> None:
        self.version = version
        self.errors: list[tuple[int, str]] = []
        self.rows: list[Row] = []
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
        self.new_rounds: dict[str, NewRound] = {}
        self.round_rows: dict[str, list[int]] = defaultdict(list)
        self.phases = {p.value for p in Phase}
        # Rounds not closed whose rows all equal what is stored: nothing to write.
        self.unchanged_rounds: set[str] = set()

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
        names = [cell_text(c).casefold() for c in cells]
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
        label = round_label(cells["round"])
        product_value = cell_text(cells["product"])
        item_text = cell_text(cells["item"])
        if not label:
            self.error(number, "round is empty")
        elif len(label) > 50:
            self.error(number, f"round {label!r} is longer than 50 characters")
        if not product_value:
            self.error(number, "product is empty")
        for name, limit in (("product", 200), ("department", 200)):
            if len(cell_text(cells[name])) > limit:
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
        phase = cell_text(cells["phase"]).casefold()
        if phase and phase not in self.phases:
            self.error(
                number,
                f"phase {cell_text(cells['phase'])!r} is not one of poc, validation, production",
            )
        if label:
            self.round_of(number, label, round_date)
        if len(self.errors) > problems or item is None:
            return
        self.rows.append(
            Row(
                number=number,
                round=label,
                round_date=round_date,
                product=self.product_slug(product_value),
                product_value=product_value,
                department=cell_text(cells["department"]),
                phase=phase,
                item=item,
                value=value,
                note=cell_text(cells["note"]),
            )
        )

    def date_of(self, number: int, cell: object) -> date | None:
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            return None
        if isinstance(cell, datetime):
            return cell.date()
        if isinstance(cell, date):
            return cell
        text = cell_text(cell)
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
        new = self.new_rounds.setdefault(label, NewRound(label, number))
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
                # DESIGN §6.2: a row equal to what is stored is no change, whatever the
                # round's state, so the answers file just exported imports back.
                differing = self.rows_differing(existing)
                if not differing:
                    self.unchanged_rounds.add(label)
                    continue
                others = len(differing) - 1
                more = f" (and {others} more row{'s' if others > 1 else ''} of this round)"
                self.error(
                    differing[0],
                    f"round {label!r} is {existing.status}, not closed: answers for an "
                    f"open round are given in the browser{more if others else ''}",
                )

    def rows_differing(self, rnd: Round) -> list[int]:
        """Numbers of the rows of ``rnd`` that are not what its answers hold."""
        rows = [row for row in self.rows if row.round == rnd.label]
        stored = {
            (slug, item_id): (value, note)
            for slug, item_id, value, note in Answer.objects.filter(
                assessment__round=rnd,
                assessment__product__slug__in={row.product for row in rows},
            ).values_list("assessment__product__slug", "item_id", "value", "note")
        }
        return [
            row.number
            for row in rows
            if (row.product, row.item.pk) not in stored
            or not row_matches(row, *stored[(row.product, row.item.pk)])
        ]

    def check_answers(self) -> None:
        """No answer twice, and no complete assessment over the N/A limit."""
        seen: dict[tuple[str, str, int], int] = {}
        by_assessment: dict[tuple[str, str], dict[int, Row]] = defaultdict(dict)
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


def row_matches(row: Row, value: str | None, note: str | None) -> bool:
    """The row says what is stored, as an export writes it (a cell's text is read trimmed)."""
    return row.value == value and row.note == (note or "").strip()


def new_slug(value: str, prefix: str) -> str:
    """``value`` slugified; a digest keeps apart names that differ only in non-Latin text."""
    plain = slugify(value)[:80].strip("-")
    if plain and plain == slugify(value, allow_unicode=True)[:80].strip("-"):
        return plain
    digest = hashlib.sha1(value.encode()).hexdigest()[:8]
    return f"{plain or prefix}-{digest}"
