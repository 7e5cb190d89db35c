"""How figures are carried: JSON holds them rounded to 4 decimals (DESIGN §3)."""

from __future__ import annotations

import math

DECIMALS = 4


def figure(value: float | None) -> float | None:
    """A score or statistic as JSON carries it; None (and NaN, an empty set's mean) stay None."""
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return None
    return round(value, DECIMALS)
