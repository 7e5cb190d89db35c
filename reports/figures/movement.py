"""How figures moved between rounds: the change since the last closed round, and what
moved the mean.

An open round's figures change until it closes, so every "change since the last round"
here compares closed rounds only; the open round is reported beside them as provisional.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reports.figures.selectors import RoundInfo
from reports.figures.trend import num


@dataclass(frozen=True)
class ClosedChange:
    """The latest closed round against the closed round before it, and any open round."""

    current: tuple[RoundInfo, dict[str, Any]] | None
    previous: tuple[RoundInfo, dict[str, Any]] | None
    provisional: list[tuple[RoundInfo, dict[str, Any]]]

    @property
    def delta_mean(self) -> float | None:
        return self.delta("final", "mean")

    @property
    def delta_median(self) -> float | None:
        return self.delta("final", "median")

    @property
    def delta_meeting(self) -> float | None:
        return self.delta("meeting_target")

    @property
    def delta_response(self) -> float | None:
        return self.delta("response_rate")

    def delta(self, *path: str) -> float | None:
        if self.current is None or self.previous is None:
            return None
        now, before = _dig(self.current[1], path), _dig(self.previous[1], path)
        if now is None or before is None:
            return None
        return num(now - before)


def _dig(row: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = row
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def closed_change(rounds: Sequence[RoundInfo], rows: Sequence[dict[str, Any]]) -> ClosedChange:
    """Closed rounds with scored products, the last two compared; open rounds set apart."""
    closed = [
        (info, row)
        for info, row in zip(rounds, rows, strict=True)
        if not info.is_provisional and row["scored"]
    ]
    provisional = [
        (info, row) for info, row in zip(rounds, rows, strict=True) if info.is_provisional
    ]
    return ClosedChange(
        current=closed[-1] if closed else None,
        previous=closed[-2] if len(closed) > 1 else None,
        provisional=[(i, r) for i, r in provisional if r["targeted"]],
    )


def previous_closed(rounds: Sequence[RoundInfo], info: RoundInfo) -> RoundInfo | None:
    """The closed round just before ``info`` in date order."""
    before = None
    for other in rounds:
        if other.id == info.id:
            return before
        if not other.is_provisional:
            before = other
    return None


@dataclass(frozen=True)
class Decomposition:
    """Change of the mean final score between two rounds, split by who caused it.

    With C the products scored in both rounds, J those scored only in the later (joined)
    and L those scored only in the earlier (left), N1 and N2 the numbers scored:

    - improved / declined: sum over C of the rise (fall) of each product's score, / N2;
    - joined: N_J / N2 × (mean of J in the later round − mean of C in the earlier);
    - left: N_L / N1 × (mean of C in the earlier round − mean of L).

    The four parts add up to mean2 − mean1 exactly (up to float rounding), so a rising
    average can be told apart from a changing population.
    """

    before_mean: float | None
    after_mean: float | None
    change: float | None
    improved: float
    declined: float
    joined: float
    left: float
    counts: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "before_mean": num(self.before_mean),
            "after_mean": num(self.after_mean),
            "change": num(self.change),
            "improved": num(self.improved),
            "declined": num(self.declined),
            "joined": num(self.joined),
            "left": num(self.left),
            "counts": dict(self.counts),
        }


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def decompose(before: Mapping[int, float], after: Mapping[int, float]) -> Decomposition:
    """``before`` and ``after`` map product id to final score (scored products only)."""
    both = sorted(set(before) & set(after))
    joined = sorted(set(after) - set(before))
    left = sorted(set(before) - set(after))
    n1, n2 = len(before), len(after)
    mean1, mean2 = _mean(list(before.values())), _mean(list(after.values()))
    rises = [after[p] - before[p] for p in both]
    improved = math.fsum(d for d in rises if d > 0) / n2 if n2 else 0.0
    declined = math.fsum(d for d in rises if d < 0) / n2 if n2 else 0.0
    # The continuing products' earlier mean is the reference; with none, the earlier mean.
    reference = _mean([before[p] for p in both])
    if reference is None:
        reference = mean1 or 0.0
    joined_part = len(joined) / n2 * ((_mean([after[p] for p in joined]) or 0.0) - reference)
    left_part = (
        len(left) / n1 * (reference - (_mean([before[p] for p in left]) or 0.0)) if n1 else 0.0
    )
    if not n2:
        joined_part = 0.0
    return Decomposition(
        before_mean=mean1,
        after_mean=mean2,
        change=None if mean1 is None or mean2 is None else mean2 - mean1,
        improved=improved if n2 else 0.0,
        declined=declined if n2 else 0.0,
        joined=joined_part if n2 else 0.0,
        left=left_part,
        counts={
            "improved": sum(1 for d in rises if d > 0),
            "declined": sum(1 for d in rises if d < 0),
            "unchanged": sum(1 for d in rises if d == 0),
            "joined": len(joined),
            "left": len(left),
        },
    )
