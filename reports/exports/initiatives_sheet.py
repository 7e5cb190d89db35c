"""The workbook's Initiatives sheet (DESIGN §5): one row per initiative of the workbook's
questionnaire and product of its scope that the reader may list — whether the product
meets the target now, or met it at the deadline once the result is recorded."""

from __future__ import annotations

from reports.exports.labels import sheet_title
from reports.exports.spreadsheets import Book, Sheet
from reports.figures.selectors import Scope
from surveys.core.i18n import tr
from surveys.initiatives.models import Initiative
from surveys.initiatives.selectors import initiative_progress
from surveys.organisation.models import Product

SCORE = "0.00"


def _target_text(initiative: Initiative) -> str:
    key = f" {initiative.target_key}" if initiative.target_key else ""
    verified = " (verified)" if initiative.verified else ""
    return f"{initiative.target_kind}{key} ≥ {initiative.threshold:g}{verified}"


def write_initiatives(wb: Book, questionnaire: str, scope: Scope) -> None:
    sheet = Sheet(
        wb,
        sheet_title("Initiatives"),
        [
            ("initiative", 30, None),
            ("target", 24, None),
            ("starts on", 12, None),
            ("deadline", 12, None),
            ("owner", 16, None),
            ("status", 16, None),
            ("product", 30, None),
            ("meets target", 13, None),
            ("figure now", 11, SCORE),
        ],
    )
    listable = set(Product.objects.filter(scope.rows_q()).values_list("pk", flat=True))
    initiatives = Initiative.objects.filter(questionnaire__key=questionnaire).select_related(
        "owner"
    )
    for initiative in initiatives.order_by("deadline", "id"):
        progress = initiative_progress(initiative)
        result = initiative.result
        frozen = result is not None
        met_at_deadline = set(result.get("met", [])) if result is not None else set()
        for row in progress.rows:
            if row.product.pk not in listable:
                continue
            meets = row.product.slug in met_at_deadline if frozen else row.standing.meets
            sheet.append(
                [
                    tr(initiative.title),
                    _target_text(initiative),
                    initiative.starts_on.isoformat(),
                    initiative.deadline.isoformat(),
                    str(initiative.owner or ""),
                    "result recorded" if frozen else "running",
                    row.product.name,
                    "yes" if meets else "no",
                    row.standing.score,
                ]
            )
