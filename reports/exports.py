"""Files to take to a meeting: the Excel workbook and the CSV of answers.

The workbook is written with openpyxl in write-only mode and fed from querysets read
in chunks, so 10,000 products × 20 rounds fit in time and memory. Its Answers sheet
holds the answers of ONE round (the latest with any assessment unless one is asked
for); the CSV streams the answers of every round. Both use the long format of DESIGN
§6.2, which ``import_answers`` reads back (it reads the sheet named "Answers").
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from copy import copy
from typing import IO, TYPE_CHECKING, Any

import pandas as pd
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from mlopsscore.errors import ApplicationError
from scoring.rules import BAND_KEYS, BANDS, band_of
from surveys.models import Answer, Product

from .breakdowns import ancestors_map, by_department, item_rows
from .selectors import (
    EVERYTHING,
    RoundInfo,
    Scope,
    departments_tree,
    item_value_counts,
    items_of,
)
from .trend import Trend

if TYPE_CHECKING:
    from .pages import Report

# The order of issue 5. ``import_answers`` reads the sheet named "Answers", so the
# workbook still reads back with Answers last.
SHEETS = ("Summary", "Trend", "Cohort", "Areas", "Departments", "Items", "Products", "Answers")
OPENS_ON = SHEETS.index("Summary")
CSV_NOTE = (
    "The Answers sheet holds the answers of one round. The answers of every round are "
    "in the CSV download (Download answers (CSV) on the reports pages)."
)
ANSWER_COLUMNS = ("round", "round_date", "product", "department", "phase", "item", "answer", "note")
EXCEL_MAX_ROWS = 1_048_576
CHUNK = 5000

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F5FBF")
TITLE_FONT = Font(bold=True, size=14)
SCORE = "0.00"
SHARE = "0.0%"
COUNT = "0"
DATE = "yyyy-mm-dd"


XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
PLAIN_CHUNK = 1000


class PlainRowsWorksheet(WriteOnlyWorksheet):  # type: ignore[misc]
    """A write-only worksheet for a big sheet of plain values (str, int, float, date).

    openpyxl builds a Cell object, checks its type and looks up its style for every
    cell: for the Answers sheet of a round of 10,000 products (some 280,000 rows × 8
    cells) that is most of the export's time. Here the styled header rows go through
    openpyxl as usual; the plain rows after them are written as the sheet's XML text
    into a temporary file, which ``close`` splices into openpyxl's own sheet file just
    before ``</sheetData>``. Strings are inline strings, as openpyxl writes them; dates
    get openpyxl's default date format, as a plain ``append`` gives them.
    """

    def __init__(self, parent: Workbook, title: str) -> None:
        super().__init__(parent, title)
        self._header_rows = 0
        self._plain_rows = 0
        # Closed in close(), which openpyxl calls when it saves the workbook.
        self._plain = tempfile.TemporaryFile()  # noqa: SIM115
        self._buffer: list[str] = []
        self._letters = [get_column_letter(n) for n in range(1, 101)]
        self._dates: dict[dt.date, str] = {}
        self._date_style = ""

    def append(self, row: Any) -> None:
        if any(isinstance(value, Cell) for value in row):
            if self._plain_rows:
                raise ValueError("Styled rows go before the plain rows.")
            super().append(row)
            self._header_rows += 1
            return
        if not self._header_rows:
            raise ValueError("A sheet of plain rows starts with its styled header.")
        self._plain_rows += 1
        idx = self._header_rows + self._plain_rows
        cells = []
        for letter, value in zip(self._letters, row, strict=False):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                text = ILLEGAL_CHARACTERS_RE.sub("", value).translate(XML_TEXT)
                space = ' xml:space="preserve"' if value != value.strip() else ""
                cells.append(
                    f'<c r="{letter}{idx}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
                )
            elif isinstance(value, bool):
                cells.append(f'<c r="{letter}{idx}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, dt.date):
                cells.append(
                    f'<c r="{letter}{idx}" s="{self._date_style_id(value)}" t="n">'
                    f"<v>{self._serial(value)}</v></c>"
                )
            else:
                cells.append(f'<c r="{letter}{idx}" t="n"><v>{value}</v></c>')
        self._buffer.append(f'<row r="{idx}">{"".join(cells)}</row>')
        if len(self._buffer) >= PLAIN_CHUNK:
            self._flush()

    def _date_style_id(self, value: dt.date) -> str:
        if not self._date_style:
            self._date_style = str(WriteOnlyCell(self, value=value).style_id)
        return self._date_style

    def _serial(self, value: dt.date) -> str:
        if value not in self._dates:
            self._dates[value] = str(to_excel(value, self.parent.epoch))
        return self._dates[value]

    def _flush(self) -> None:
        self._plain.write("".join(self._buffer).encode("utf-8"))
        self._buffer.clear()

    def close(self) -> None:
        if self._header_rows == 0:
            super().append([])  # openpyxl then writes <sheetData>...</sheetData>
        super().close()
        self._flush()
        path = self._writer.out
        with open(path, "rb") as handle:
            written = handle.read()
        head, end, tail = written.partition(b"</sheetData>")
        if not end:
            raise ValueError(f"No </sheetData> in the sheet {self.title!r}.")
        with open(path, "wb") as handle:
            handle.write(head)
            self._plain.seek(0)
            shutil.copyfileobj(self._plain, handle, 1 << 20)
            handle.write(end + tail)
        self._plain.close()


class Sheet:
    """A write-only sheet with a styled, frozen header, column widths and number formats.

    ``plain``: a big sheet of plain values without number formats (PlainRowsWorksheet).
    """

    def __init__(
        self,
        workbook: Workbook,
        title: str,
        columns: list[tuple[str, int, str | None]],
        *,
        plain: bool = False,
    ) -> None:
        if plain:
            self.ws: WriteOnlyWorksheet = PlainRowsWorksheet(parent=workbook, title=title)
            workbook._add_sheet(self.ws)
        else:
            self.ws = workbook.create_sheet(title)
        self.formats = [fmt for _, _, fmt in columns]
        for index, (_, width, _fmt) in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.freeze_panes = "B2" if len(columns) > 1 else "A2"
        header = []
        for name, _, _ in columns:
            cell = WriteOnlyCell(self.ws, value=name)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="center")
            header.append(cell)
        self.ws.append(header)
        self.rows = 1
        # The style of each formatted column, made once: a cell then only copies it.
        self._styles: list[Any] = []
        for fmt in self.formats:
            if fmt is None:
                self._styles.append(None)
                continue
            template = WriteOnlyCell(self.ws)
            template.number_format = fmt
            self._styles.append(template._style)

    def append(self, values: Iterable[Any]) -> None:
        cells = []
        for value, style in zip(values, self._styles, strict=False):
            if style is None or value is None or isinstance(value, str):
                cells.append(value)
            else:
                cell = WriteOnlyCell(self.ws, value=value)
                cell._style = copy(style)
                cells.append(cell)
        self.ws.append(cells)
        self.rows += 1


def _band_columns() -> list[tuple[str, int, str | None]]:
    return [(f"band {key}", 10, COUNT) for key in BAND_KEYS]


def _area_keys(trend: Trend) -> list[str]:
    keys: list[str] = []
    for info in trend.rounds:
        keys.extend(k for k in info.area_keys if k not in keys)
    return keys


def answers_round_of(trend: Trend, label: str | None = None) -> RoundInfo | None:
    """The round whose answers the workbook's Answers sheet holds.

    ``label`` names it; without one, the latest round (in date order) with any
    assessment. None when no round has any assessment.
    """
    if label:
        for info in trend.rounds:
            if info.label == label:
                return info
        known = ", ".join(info.label for info in trend.rounds) or "none"
        raise ApplicationError(
            gettext("No round %(label)r in questionnaire %(questionnaire)r. Rounds: %(known)s.")
            % {"label": label, "questionnaire": trend.questionnaire, "known": known}
        )
    with_data = [
        info for info, row in zip(trend.rounds, trend.rows, strict=True) if row["targeted"]
    ]
    return with_data[-1] if with_data else None


def _write_summary(
    wb: Workbook, trend: Trend, scope_text: str, answers_round: RoundInfo | None
) -> None:
    ws = wb.create_sheet("Summary")
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 60
    title = WriteOnlyCell(ws, value=f"Trend report: {trend.questionnaire}")
    title.font = TITLE_FONT
    ws.append([title])
    ws.append(["Generated", timezone.now().strftime("%Y-%m-%d %H:%M UTC")])
    ws.append(["Products", scope_text])
    ws.append(["Target", trend.target.value])
    ws.append(["Cohort baseline", trend.baseline.label if trend.baseline else "—"])
    ws.append(["Rounds", len(trend.rounds)])
    ws.append(["Answers sheet", f"round {answers_round.label}" if answers_round else "—"])
    ws.append(["All answers", CSV_NOTE])
    latest = next((row for row in reversed(trend.rows) if row["scored"]), None)
    if latest is not None:
        ws.append([])
        bold = WriteOnlyCell(ws, value=f"Latest scored round: {latest['label']}")
        bold.font = Font(bold=True)
        ws.append([bold])
        for name, value in (
            ("Products targeted", latest["targeted"]),
            ("Products scored", latest["scored"]),
            ("Mean final score", latest["final"]["mean"]),
            ("Median final score", latest["final"]["median"]),
            ("Meeting the target", latest["meeting_target"]),
            ("Cohort mean", latest["cohort"]["mean"]),
        ):
            ws.append([name, value])
    ws.append([])
    head = WriteOnlyCell(ws, value="Bands of the final score")
    head.font = Font(bold=True)
    ws.append([head])
    for band in BANDS:
        ws.append([band.key, band.meaning])
    ws.append([])
    ws.append(["Sheets", ", ".join(name for name in SHEETS if name != "Summary")])


def _write_trend(wb: Workbook, trend: Trend) -> None:
    sheet = Sheet(
        wb,
        "Trend",
        [
            ("round", 12, None),
            ("date", 12, DATE),
            ("status", 10, None),
            ("version", 16, None),
            ("targeted", 10, COUNT),
            ("scored", 10, COUNT),
            ("response rate", 14, SHARE),
            ("mean", 10, SCORE),
            ("median", 10, SCORE),
            ("p25", 10, SCORE),
            ("p75", 10, SCORE),
            ("meeting target", 15, COUNT),
            ("verified mean", 14, SCORE),
            *_band_columns(),
        ],
    )
    for info, row in zip(trend.rounds, trend.rows, strict=True):
        final = row["final"]
        sheet.append(
            [
                info.label,
                info.opens_on,
                info.status,
                info.version_label,
                row["targeted"],
                row["scored"],
                row["response_rate"],
                final["mean"],
                final["median"],
                final["p25"],
                final["p75"],
                row["meeting_target"],
                row["verified"]["mean"],
                *[row["bands"][k] for k in BAND_KEYS],
            ]
        )


def _write_cohort(wb: Workbook, trend: Trend) -> None:
    baseline = trend.baseline.label if trend.baseline else ""
    sheet = Sheet(
        wb,
        "Cohort",
        [
            ("round", 12, None),
            ("baseline", 12, None),
            ("cohort scored", 14, COUNT),
            ("cohort mean", 13, SCORE),
            ("cohort median", 14, SCORE),
            ("all products mean", 18, SCORE),
        ],
    )
    for row in trend.rows:
        cohort = row["cohort"]
        sheet.append(
            [
                row["label"],
                baseline,
                cohort["scored"],
                cohort["mean"],
                cohort["median"],
                row["final"]["mean"],
            ]
        )


def _write_areas(wb: Workbook, trend: Trend) -> None:
    keys = _area_keys(trend)
    sheet = Sheet(
        wb,
        "Areas",
        [
            ("round", 12, None),
            *[(key, 12, SCORE) for key in keys],
            *[(f"{key} verified", 16, SCORE) for key in keys],
        ],
    )
    for row in trend.rows:
        sheet.append(
            [
                row["label"],
                *[row["areas"].get(k) for k in keys],
                *[row["verified"]["areas"].get(k) for k in keys],
            ]
        )


def _write_departments(wb: Workbook, trend: Trend, report: Report | None, scope: Scope) -> None:
    keys = _area_keys(trend)
    sheet = Sheet(
        wb,
        "Departments",
        [
            ("round", 12, None),
            ("department", 28, None),
            ("parent", 24, None),
            ("targeted", 10, COUNT),
            ("scored", 10, COUNT),
            ("response rate", 14, SHARE),
            ("mean", 10, SCORE),
            ("median", 10, SCORE),
            ("meeting target", 15, COUNT),
            *[(key, 12, SCORE) for key in keys],
        ],
    )
    tree = departments_tree()
    names = {pk: name for pk, _, name, _ in tree}
    parents = {pk: parent for pk, _, _, parent in tree}
    ancestors = ancestors_map(tree)
    for info in trend.rounds:
        if report is not None:
            figures = report.department_figures(info)
        else:
            frame = trend.assessments[trend.assessments["round_id"] == info.id]
            areas = trend.area_scores[trend.area_scores["assessment_id"].isin(frame["id"])]
            figures = by_department(
                info=info,
                assessments=frame,
                area_scores=areas,
                ancestors=ancestors,
                target=trend.target,
            )
        if scope.department_ids is not None:
            figures = {pk: f for pk, f in figures.items() if pk in scope.department_ids}
        for pk in sorted(figures, key=lambda d: names.get(d, "")):
            row = figures[pk]
            parent = parents.get(pk)
            sheet.append(
                [
                    info.label,
                    names.get(pk, str(pk)),
                    names.get(parent, "") if parent else "",
                    row["targeted"],
                    row["scored"],
                    row["response_rate"],
                    row["final"]["mean"],
                    row["final"]["median"],
                    row["meeting_target"],
                    *[row["areas"].get(k) for k in keys],
                ]
            )


def _write_items(wb: Workbook, trend: Trend, report: Report | None, scope: Scope) -> None:
    sheet = Sheet(
        wb,
        "Items",
        [
            ("round", 12, None),
            ("item", 24, None),
            ("code", 8, None),
            ("area", 14, None),
            ("guideline", 22, None),
            ("answered", 10, COUNT),
            ("share 0", 10, SHARE),
            ("share 0.5", 10, SHARE),
            ("share 1", 10, SHARE),
            ("share N/A", 10, SHARE),
            ("mean points", 12, SCORE),
        ],
    )
    if report is not None:
        tables = report.item_tables()
    else:
        round_ids = [info.id for info in trend.rounds]
        counts = item_value_counts(round_ids=round_ids, scope=scope)
        items = items_of({info.version_id for info in trend.rounds})
        tables = {
            info.id: item_rows(
                counts[counts["round_id"] == info.id], items.get(info.version_id, [])
            )
            for info in trend.rounds
        }
    for info in trend.rounds:
        for row in tables.get(info.id, []):
            shares = row["shares"]
            sheet.append(
                [
                    info.label,
                    row["key"],
                    row["code"],
                    row["area"],
                    row["guideline"] or "",
                    row["answered"],
                    shares["0"],
                    shares["0.5"],
                    shares["1"],
                    shares["NA"],
                    row["mean"],
                ]
            )


def _write_products(wb: Workbook, trend: Trend) -> None:
    """Each product's latest scored assessment: final, verified, band and area scores."""
    keys = _area_keys(trend)
    sheet = Sheet(
        wb,
        "Products",
        [
            ("product", 24, None),
            ("name", 30, None),
            ("department", 24, None),
            ("phase", 12, None),
            ("round", 12, None),
            ("final", 10, SCORE),
            ("verified", 10, SCORE),
            ("band", 8, None),
            *[(key, 12, SCORE) for key in keys],
        ],
    )
    order = {info.id: n for n, info in enumerate(trend.rounds)}
    labels = {info.id: info.label for info in trend.rounds}
    scored = trend.assessments[trend.assessments["final"].notna()]
    if scored.empty:
        return
    latest = (
        scored.assign(order=scored["round_id"].map(order))
        .sort_values(["product_id", "order"])
        .groupby("product_id")
        .tail(1)
    )
    areas = trend.area_scores[trend.area_scores["assessment_id"].isin(latest["id"])]
    area_of: dict[tuple[int, str], float] = {
        (int(assessment_id), str(key)): float(score)
        for assessment_id, key, score in areas[["assessment_id", "area_key", "score"]]
        .dropna(subset=["score"])
        .itertuples(index=False)
    }
    latest_of = {
        int(product_id): (int(assessment_id), int(round_id), float(final), verified)
        for product_id, assessment_id, round_id, final, verified in latest[
            ["product_id", "id", "round_id", "final", "verified"]
        ].itertuples(index=False)
    }
    # One read of the products in slug order (10,000 short rows); the ones without a
    # scored assessment in scope are skipped.
    products = (
        Product.objects.order_by("slug")
        .values_list("pk", "slug", "name", "department__name", "phase")
        .iterator(chunk_size=CHUNK)
    )
    for pk, slug, name, department, phase in products:
        if pk not in latest_of:
            continue
        assessment_id, round_id, final, verified = latest_of[pk]
        sheet.append(
            [
                slug,
                name,
                department,
                phase,
                labels[round_id],
                final,
                None if pd.isna(verified) else float(verified),
                band_of(final).key,
                *[area_of.get((assessment_id, k)) for k in keys],
            ]
        )


