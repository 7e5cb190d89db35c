"""The calibration sample: weighted random sampling without replacement, reproducible.

Pure Python, no Django, so the draw can be checked by hand. Efraimidis and Spirakis
(2006): every candidate gets the key ``u ** (1 / w)`` with ``u`` uniform in [0, 1); the
``k`` largest keys are the sample. Candidates are taken in id order and ``u`` comes from
``random.Random(seed)``, so the same seed over the same candidates draws the same picks.

A candidate's weight rises with the part of its claimed score no automated check backs
(claimed − verified) and with how far its score moved since its previous round:
``w = 1 + GAP_WEIGHT * max(gap, 0) + JUMP_WEIGHT * |jump|``. The 1 keeps every submitted
assessment drawable, so a team cannot know it will never be checked.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

GAP_WEIGHT = 2.0
JUMP_WEIGHT = 1.0
# A gap or a jump at least this large is named as a reason for the pick.
NOTABLE = 0.5


@dataclass(frozen=True)
class Candidate:
    assessment_id: int
    gap: float | None  # claimed − verified final score
    jump: float | None  # final score − the previous round's, None without one


@dataclass(frozen=True)
class Pick:
    candidate: Candidate
    weight: float
    key: float
    rank: int  # 1 = largest key


def weight_of(candidate: Candidate) -> float:
    gap = max(candidate.gap or 0.0, 0.0)
    jump = abs(candidate.jump or 0.0)
    return 1.0 + GAP_WEIGHT * gap + JUMP_WEIGHT * jump


def draw(candidates: Sequence[Candidate], size: int, seed: int) -> list[Pick]:
    """The ``size`` picks of a weighted draw without replacement, largest key first."""
    rng = random.Random(seed)
    keyed = []
    for candidate in sorted(candidates, key=lambda c: c.assessment_id):
        weight = weight_of(candidate)
        keyed.append((rng.random() ** (1.0 / weight), weight, candidate))
    keyed.sort(key=lambda row: (-row[0], row[2].assessment_id))
    return [
        Pick(candidate, weight, key, rank)
        for rank, (key, weight, candidate) in enumerate(keyed[: max(size, 0)], start=1)
    ]


def reasons(gap: float | None, jump: float | None) -> list[str]:
    """Why a pick weighed more than chance: ``gap``, ``jump_up``, ``jump_down`` (or none)."""
    found = []
    if gap is not None and gap >= NOTABLE:
        found.append("gap")
    if jump is not None and jump >= NOTABLE:
        found.append("jump_up")
    elif jump is not None and jump <= -NOTABLE:
        found.append("jump_down")
    return found
