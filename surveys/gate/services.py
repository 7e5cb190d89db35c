"""Setting the release gate of a phase, and a guideline's required and recommended
requirements (DESIGN §2, §6.8). Both recorded in the audit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from surveys.audit.models import AuditCategory
from surveys.audit.services import audit_record, changes_of
from surveys.core.errors import ApplicationError
from surveys.core.i18n import LANGS
from surveys.guidelines.models import GateBasis, GatePolicy, Guideline
from surveys.organisation.models import Phase
from surveys.questionnaires.models import Item

MAX_LIST = 20_000


@transaction.atomic
def gate_policy_save(*, phase: str, basis: str, required_items: list[str], by: Any) -> GatePolicy:
    """Which score the phase's gate reads and which items must be at 1 for a release."""
    if phase not in Phase.values:
        raise ApplicationError(gettext("Unknown phase %(phase)r.") % {"phase": phase})
    if basis not in GateBasis.values:
        raise ApplicationError(gettext("Choose the claimed or the verified score."))
    keys = sorted({key.strip() for key in required_items if key and key.strip()})
    known = set(Item.objects.filter(key__in=keys).values_list("key", flat=True))
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise ApplicationError(
            gettext("No questionnaire has an item %(keys)s.") % {"keys": ", ".join(unknown[:5])}
        )
    policy, _ = GatePolicy.objects.select_for_update().get_or_create(phase=phase)
    before = {"basis": policy.basis, "required_items": list(policy.required_items)}
    after = {"basis": basis, "required_items": keys}
    if before == after:
        return policy
    policy.basis, policy.required_items = basis, keys
    policy.updated_at, policy.updated_by = timezone.now(), by
    policy.save()
    audit_record(
        by=by,
        category=AuditCategory.ORGANISATION,
        action="gate.changed",
        subject=policy,
        target=phase,
        changes=changes_of(before, after),
    )
    return policy


def _lists(value: dict[str, str]) -> dict[str, str]:
    return {lang: value[lang].strip() for lang in LANGS if (value.get(lang) or "").strip()}


@transaction.atomic
def guideline_requirements_save(
    *, guideline: Guideline, required: dict[str, str], recommended: dict[str, str], by: Any
) -> Guideline:
    """A guideline's required and recommended requirements: Markdown lists per language,
    shown apart on its page."""
    required, recommended = _lists(required), _lists(recommended)
    if any(len(text) > MAX_LIST for text in [*required.values(), *recommended.values()]):
        raise ApplicationError(
            gettext("A list of requirements has at most %(n)s characters.") % {"n": MAX_LIST}
        )
    guideline = Guideline.objects.select_for_update().get(pk=guideline.pk)
    before = {"required": guideline.required, "recommended": guideline.recommended}
    after = {"required": required, "recommended": recommended}
    if before == after:
        return guideline
    guideline.required, guideline.recommended = required, recommended
    guideline.updated_at = timezone.now()
    guideline.save(update_fields=["required", "recommended", "updated_at"])
    audit_record(
        by=by,
        category=AuditCategory.GUIDELINES,
        action="guideline.requirements_changed",
        subject=guideline,
        target=guideline.slug,
        changes=changes_of(before, after),
    )
    return guideline
