"""Template helpers for the survey pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

from surveys.core.i18n import tr as _tr

register = template.Library()


@register.filter
def tr(value: Any) -> str:
    """A language map in the active language (falling back to English)."""
    return _tr(value)


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def score(value: Any) -> str:
    """Scores are shown with two decimals; no score is a dash."""
    if value is None or value == "":
        return "—"
    return f"{float(value):.2f}"


@register.filter
def answer_label(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return "N/A" if value == "NA" else str(value)


@register.simple_tag(takes_context=True)
def jinja_include(context: Any, name: str) -> SafeString:
    """A Jinja2 partial (``templates/**/*.jinja``, ``surveys.pages.jinja``) drawn with
    the including template's context, as ``{% include %}`` draws a Django one. What it
    writes is escaped by Jinja2's own autoescape."""
    template = engines["jinja2"].env.get_template(name)  # type: ignore[attr-defined]
    return mark_safe(template.render(context.flatten()))
