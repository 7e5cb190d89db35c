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


def _actions() -> dict[str, str]:
    return {
        "answer.changed": _("Answer changed"),
        "answers.imported": _("Answers imported"),
        "area.added": _("Area added"),
        "area.changed": _("Area changed"),
        "area.moved": _("Area moved"),
        "area.removed": _("Area removed"),
        "department.archived": _("Department archived"),
        "department.changed": _("Department changed"),
        "department.created": _("Department created"),
        "department.restored": _("Department restored"),
        "guideline.changed": _("Guideline changed"),
        "guideline.created": _("Guideline created"),
        "item.added": _("Item added"),
        "item.changed": _("Item changed"),
        "item.moved": _("Item moved"),
        "item.removed": _("Item removed"),
        "member.added": _("Member added"),
        "member.removed": _("Member removed"),
        "person.changed": _("Person changed"),
        "person.invited": _("Person invited"),
        "product.archived": _("Product archived"),
        "product.changed": _("Product changed"),
        "product.created": _("Product created"),
        "product.deleted": _("Product deleted"),
        "product.restored": _("Product restored"),
        "token.created": _("Token created"),
        "token.revoked": _("Token revoked"),
        "version.archived": _("Version archived"),
        "version.copied": _("Version copied"),
        "version.created": _("Version created"),
        "version.deleted": _("Version deleted"),
        "version.loaded": _("Version loaded"),
        "version.published": _("Version published"),
        "version.settings": _("Version settings changed"),
        "version.unarchived": _("Version unarchived"),
        "version.uploaded": _("Version uploaded"),
    }


def action_label(action: str) -> str:
    """An audit action by name ("Version published"), never its key ("version.published");
    an action nobody named yet shows its key, so nothing is hidden."""
    return _actions().get(action, action)


def _details() -> dict[str, str]:
    return {
        "submitted": _("submitted"),
        "not_submitted": _("not submitted"),
        "regressions": _("scores fallen"),
        "assessments": _("assessments"),
        "pending": _("not submitted yet"),
        "reason": _("reason"),
        "closes_on": _("closes on"),
        "drafts": _("drafts"),
        "not_started": _("not started"),
        "products": _("products"),
        "scheduled": _("scheduled"),
        "version": _("version"),
        "changed": _("changed"),
        "from": _("from"),
        "to": _("to"),
    }


def detail_label(key: str) -> str:
    """A detail of an audit row by name ("not submitted: 2"), never its key."""
    return _details().get(key, key.replace("_", " "))
