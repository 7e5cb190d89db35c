"""What a release requires, per phase (DESIGN §2: a guideline's required requirements;
§6.8: the gate reads the claimed or the verified score and may require items at 1).
The gate itself, which reads assessments, is ``surveys.gate``."""

from __future__ import annotations

from surveys.guidelines.models import GatePolicy
from surveys.organisation.models import Phase
from surveys.questionnaires.models import Item, QuestionnaireVersion, VersionStatus


def gate_policy_of(phase: str) -> GatePolicy:
    """The phase's gate settings; a phase nobody set reads the claimed score, no item required."""
    return GatePolicy.objects.filter(phase=phase).first() or GatePolicy(phase=phase)


def gate_items() -> list[Item]:
    """The items an admin may require: those of each questionnaire's latest published
    version (the gate keeps keys, so a choice holds in the next version too)."""
    latest = (
        QuestionnaireVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .order_by("questionnaire_id", "-published_at", "-id")
        .distinct()
    )
    seen: set[int] = set()
    version_ids = []
    for version in latest.only("id", "questionnaire_id"):
        if version.questionnaire_id not in seen:
            seen.add(version.questionnaire_id)
            version_ids.append(version.pk)
    return list(
        Item.objects.filter(version_id__in=version_ids)
        .select_related("area", "version__questionnaire")
        .order_by("version__questionnaire__key", "area__position", "position")
    )


def gate_policies() -> dict[str, GatePolicy]:
    """Every phase's gate settings, saved or not."""
    saved = {policy.phase: policy for policy in GatePolicy.objects.all()}
    return {phase: saved.get(phase) or GatePolicy(phase=phase) for phase in Phase.values}


def required_by_phase(guideline_slug: str) -> list[tuple[str, list[Item]]]:
    """The items linked to a guideline that some phase requires for release."""
    items = {item.key: item for item in gate_items() if item.guideline == guideline_slug}
    labels = dict(Phase.choices)
    found = []
    for phase, policy in gate_policies().items():
        required = [items[key] for key in policy.required_items if key in items]
        if required:
            found.append((str(labels[phase]), required))
    return found
