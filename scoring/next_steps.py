"""Next steps: the single improvements that raise the final score most (DESIGN §5)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scoring.areas import score_card
from scoring.values import DEFAULT_POLICY, Policy


@dataclass(frozen=True)
class NextStep:
    item_key: str
    area_key: str
    current: str
    target: str
    final_gain: float  # how much the final score rises
    area_gain: float  # how much the item's area score rises

    @property
    def cost(self) -> int:
        """0 → 0.5 (document a manual run) is cheapest; 0.5 → 1 (automate) next."""
        return 0 if self.current == "0" else 1


_NEXT = {"0": "0.5", "0.5": "1"}


def next_steps(
    areas: Mapping[str, Sequence[tuple[str, str | None]]],
    policy: Policy = DEFAULT_POLICY,
    limit: int = 5,
) -> list[NextStep]:
    """The single-step improvements that raise the final score most, cheapest first.

    ``areas`` maps area key to ``(item_key, value)`` pairs. When two areas tie as the
    bottleneck no single step raises the final score; then the steps that lift a
    bottleneck area rank first, since every tied area must rise.
    """
    plain = {key: [v for _, v in pairs] for key, pairs in areas.items()}
    card = score_card(plain, policy)
    if card.final is None:
        return []
    steps: list[NextStep] = []
    for area_key, pairs in areas.items():
        before = card.areas[area_key].score
        for index, (item_key, value) in enumerate(pairs):
            if value not in _NEXT:
                continue
            raised = list(plain[area_key])
            raised[index] = _NEXT[value]
            after = score_card({**plain, area_key: raised}, policy)
            area_after = after.areas[area_key].score
            steps.append(
                NextStep(
                    item_key,
                    area_key,
                    value,
                    _NEXT[value],
                    final_gain=(after.final or 0.0) - card.final,
                    area_gain=(area_after or 0.0) - (before or 0.0),
                )
            )
    tied = set(card.bottlenecks)
    steps = [s for s in steps if s.final_gain > 0 or s.area_key in tied]
    steps.sort(key=lambda s: (-s.final_gain, s.area_key not in tied, s.cost, -s.area_gain))
    return steps[:limit]
