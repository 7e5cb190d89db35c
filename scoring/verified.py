"""The verified score's values: a `1` counts only when a check backs it (DESIGN §3)."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime


class Outcome(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"


# An outcome that proves the check ran: a failing check still ran; `error` proves nothing.
RAN_OUTCOMES = frozenset({Outcome.PASS, Outcome.FAIL})


@dataclass(frozen=True)
class EvidenceRun:
    item_key: str
    outcome: str
    observed_at: datetime


def backed_keys(evidence: Iterable[EvidenceRun], window: tuple[datetime, datetime]) -> set[str]:
    """Item keys whose check ran (pass or fail) inside the window."""
    start, end = window
    return {
        run.item_key
        for run in evidence
        if run.outcome in RAN_OUTCOMES and start <= run.observed_at <= end
    }


def lower_unbacked(
    values: Mapping[str, str | None], backed: Iterable[str]
) -> dict[str, str | None]:
    """Claimed values with every `1` that no check backs lowered to `0.5`."""
    backed = set(backed)
    return {
        key: ("0.5" if value == "1" and key not in backed else value)
        for key, value in values.items()
    }


def verified_values(
    values: Mapping[str, str | None],
    evidence: Iterable[EvidenceRun],
    window: tuple[datetime, datetime],
) -> dict[str, str | None]:
    """The values the verified score counts."""
    return lower_unbacked(values, backed_keys(evidence, window))


def claimed_gap(claimed: float | None, verified: float | None) -> float | None:
    """How much of a claimed score no check backs: claimed minus verified (DESIGN §3, "the
    gap between claimed and verified score is shown wherever both are"); None unless both
    exist."""
    if claimed is None or verified is None:
        return None
    return claimed - verified
