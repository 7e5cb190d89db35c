"""Charts inside the workbook, for a manager to paste into slides.

XlsxWriter charts refer to ranges of the cells written on their sheet: the series are the
written figures, never formulas built from data.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

# Columns of the Trend sheet (0-based): mean, median, then the six bands.
TREND_MEAN, TREND_MEDIAN, TREND_BANDS = 7, 8, 13
BAND_COUNT = 6


def _series(sheet: str, rounds: int, col: int) -> dict[str, Any]:
    return {
        "name": [sheet, 0, col],
        "categories": [sheet, 1, 0, rounds, 0],
        "values": [sheet, 1, col, rounds, col],
        "marker": {"type": "circle"},
    }


def _place(chart: Any, title: str, y_title: str) -> None:
    chart.set_title({"name": title})
    chart.set_x_axis({"name": _("Round")})
    chart.set_y_axis({"name": y_title})
    chart.set_size({"width": 720, "height": 360})


def trend_charts(wb: Any, ws: Any, rounds: int) -> None:
    """Mean and median final score, and products per band, below the Trend table."""
    if not rounds:
        return
    name = ws.get_name()
    line = wb.add_chart({"type": "line"})
    for col in (TREND_MEAN, TREND_MEDIAN):
        line.add_series(_series(name, rounds, col))
    _place(line, _("Final score: mean and median"), _("Final score"))
    ws.insert_chart(rounds + 3, 0, line)
    bars = wb.add_chart({"type": "column", "subtype": "stacked"})
    for col in range(TREND_BANDS, TREND_BANDS + BAND_COUNT):
        series = _series(name, rounds, col)
        series.pop("marker")
        bars.add_series(series)
    _place(bars, _("Products per band of the final score"), _("Products"))
    ws.insert_chart(rounds + 3, 10, bars)


def areas_chart(wb: Any, ws: Any, rounds: int, areas: int) -> None:
    """Mean score per area (the first ``areas`` columns after the round)."""
    if not rounds or not areas:
        return
    chart = wb.add_chart({"type": "line"})
    for col in range(1, 1 + areas):
        chart.add_series(_series(ws.get_name(), rounds, col))
    _place(chart, _("Mean score per area"), _("Area score"))
    ws.insert_chart(rounds + 3, 0, chart)
