"""The workbook's sheet names and column headers in the reader's language.

The Answers sheet keeps its name and the column names of DESIGN §6.2: it is read back
by ``import_answers``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


def header_text(name: str) -> str:
    """A column header in the reader's language (the English header when none is known)."""
    headers = {
        "round": _("round"),
        "date": _("date"),
        "status": _("status"),
        "version": _("version"),
        "targeted": _("targeted"),
        "scored": _("scored"),
        "response rate": _("response rate"),
        "mean": _("mean"),
        "median": _("median"),
        "p25": _("25th percentile"),
        "p75": _("75th percentile"),
        "meeting target": _("meeting target"),
        "verified mean": _("verified mean"),
        "baseline": _("baseline"),
        "cohort scored": _("cohort scored"),
        "cohort mean": _("cohort mean"),
        "cohort median": _("cohort median"),
        "all products mean": _("all products mean"),
        "department": _("department"),
        "parent": _("parent department"),
        "item": _("item"),
        "title": _("title"),
        "code": _("code"),
        "area": _("area"),
        "guideline": _("guideline"),
        "answered": _("answered"),
        "share 0": _("share 0"),
        "share 0.5": _("share 0.5"),
        "share 1": _("share 1"),
        "share N/A": _("share N/A"),
        "mean points": _("mean points"),
        "product": _("product"),
        "name": _("name"),
        "phase": _("phase"),
        "final": _("final"),
        "verified": _("verified"),
        "band": _("band"),
        "bottleneck": _("bottleneck area"),
        "gap": _("gap"),
        "change": _("change since previous closed round"),
        "open round": _("open round status"),
        "last activity": _("last activity"),
    }
    if name.startswith("band "):
        return _("band %(band)s") % {"band": name[5:]}
    return str(headers.get(name, name))


def sheet_title(name: str) -> str:
    """A sheet's name in the reader's language. "Answers" keeps its name: import_answers
    reads the sheet named so."""
    titles = {
        "Summary": _("Summary"),
        "Trend": _("Trend"),
        "Cohort": _("Cohort"),
        "Areas": _("Areas"),
        "Departments": _("Departments"),
        "Items": _("Items"),
        "Products": _("Products"),
        "Reviews": _("Reviews"),
        "Initiatives": _("Initiatives"),
        "Answers": "Answers",
    }
    # Excel refuses these characters in sheet names and more than 31 characters.
    return "".join(c for c in titles.get(name, name) if c not in "[]:*?/\\")[:31]
