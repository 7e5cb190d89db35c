"""The workbook's Summary sheet in the reader's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from reports.exports.labels import sheet_title
from reports.exports.spreadsheets import Book, Rows
from reports.figures.selectors import RoundInfo
from scoring.rules import BANDS
from surveys.core.i18n import tr
from surveys.names.labels import band_label
from surveys.questionnaires.models import Questionnaire

if TYPE_CHECKING:
    from reports.figures.trend import Trend


def _questionnaire_title(key: str) -> str:
    """The questionnaire by its title in the reader's language, never its key (DESIGN §5)."""
    title = Questionnaire.objects.filter(key=key).values_list("title", flat=True).first()
    return tr(title) or key


def write_summary(
    wb: Book,
    trend: Trend,
    scope_text: str,
    answers_round: RoundInfo | None,
    filters: list[tuple[str, str]] | None = None,
    *,
    sheets: tuple[str, ...],
    note: str,
) -> None:
    """The Summary sheet: what the workbook holds, the filters by name, the latest closed
    round, the open round named as provisional, and the bands' meanings."""
    sheet = wb.sheet(sheet_title("Summary"))
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 60)
    ws = Rows(wb, sheet)
    ws.append(
        [_("Trend report: %(q)s") % {"q": _questionnaire_title(trend.questionnaire)}], wb.title
    )
    # The reader's zone, in the format of the pages (2026-12-06 11:20 JST).
    ws.append([_("Generated"), timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")])
    ws.append([_("Products"), scope_text])
    # The filters of the page the workbook was downloaded from, by name.
    for name, value in filters or []:
        ws.append([name, value])
    ws.append([_("Target"), trend.target.value])
    ws.append([_("Cohort baseline"), trend.baseline.label if trend.baseline else "—"])
    ws.append([_("Rounds"), len(trend.rounds)])
    ws.append(
        [
            _("Answers and Reviews sheets"),
            _("round %(round)s") % {"round": answers_round.label} if answers_round else "—",
        ]
    )
    ws.append([_("All answers"), _(note)])
    latest = next(
        (
            row
            for info, row in zip(reversed(trend.rounds), reversed(trend.rows), strict=True)
            if row["scored"] and not info.is_provisional
        ),
        None,
    )
    if latest is not None:
        ws.append([])
        ws.append([_("Latest closed round: %(round)s") % {"round": latest["label"]}], wb.bold)
        for name, value in (
            (_("Products targeted"), latest["targeted"]),
            (_("Products scored"), latest["scored"]),
            (_("Mean final score"), latest["final"]["mean"]),
            (_("Median final score"), latest["final"]["median"]),
            (_("Meeting the target"), latest["meeting_target"]),
            (_("Cohort mean"), latest["cohort"]["mean"]),
        ):
            ws.append([name, value])
    provisional = [info.label for info in trend.rounds if info.is_provisional]
    if provisional:
        ws.append(
            [
                _("Provisional"),
                _("Still open, figures change until it closes: %(rounds)s")
                % {"rounds": ", ".join(provisional)},
            ]
        )
    ws.append([])
    ws.append([_("Bands of the final score")], wb.bold)
    for band in BANDS:
        ws.append([band_label(band.key), _(band.meaning)])
    ws.append([])
    ws.append([_("Sheets"), ", ".join(sheet_title(name) for name in sheets if name != "Summary")])
