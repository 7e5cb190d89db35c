"""The workbook's Reviews sheet: per scored assessment of the workbook's round
(the one its Answers sheet holds), its review state, the raw score (N/A as 0) beside the
scored value, and its N/A by approval state."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from reports.exports.labels import sheet_title
from reports.exports.spreadsheets import Book, Sheet
from reports.figures.selectors import RoundInfo, Scope
from surveys.reviews.models import ReviewState
from surveys.reviews.selectors import review_rows

SCORE = "0.00"
COUNT = "0"


def write_reviews(wb: Book, scope: Scope, round: RoundInfo | None) -> None:
    """Rows of the products whose own rows ``scope`` lists, in ``round``."""
    columns: list[tuple[str, int, str | None]] = [
        (_("round"), 12, None),
        (_("product"), 30, None),
        (_("department"), 24, None),
        (_("review"), 12, None),
        (_("final"), 10, SCORE),
        (_("raw (N/A as 0)"), 15, SCORE),
        (_("verified"), 10, SCORE),
        (_("N/A approved"), 13, COUNT),
        (_("N/A pending"), 12, COUNT),
        (_("N/A rejected"), 13, COUNT),
        (_("sampled"), 9, None),
        (_("open queries"), 13, COUNT),
        (_("accepted by"), 16, None),
        (_("accepted at"), 18, None),
    ]
    # Headers and sheet name in the reader's language (DESIGN §5: names, never keys).
    sheet = Sheet(wb, sheet_title("Reviews"), columns)
    if round is None:
        return
    rows = review_rows(
        round_ids=[round.id], assessments=scope.rows_q("product__") & scope.assessments_q()
    )
    for row in rows:
        na: dict[str, Any] = row.na
        sheet.append(
            [
                row.round_label,
                row.product,
                row.department,
                ReviewState(row.state).label if row.state in ReviewState.values else row.state,
                row.final,
                row.raw,
                row.verified,
                na.get("approved", "") if na else "",
                na.get("pending", "") if na else "",
                na.get("rejected", "") if na else "",
                _("yes") if row.sampled else "",
                row.open_queries,
                row.accepted_by,
                row.accepted_at.strftime("%Y-%m-%d %H:%M") if row.accepted_at else "",
            ]
        )
