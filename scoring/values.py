"""Answer values and the version's scoring policy (DESIGN §2, §3).

Points are kept as whole *half-points* (0, 1, 2) while summing, so sums are exact.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

NA = "NA"
VALUES: tuple[str, ...] = ("0", "0.5", "1", NA)
POINTS: Mapping[str, float] = {"0": 0.0, "0.5": 0.5, "1": 1.0}
HALF_POINTS: Mapping[str, int] = {"0": 0, "0.5": 1, "1": 2}
DEFAULT_MAX_NA_PER_AREA = 3


class NaPolicy(enum.StrEnum):
    RESCALE = "rescale"
    DROP = "drop"


@dataclass(frozen=True)
class Policy:
    na_policy: NaPolicy = NaPolicy.RESCALE
    max_na_per_area: int = DEFAULT_MAX_NA_PER_AREA


DEFAULT_POLICY = Policy()


# The spellings of DESIGN §6.2, and no others: no exponent, sign, other digits or
# zeros (``1e0``, ``+1``, ``-0``, ``١``, ``１``, ``.5`` are refused). NA and N/A in any case.
SPELLINGS = {"0": "0", "0.5": "0.5", "1": "1", "1.0": "1"}
NA_SPELLINGS = frozenset({"NA", "N/A", "対象外"})
HINT = "use 0, 0.5, 1 or NA (N/A, 対象外), or leave it empty"


def normalize_value(raw: object) -> str | None:
    """Map what people type (`1.0`, `N/A`, `対象外`, a spreadsheet number) to a value.

    Returns None for an empty answer; raises ValueError for anything else.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not an answer")
    if isinstance(raw, int | float):  # a spreadsheet cell holding the number itself
        for value, points in POINTS.items():
            if raw == points:
                return value
        raise ValueError(f"{raw!r} is not an answer: {HINT}")
    text = str(raw).strip()
    if text == "":
        return None
    if text.upper() in NA_SPELLINGS:
        return NA
    if text in SPELLINGS:
        return SPELLINGS[text]
    raise ValueError(f"{raw!r} is not an answer: {HINT}")
