"""Files to take to a meeting: the Excel workbook and the CSV of answers.

The workbook is written with XlsxWriter in ``constant_memory`` mode (each row goes to
disk as soon as the next one starts) and fed from querysets read in chunks, so 10,000
products × 20 rounds fit in time and memory. Its Answers sheet holds the answers of ONE
round (the latest with any assessment unless one is asked for); the CSV streams the
answers of every round. Both use the long format of DESIGN §6.2, which
``import_answers`` reads back (it reads the sheet named "Answers").

Text is written as text, never as a formula (``spreadsheets``, DESIGN §6.2).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

import pandas as pd
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from reports.exports import charts as workbook_charts
from reports.exports.initiatives_sheet import write_initiatives
from reports.exports.labels import header_text, sheet_title
from reports.exports.reviews_sheet import write_reviews
from reports.exports.spreadsheets import Book, Sheet, csv_lines
from reports.exports.summary import write_summary
from reports.figures.breakdowns import ancestors_map, by_department, item_tables
from reports.figures.selectors import (
    EVERYTHING,
    RoundInfo,
    Scope,
    area_names,
    departments_tree,
)
from reports.figures.tallies import department_cells
from reports.figures.trend import Trend
from scoring.rules import BAND_KEYS, band_of
from surveys.assessments.models import Answer
from surveys.assessments.selectors import submitted_field
from surveys.core.errors import ApplicationError
from surveys.core.i18n import tr
from surveys.names.labels import band_label
from surveys.organisation.models import Phase, Product
from surveys.questionnaires.models import Item
from surveys.rounds.models import RoundStatus

if TYPE_CHECKING:
    from reports.figures.report import Report

# The sheets' order. ``import_answers`` reads the sheet named "Answers", so the
# workbook still reads back with Answers last.
SHEETS = (
    "Summary",
    "Trend",
    "Cohort",
    "Areas",
    "Departments",
    "Items",
    "Products",
    "Initiatives",
    "Reviews",
    "Answers",
)
OPENS_ON = SHEETS.index("Summary")
CSV_NOTE = gettext_noop(
    "The Answers and Reviews sheets hold one round, the other sheets every round. The "
    "answers of every round are in the CSV download (Download answers (CSV) on the "
    "reports pages)."
)
ANSWER_COLUMNS = ("round", "round_date", "product", "department", "phase", "item", "answer", "note")
# Beside the keys of DESIGN §6.2 (which import_answers reads back), the names people read.
NAME_COLUMNS = ("product_name", "item_code", "item_title")
EXCEL_MAX_ROWS = 1_048_576
CHUNK = 5000

SCORE = "0.00"
SHARE = "0.0%"
COUNT = "0"
DATE = "yyyy-mm-dd"


def _band_columns() -> list[tuple[str, int, str | None]]:
    return [(f"band {key}", 10, COUNT) for key in BAND_KEYS]


def _cols(columns: list[tuple[str, int, str | None]]) -> list[tuple[str, int, str | None]]:
    """Column headers in the reader's language."""
    return [(header_text(name), width, fmt) for name, width, fmt in columns]


def _area_names(trend: Trend) -> dict[str, str]:
    """Area key → its title in the reader's language (headers name areas, never keys)."""
    return area_names(trend.rounds)


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


def _status_name(status: str) -> str:
    """A round's status by name in the reader's language (DESIGN §5), not `closed`."""
    return str(RoundStatus(status).label) if status in RoundStatus.values else status


def _phase_name(phase: str) -> str:
    return str(Phase(phase).label) if phase in Phase.values else phase


