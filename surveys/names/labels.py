"""The words people read for the keys the data holds (DESIGN §5), in their language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from scoring.bands import band_name

_RANGES = {"0": "0", "(0,1]": "0–1", "(1,2]": "1–2", "(2,3]": "2–3", "(3,5]": "3–5", ">5": "> 5"}


def band_label(key: Any) -> str:
    """A band by the rubric's short name and its scores: "Reasonably tested (score 2–3)"."""
    if not key:
        return ""
    key = str(key)
    return _("%(name)s (score %(range)s)") % {
        "name": _(band_name(key)),
        "range": _RANGES.get(key, key),
    }