def _answer_cell(value: str | None) -> Any:
    """Spreadsheet cells hold the number itself; N/A stays text; unanswered stays empty."""
    if value is None or value == "":
        return None
    if value == "NA":
        return "NA"
    return float(value) if value == "0.5" else int(value)


def answer_rows(
    trend: Trend, *, scope: Scope = EVERYTHING, round_ids: list[int] | None = None
) -> Iterator[tuple[Any, ...]]:
    """The answers of the trend's rounds (or of ``round_ids``) in the long format of
    DESIGN §6.2, no header.

    Read in chunks in round, product and item order, so any size streams.
    """
    if round_ids is None:
        round_ids = [info.id for info in trend.rounds]
    rows = (
        Answer.objects.filter(assessment__round_id__in=round_ids)
        .filter(scope.q("assessment__product__"))
        .order_by(
            "assessment__round__opens_on",
            "assessment__round_id",
            "assessment__product__slug",
            "item__position",
        )
        .values_list(
            "assessment__round__label",
            "assessment__round__opens_on",
            "assessment__product__slug",
            "assessment__product__department__name",
            "assessment__product__phase",
            "item__key",
            "value",
            "note",
        )
    )
    yield from rows.iterator(chunk_size=CHUNK)


def answers_csv_rows(trend: Trend, *, scope: Scope = EVERYTHING) -> Iterator[list[Any]]:
    yield list(ANSWER_COLUMNS)
    for label, opens_on, product, department, phase, item, value, note in answer_rows(
        trend, scope=scope
    ):
        yield [label, opens_on.isoformat(), product, department, phase, item, value or "", note]


