"""Charts inside the workbook, for a manager to paste into slides (issue 13, point 7).

openpyxl charts refer to the cells of the sheet they sit on: the series are ranges of
the written figures, not formulas built from data.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from openpyxl.chart import BarChart, LineChart, Reference

# Columns of the Trend sheet (1-based): mean, median, then the six bands.
TREND_MEAN, TREND_MEDIAN, TREND_BANDS = 8, 9, 14
BAND_COUNT = 6


def _line(title: str, y_title: str) -> LineChart:
    chart = LineChart()
    chart.title = title
    chart.y_axis.title = y_title
    chart.x_axis.title = _("Round")
    chart.height, chart.width = 9, 18
    return chart


def trend_charts(ws: Any, rounds: int) -> None:
    """Mean and median final score, and products per band, below the Trend table."""
    if not rounds:
        return
    last = rounds + 1
    labels = Reference(ws, min_col=1, min_row=2, max_row=last)
    line = _line(_("Final score: mean and median"), _("Final score"))
    line.add_data(
        Reference(ws, min_col=TREND_MEAN, max_col=TREND_MEDIAN, min_row=1, max_row=last),
        titles_from_data=True,
    )
    line.set_categories(labels)
    ws.add_chart(line, f"A{last + 3}")
    bars = BarChart()
    bars.type, bars.grouping, bars.overlap = "col", "stacked", 100
    bars.title = _("Products per band of the final score")
    bars.y_axis.title = _("Products")
    bars.height, bars.width = 9, 18
    bars.add_data(
        Reference(
            ws,
            min_col=TREND_BANDS,
            max_col=TREND_BANDS + BAND_COUNT - 1,
            min_row=1,
            max_row=last,
        ),
        titles_from_data=True,
    )
    bars.set_categories(labels)
    ws.add_chart(bars, f"J{last + 3}")


def areas_chart(ws: Any, rounds: int, areas: int) -> None:
    """Mean score per area (the first ``areas`` columns after the round)."""
    if not rounds or not areas:
        return
    last = rounds + 1
    chart = _line(_("Mean score per area"), _("Area score"))
    chart.add_data(
        Reference(ws, min_col=2, max_col=1 + areas, min_row=1, max_row=last),
        titles_from_data=True,
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    ws.add_chart(chart, f"A{last + 3}")
