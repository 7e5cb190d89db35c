"""The workbook's Reviews sheet: per scored assessment of the workbook's round
(the one its Answers sheet holds), its review state, the raw score (N/A as 0) beside the
scored value, and its N/A by approval state."""

from __future__ import annotations

from typing import Any

from reports.exports.spreadsheets import Book, Sheet
from reports.figures.selectors import RoundInfo, Scope
from surveys.reviews.selectors import review_rows

SCORE = "0.00"
COUNT = "0"


def write_reviews(wb: Book, scope: Scope, round: RoundInfo | None) -> None:
    """Rows of the products whose own rows ``scope`` lists, in ``round``."""
    sheet = Sheet(
        wb,
        "Reviews",
        [
            ("round", 12, None),
            ("product", 30, None),
            ("department", 24, None),
            ("review", 12, None),
            ("final", 10, SCORE),
            ("raw (N/A as 0)", 15, SCORE),
            ("verified", 10, SCORE),
            ("N/A approved", 13, COUNT),
            ("N/A pending", 12, COUNT),
            ("N/A rejected", 13, COUNT),
            ("sampled", 9, None),
            ("open queries", 13, COUNT),
            ("accepted by", 16, None),
            ("accepted at", 18, None),
        ],
    )
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
                row.state,
                row.final,
                row.raw,
                row.verified,
                na.get("approved", "") if na else "",
                na.get("pending", "") if na else "",
                na.get("rejected", "") if na else "",
                "yes" if row.sampled else "",
                row.open_queries,
                row.accepted_by,
                row.accepted_at.strftime("%Y-%m-%d %H:%M") if row.accepted_at else "",
            ]
        )
