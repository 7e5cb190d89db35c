"""The release gate's rule (DESIGN §6.8): does a product meet its phase's target now?

Pure: the caller reads the latest submitted assessment's area scores (claimed or
verified, as the phase's gate asks) and the points its required items count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scoring.figures import figure

# A required item must be at 1 (a guideline's required requirement is met in full).
REQUIRED_POINTS = 1.0


@dataclass(frozen=True)
class GateFailure:
    """One reason the gate fails: an area below the target or a required item below 1."""

    kind: str  # "area" or "item"
    key: str
    score: float | None
    needs: float

    def as_json(self) -> dict[str, object]:
        return {self.kind: self.key, "score": figure(self.score), "needs": figure(self.needs)}


@dataclass(frozen=True)
class GateResult:
    passes: bool
    final: float | None
    failing: tuple[GateFailure, ...]


def gate_check(
    *,
    areas: Mapping[str, float | None] | None,
    target: float,
    required: Mapping[str, float | None] = {},
) -> GateResult:
    """The gate of one assessment's scores.

    ``areas`` maps area key to its score (None: the area has no applicable item and is
    left out, as it is of the final score); None means there is no submitted assessment,
    which never passes. ``required`` maps each required item's key to the points it
    counts (None: N/A or not in the assessment's version, which does not hold a release
    that the item cannot apply to).

    The final score is the minimum of the areas, so it meets the target exactly when
    every scored area does: the failing areas are what must rise.
    """
    if areas is None:
        return GateResult(False, None, ())
    scored = {key: score for key, score in areas.items() if score is not None}
    final = min(scored.values()) if scored else None
    failing = [
        GateFailure("area", key, score, target)
        for key, score in areas.items()
        if score is not None and score < target
    ]
    failing += [
        GateFailure("item", key, points, REQUIRED_POINTS)
        for key, points in required.items()
        if points is not None and points < REQUIRED_POINTS
    ]
    return GateResult(final is not None and not failing, final, tuple(failing))