def _write_answers(
    wb: Workbook, trend: Trend, scope: Scope, answers_round: RoundInfo | None
) -> None:
    columns: list[tuple[str, int, str | None]] = [
        ("round", 12, None),
        ("round_date", 12, None),  # a date: openpyxl's default date format
        ("product", 24, None),
        ("department", 24, None),
        ("phase", 12, None),
        ("item", 24, None),
        ("answer", 9, None),
        ("note", 40, None),
    ]
    sheet = Sheet(wb, "Answers", columns, plain=True)
    if answers_round is None:
        return
    part = 1
    for label, opens_on, product, department, phase, item, value, note in answer_rows(
        trend, scope=scope, round_ids=[answers_round.id]
    ):
        if sheet.rows >= EXCEL_MAX_ROWS:
            # A sheet holds about a million rows: the rest goes on the next one.
            part += 1
            sheet = Sheet(wb, f"Answers {part}", columns, plain=True)
        sheet.append([label, opens_on, product, department, phase, item, _answer_cell(value), note])


def workbook_write(
    *,
    trend: Trend,
    out: IO[bytes] | Any,
    report: Report | None = None,
    scope: Scope | None = None,
    answers_round: str | None = None,
) -> None:
    """Write the workbook of ``trend`` (and of the page's ``report``, when given) to ``out``.

    The Answers sheet holds the round labelled ``answers_round`` (default: the latest
    with any assessment); an unknown label raises ApplicationError before anything is
    written.
    """
    scope = report.scope if report is not None else (scope or EVERYTHING)
    chosen = answers_round_of(trend, answers_round)
    wb = Workbook(write_only=True)
    _write_summary(wb, trend, _scope_text(scope), chosen)
    _write_trend(wb, trend)
    _write_cohort(wb, trend)
    _write_areas(wb, trend)
    _write_departments(wb, trend, report, scope)
    _write_items(wb, trend, report, scope)
    _write_products(wb, trend)
    _write_answers(wb, trend, scope, chosen)
    wb.active = OPENS_ON
    wb.save(out)


def _scope_text(scope: Scope) -> str:
    if scope.is_everything:
        return "All products"
    parts = []
    if scope.department_ids is not None:
        parts.append(f"{len(scope.department_ids)} department(s) with their sub-departments")
    if scope.phase:
        parts.append(f"phase {scope.phase}")
    return ", ".join(parts)
