"""Names, never keys (DESIGN §5): ``{{ key|band_label }}``."""

from __future__ import annotations

from django import template

from surveys.names.labels import band_label

register = template.Library()
register.filter("band_label", band_label)