def _write_trend(wb: Book, trend: Trend) -> None:
    sheet = Sheet(
        wb,
        sheet_title("Trend"),
        _cols(
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
            ]
        ),
    )
    for info, row in zip(trend.rounds, trend.rows, strict=True):
        final = row["final"]
        sheet.append(
            [
                info.label,
                info.opens_on,
                _status_name(info.status),
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

    workbook_charts.trend_charts(wb.wb, sheet.ws, len(trend.rounds))


def _write_cohort(wb: Book, trend: Trend) -> None:
    baseline = trend.baseline.label if trend.baseline else ""
    sheet = Sheet(
        wb,
        sheet_title("Cohort"),
        _cols(
            [
                ("round", 12, None),
                ("baseline", 12, None),
                ("cohort scored", 14, COUNT),
                ("cohort mean", 13, SCORE),
                ("cohort median", 14, SCORE),
                ("all products mean", 18, SCORE),
            ]
        ),
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


def _write_areas(wb: Book, trend: Trend) -> None:
    keys = _area_keys(trend)
    names = _area_names(trend)
    sheet = Sheet(
        wb,
        sheet_title("Areas"),
        _cols(
            [
                ("round", 12, None),
                *[(names[key], 16, SCORE) for key in keys],
                *[(_("%(area)s, verified") % {"area": names[key]}, 20, SCORE) for key in keys],
            ]
        ),
    )
    for row in trend.rows:
        sheet.append(
            [
                row["label"],
                *[row["areas"].get(k) for k in keys],
                *[row["verified"]["areas"].get(k) for k in keys],
            ]
        )

    workbook_charts.areas_chart(wb.wb, sheet.ws, len(trend.rows), len(keys))


def _write_departments(wb: Book, trend: Trend, report: Report | None, scope: Scope) -> None:
    keys = _area_keys(trend)
    area_title = _area_names(trend)
    sheet = Sheet(
        wb,
        sheet_title("Departments"),
        _cols(
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
                *[(area_title[key], 16, SCORE) for key in keys],
            ]
        ),
    )
    tree = departments_tree()
    names = {pk: name for pk, _, name, _ in tree}
    parents = {pk: parent for pk, _, _, parent in tree}
    ancestors = ancestors_map(tree)
    counted = department_cells(trend.rounds, scope=trend.scope) if report is None else {}
    for info in trend.rounds:
        if report is not None:
            figures = report.department_figures(info)
        else:
            figures = by_department(
                info=info,
                cells=counted.get(info.id, {}),
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
                    # DESIGN §7: say why a respondent's figure is missing.
                    _("withheld: fewer than 3 other products")
                    if row.get("suppressed")
                    else row["final"]["mean"],
                    row["final"]["median"],
                    row["meeting_target"],
                    *[row["areas"].get(k) for k in keys],
                ]
            )


def _write_items(wb: Book, trend: Trend, report: Report | None, scope: Scope) -> None:
    sheet = Sheet(
        wb,
        sheet_title("Items"),
        _cols(
            [
                ("round", 12, None),
                ("item", 24, None),
                ("code", 8, None),
                ("title", 40, None),
                ("area", 20, None),
                ("guideline", 22, None),
                ("answered", 10, COUNT),
                ("share 0", 10, SHARE),
                ("share 0.5", 10, SHARE),
                ("share 1", 10, SHARE),
                ("share N/A", 10, SHARE),
                ("mean points", 12, SCORE),
            ]
        ),
    )
    if report is not None:
        tables = report.item_tables()
    else:
        tables = item_tables(trend.rounds, scope)
    area_name = _area_names(trend)
    for info in trend.rounds:
        for row in tables.get(info.id, []):
            shares = row["shares"]
            sheet.append(
                [
                    info.label,
                    row["key"],
                    row["code"],
                    tr(row["title"]),
                    area_name.get(row["area"], row["area"]),
                    row["guideline"] or "",
                    row["answered"],
                    shares["0"],
                    shares["0.5"],
                    shares["1"],
                    shares["NA"],
                    row["mean"],
                ]
            )


def _write_products(wb: Book, trend: Trend, scope: Scope) -> None:
    """Each product's latest scored assessment: final, verified, band and area scores
    (of the products whose rows ``scope`` lists)."""
    keys = _area_keys(trend)
    names = _area_names(trend)
    sheet = Sheet(
        wb,
        sheet_title("Products"),
        _cols(
            [
                ("product", 24, None),
                ("name", 30, None),
                ("department", 24, None),
                ("phase", 12, None),
                ("round", 12, None),
                ("final", 10, SCORE),
                ("verified", 10, SCORE),
                ("band", 8, None),
                *[(names[key], 16, SCORE) for key in keys],
            ]
        ),
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
        Product.objects.filter(scope.rows_q())
        .order_by("slug")
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
                _phase_name(phase),
                labels[round_id],
                final,
                None if pd.isna(verified) else float(verified),
                band_label(band_of(final).key),
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
        .filter(scope.rows_q("assessment__product__"))
        .order_by(
            "assessment__round__opens_on",
            "assessment__round_id",
            "assessment__product__slug",
            "item__position",
        )
        .annotate(submitted=submitted_field("value"), submitted_text=submitted_field("note"))
        .values_list(
            "assessment__round__label",
            "assessment__round__opens_on",
            "assessment__product__slug",
            "assessment__product__department__name",
            "assessment__product__phase",
            "item__key",
            "submitted",
            "submitted_text",
            "assessment__product__name",
            "item_id",
        )
    )
    yield from rows.iterator(chunk_size=CHUNK)


def item_names(trend: Trend) -> dict[int, tuple[str, str]]:
    """Item id → (code, title in the reader's language), for every version of the trend."""
    rows = Item.objects.filter(version_id__in={info.version_id for info in trend.rounds})
    return {pk: (code, tr(title)) for pk, code, title in rows.values_list("pk", "code", "title")}


def answers_csv_rows(trend: Trend, *, scope: Scope = EVERYTHING) -> Iterator[list[Any]]:
    """DESIGN §6.2's columns, then the names people read (product name, item code and
    title in the reader's language)."""
    names = item_names(trend)
    yield [*ANSWER_COLUMNS, *NAME_COLUMNS]
    for row in answer_rows(trend, scope=scope):
        label, opens_on, product, department, phase, item, value, note, name, item_id = row
        code, title = names.get(item_id, ("", ""))
        yield [
            *(label, opens_on.isoformat(), product, department, phase, item, value or "", note),
            *(name, code, title),
        ]


def answers_csv_lines(trend: Trend, *, scope: Scope = EVERYTHING) -> Iterator[str]:
    """The CSV of answers as text lines (``csv_lines``: a BOM first, formulas escaped)."""
    return csv_lines(answers_csv_rows(trend, scope=scope))


def _write_answers(wb: Book, trend: Trend, scope: Scope, answers_round: RoundInfo | None) -> None:
    columns: list[tuple[str, int, str | None]] = [
        ("round", 12, None),
        ("round_date", 12, DATE),
        ("product", 24, None),
        ("department", 24, None),
        ("phase", 12, None),
        ("item", 24, None),
        ("answer", 9, None),
        ("note", 40, None),
        # Names beside the keys; import_answers ignores extra columns.
        (_("product name"), 30, None),
        (_("item code"), 9, None),
        (_("item title"), 40, None),
    ]
    sheet = Sheet(wb, "Answers", columns)
    if answers_round is None:
        return
    names = item_names(trend)
    part = 1
    for row in answer_rows(trend, scope=scope, round_ids=[answers_round.id]):
        label, opens_on, product, department, phase, item, value, note, name, item_id = row
        if sheet.rows >= EXCEL_MAX_ROWS:
            # A sheet holds about a million rows: the rest goes on the next one.
            part += 1
            sheet = Sheet(wb, f"Answers {part}", columns)
        code, title = names.get(item_id, ("", ""))
        sheet.append(
            [
                *(label, opens_on, product, department, phase, item, _answer_cell(value), note),
                *(name, code, title),
            ]
        )


def workbook_write(
    *,
    trend: Trend,
    out: IO[bytes] | Any,
    report: Report | None = None,
    scope: Scope | None = None,
    answers_round: str | None = None,
    filters: list[tuple[str, str]] | None = None,
) -> None:
    """Write the workbook of ``trend`` (and of the page's ``report``, when given) to ``out``.

    The Answers sheet holds the round labelled ``answers_round`` (default: the latest
    with any assessment); an unknown label raises ApplicationError before anything is
    written.
    """
    scope = report.scope if report is not None else (scope or EVERYTHING)
    chosen = answers_round_of(trend, answers_round)
    # XlsxWriter writes a zip: to a file first, then to ``out`` (a response need not seek).
    with tempfile.TemporaryFile() as spool:
        wb = Book(spool)
        _write_all(wb, trend, report, scope, chosen, filters)
        wb.close()
        spool.seek(0)
        shutil.copyfileobj(spool, out, 1 << 20)


def _write_all(
    wb: Book,
    trend: Trend,
    report: Report | None,
    scope: Scope,
    chosen: RoundInfo | None,
    filters: list[tuple[str, str]] | None = None,
) -> None:
    write_summary(wb, trend, _scope_text(scope), chosen, filters, sheets=SHEETS, note=CSV_NOTE)
    _write_trend(wb, trend)
    _write_cohort(wb, trend)
    _write_areas(wb, trend)
    _write_departments(wb, trend, report, scope)
    _write_items(wb, trend, report, scope)
    _write_products(wb, trend, scope)
    write_initiatives(wb, trend.questionnaire, scope)
    write_reviews(wb, scope, chosen)
    _write_answers(wb, trend, scope, chosen)


def _scope_text(scope: Scope) -> str:
    if scope.is_everything:
        return _("All products")
    parts = []
    if scope.department_ids is not None:
        parts.append(
            _("%(n)s department(s) with their sub-departments") % {"n": len(scope.department_ids)}
        )
    if scope.phase:
        parts.append(_("phase %(phase)s") % {"phase": _phase_name(scope.phase)})
    return ", ".join(parts)
