"""Reading the release gate of a product (DESIGN §6.8)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from scoring.figures import figure
from scoring.gate import GateResult, gate_check
from scoring.verified import lower_unbacked
from surveys.assessments.resubmission import submitted_value_of
from surveys.assessments.scores import backed_item_keys
from surveys.i18n import tr
from surveys.models import (
    Answer,
    Area,
    Assessment,
    GateBasis,
    GatePolicy,
    Item,
    Phase,
    Product,
    QuestionnaireVersion,
    VersionStatus,
)

POINTS = {"0": 0.0, "0.5": 0.5, "1": 1.0}


def phase_target(phase: str) -> float:
    """The score a product of ``phase`` should reach (the reports' per-phase targets)."""
    return float(settings.SCORE_TARGETS_BY_PHASE.get(phase, settings.SCORE_TARGET))


def gate_policy_of(phase: str) -> GatePolicy:
    """The phase's gate settings; a phase nobody set reads the claimed score, no item required."""
    return GatePolicy.objects.filter(phase=phase).first() or GatePolicy(phase=phase)


def latest_submitted(product: Product) -> Assessment | None:
    """The product's assessment with the latest submission standing (its stored scores
    are that submission's, DESIGN §2)."""
    return (
        Assessment.objects.filter(product=product, submitted_at__isnull=False)
        .select_related("round__version")
        .order_by("-round__opens_on", "-round_id")
        .first()
    )


def _submitted_values(assessment: Assessment, keys: list[str]) -> dict[str, str | None]:
    """The required items' values as submitted (a change since is not submitted yet)."""
    answers = (
        Answer.objects.filter(assessment=assessment, item__key__in=keys)
        .annotate(**submitted_value_of(assessment))
        .values_list(  # type: ignore[misc]  # the annotations above
            "item__key", "value", "changed_since_submission", "submitted_value"
        )
    )
    return {key: (then if changed else now) for key, now, changed, then in answers}


def _required_points(
    assessment: Assessment, keys: list[str], *, verified: bool
) -> dict[str, float | None]:
    if not keys:
        return {}
    values = _submitted_values(assessment, keys)
    if verified:
        backed = backed_item_keys([assessment.product_id], assessment.round)
        values = lower_unbacked(values, backed.get(assessment.product_id, set()))
    # An item not in the assessment's version, or N/A, does not apply: None.
    return {key: POINTS.get(values[key] or "") if key in values else None for key in keys}


@dataclass(frozen=True)
class Gate:
    product: Product
    policy: GatePolicy
    target: float
    assessment: Assessment | None
    result: GateResult

    def failing_named(self) -> list[dict[str, Any]]:
        """The failures as people read them: area and item titles, never keys (DESIGN §5)."""
        if self.assessment is None:
            return []
        version_id = self.assessment.round.version_id
        areas = dict(Area.objects.filter(version_id=version_id).values_list("key", "title"))
        items = {
            key: (code, title)
            for key, code, title in Item.objects.filter(version_id=version_id).values_list(
                "key", "code", "title"
            )
        }
        named = []
        for failure in self.result.failing:
            if failure.kind == "area":
                name = tr(areas.get(failure.key)) or failure.key
            else:
                code, title = items.get(failure.key, ("", None))
                name = f"{code} {tr(title)}".strip() or failure.key
            named.append(
                {"kind": failure.kind, "name": name, "score": failure.score, "needs": failure.needs}
            )
        return named

    def as_json(self) -> dict[str, Any]:
        assessment = self.assessment
        return {
            "product": self.product.slug,
            "phase": self.product.phase,
            "target": figure(self.target),
            "final": figure(assessment.final_score) if assessment else None,
            "verified": figure(assessment.verified_score) if assessment else None,
            "passes": self.result.passes,
            "failing": [failure.as_json() for failure in self.result.failing],
            "basis": self.policy.basis,
            "round": assessment.round.label if assessment else None,
        }


def gate_of(product: Product) -> Gate:
    policy = gate_policy_of(product.phase)
    target = phase_target(product.phase)
    assessment = latest_submitted(product)
    if assessment is None:
        return Gate(product, policy, target, None, gate_check(areas=None, target=target))
    verified = policy.basis == GateBasis.VERIFIED
    areas = {
        key: (vscore if verified else score)
        for key, score, vscore in assessment.area_scores.order_by("id").values_list(
            "area_key", "score", "verified_score"
        )
    }
    required = _required_points(assessment, list(policy.required_items), verified=verified)
    result = gate_check(areas=areas, target=target, required=required)
    return Gate(product, policy, target, assessment, result)


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
