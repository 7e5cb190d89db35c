"""The raw score: N/A counted as 0, shown beside the scored value so N/A is never a
silent way up. Pure Python, like the rest of ``scoring``.

With every N/A counted as 0 an area's score is simply the sum of its points (all n items
apply, so rescaling changes nothing and dropping changes nothing), and the raw final
score is the lowest of those sums over every area, an all-N/A area included (it scores 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from scoring.rules import NA, ScoreCard, score_card


def na_as_zero(values: Sequence[str | None]) -> list[str | None]:
    return ["0" if value == NA else value for value in values]


def raw_card(areas: Mapping[str, Sequence[str | None]]) -> ScoreCard:
    """The score card with every N/A counted as 0."""
    return score_card({key: na_as_zero(values) for key, values in areas.items()})


def raw_final(area_raws: Iterable[float]) -> float | None:
    """The raw final score from each area's stored raw sum (N/A earns nothing there)."""
    raws = list(area_raws)
    return min(raws) if raws else None
