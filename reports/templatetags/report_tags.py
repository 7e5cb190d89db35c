"""Small display helpers of the report pages: change arrows."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
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
