"""Regressions since the previous round (DESIGN §4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from scoring.figures import figure

# A fall of this much since the previous round is a regression.
FINAL_DROP = 1.0
AREA_DROP = 2.0
# Scores are sums of halves rescaled by n/m: compare with a little slack for float error.
_EPSILON = 1e-9


@dataclass(frozen=True)
class AreaDrop:
    previous: float
    current: float
    drop: float


@dataclass(frozen=True)
class Regression:
    previous_final: float
    final: float
    final_drop: float
    areas: dict[str, AreaDrop] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        """The details stored with the flagged assessment, figures rounded as JSON carries them."""
        return {
            "previous_final": figure(self.previous_final),
            "final": figure(self.final),
            "final_drop": figure(self.final_drop),
            "areas": {
                key: {
                    "previous": figure(d.previous),
                    "current": figure(d.current),
                    "drop": figure(d.drop),
                }
                for key, d in self.areas.items()
            },
        }


def regression_of(
    *,
    final: float,
    areas: Mapping[str, float],
    previous_final: float,
    previous_areas: Mapping[str, float],
) -> Regression | None:
    """A regression when the final fell by 1.0 or more, or an area by 2.0 or more; None
    otherwise. Areas without a score in either round are not compared."""
    drops = {
        key: AreaDrop(previous_areas[key], score, previous_areas[key] - score)
        for key, score in areas.items()
        if key in previous_areas and previous_areas[key] - score >= AREA_DROP - _EPSILON
    }
    final_drop = previous_final - final
    if final_drop < FINAL_DROP - _EPSILON and not drops:
        return None
    return Regression(previous_final, final, final_drop, drops)
