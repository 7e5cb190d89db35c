"""Small display helpers of the report pages: change arrows, charts' data tables."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def change(value: Any, digits: int = 2, percent: bool = False) -> SafeString:
    """A change as an arrow and a signed number; the arrow's meaning is spelled out for
    screen readers ("up", "down", "no change")."""
    if value is None:
        return mark_safe('<span class="change none">—</span>')
    number = float(value) * (100 if percent else 1)
    shown = f"{number:+.{digits}f}" + (" pt" if percent else "")
    if round(number, digits) > 0:
        return format_html(
            '<span class="change up"><span aria-hidden="true">▲</span>'
            '<span class="visually-hidden">{}</span> {}</span>',
            _("up"),
            shown,
        )
    if round(number, digits) < 0:
        return format_html(
            '<span class="change down"><span aria-hidden="true">▼</span>'
            '<span class="visually-hidden">{}</span> {}</span>',
            _("down"),
            shown,
        )
    return format_html(
        '<span class="change same"><span aria-hidden="true">▶</span>'
        '<span class="visually-hidden">{}</span> {}</span>',
        _("no change"),
        f"{0:.{digits}f}",
    )


@register.simple_tag
def chart_rows(rows: list[list[Any]]) -> SafeString:
    """The body rows of a chart's data table, each row's first cell its heading, every
    cell shown as ``{{ cell }}`` would show it (localised, escaped), a missing figure as
    "—" (not "None"). Drawn here, not by a loop in the template: the tables of a trend
    page have a thousand cells."""

    def cell(value: Any) -> str:
        return "—" if value is None else str(conditional_escape(localize(value)))

    return mark_safe(
        "\n        ".join(
            "<tr>"
            + "".join(
                f'<th scope="row">{cell(value)}</th>'
                if n == 0
                else f'<td class="num">{cell(value)}</td>'
                for n, value in enumerate(row)
            )
            + "</tr>"
            for row in rows
        )
    )
