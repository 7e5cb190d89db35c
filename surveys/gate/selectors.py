"""Reading the release gate of a product (DESIGN §6.8)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from scoring.figures import figure
from scoring.gate import GateResult, gate_check
from scoring.verified import lower_unbacked
from surveys.assessments.models import Answer, Assessment
from surveys.assessments.scores import backed_item_keys
from surveys.assessments.selectors import submitted_field
from surveys.core.i18n import tr
from surveys.guidelines.models import GateBasis, GatePolicy
from surveys.guidelines.release import gate_policy_of
from surveys.organisation.models import Product
from surveys.questionnaires.models import Area, Item

POINTS = {"0": 0.0, "0.5": 0.5, "1": 1.0}


def phase_target(phase: str) -> float:
    """The score a product of ``phase`` should reach (the reports' per-phase targets)."""
    return float(settings.SCORE_TARGETS_BY_PHASE.get(phase, settings.SCORE_TARGET))


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
        .annotate(submitted=submitted_field("value"))
        .values_list("item__key", "submitted")
    )
    return dict(answers)


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
