"""Initiatives: whether a product meets a target, and the burn-up over days (DESIGN §5).

A target reads one figure of a product's answers: the final score, one area's score, or
one item's points, claimed or (where it asks) verified. The answers are those of the
product's latest submission that stands (DESIGN §5): a draft counts for nothing until it
is submitted. Pure Python: answers come in as ``(item_key, value)`` pairs per area,
submissions as dated records, changes as dated values.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from scoring.areas import score_card
from scoring.next_steps import NextStep, next_steps
from scoring.values import DEFAULT_POLICY, NA, POINTS, Policy
from scoring.verified import RAN_OUTCOMES, EvidenceRun

# Scores are sums of halves rescaled by n/m: compare with a little slack for float error.
_EPSILON = 1e-9
# Enough steps to find every single improvement of one area.
_ALL_STEPS = 1000


class TargetKind(enum.StrEnum):
    FINAL = "final"  # the final score ≥ threshold
    AREA = "area"  # one area's score ≥ threshold
    ITEM = "item"  # one item's points ≥ threshold (1, or 0.5)


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    threshold: float
    key: str = ""  # the area key or item key; empty for the final score
    verified: bool = False


@dataclass(frozen=True)
class Standing:
    """Where one product stands against a target."""

    meets: bool
    score: float | None  # the figure the target reads; None when it cannot be scored
    bottlenecks: tuple[str, ...] = ()
    steps: tuple[NextStep, ...] = field(default=())


@dataclass(frozen=True)
class Change:
    """An item's value from a day on."""

    day: date
    item_key: str
    value: str | None


Areas = Mapping[str, Sequence[tuple[str, str | None]]]


def verified_areas(areas: Areas, backed: Iterable[str]) -> dict[str, list[tuple[str, str | None]]]:
    """The answers with every `1` that no check backs lowered to `0.5` (DESIGN §3)."""
    backed = set(backed)
    return {
        area: [
            (key, "0.5" if value == "1" and key not in backed else value) for key, value in pairs
        ]
        for area, pairs in areas.items()
    }


def _item_standing(target: Target, areas: Areas) -> Standing:
    for area_key, pairs in areas.items():
        for item_key, value in pairs:
            if item_key != target.key:
                continue
            if value == NA:  # the practice does not apply: nothing to reach
                return Standing(True, None)
            points = POINTS.get(value or "")
            meets = points is not None and points + _EPSILON >= target.threshold
            steps = () if meets else (_item_step(item_key, area_key, value, target.threshold),)
            return Standing(meets, points, (), steps)
    return Standing(False, None)


def _item_step(item_key: str, area_key: str, value: str | None, threshold: float) -> NextStep:
    needed = "1" if threshold > 0.5 else "0.5"
    return NextStep(item_key, area_key, value or "", needed, final_gain=0.0, area_gain=0.0)


def standing(
    target: Target, areas: Areas, policy: Policy = DEFAULT_POLICY, *, steps: bool = True
) -> Standing:
    """Whether answers meet the target, the figure read, the bottleneck areas, and (unless
    ``steps`` is False: a count needs none) the single improvements that lift that figure
    most, cheapest first.

    For a verified target, ``areas`` must already hold verified values (``verified_areas``).
    """
    if target.kind == TargetKind.ITEM:
        reached = _item_standing(target, areas)
        return reached if steps else Standing(reached.meets, reached.score)
    plain = {key: [value for _, value in pairs] for key, pairs in areas.items()}
    card = score_card(plain, policy)
    if target.kind == TargetKind.FINAL:
        score = card.final
    else:
        area = card.areas.get(target.key)
        score = area.score if area is not None and card.complete else None
    meets = score is not None and score + _EPSILON >= target.threshold
    chosen: tuple[NextStep, ...] = ()
    if steps and not meets and card.final is not None:
        found = next_steps(areas, policy, limit=_ALL_STEPS)
        if target.kind == TargetKind.AREA:
            found = sorted(
                (s for s in found if s.area_key == target.key), key=lambda s: (s.cost, -s.area_gain)
            )
        chosen = tuple(found[:3])
    return Standing(meets, score, card.bottlenecks, chosen)


def backed_on(runs: Sequence[EvidenceRun], day: date, window_days: int) -> set[str]:
    """The items with a run of a check in the ``window_days`` up to the end of ``day``."""
    start = day - timedelta(days=window_days)
    return {
        run.item_key
        for run in runs
        if run.outcome in RAN_OUTCOMES and start < _day(run.observed_at) <= day
    }


def _day(moment: datetime | date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def layout_areas(
    layout: Sequence[tuple[str, Sequence[str]]], values: Mapping[str, str | None]
) -> dict[str, list[tuple[str, str | None]]]:
    """Each area's (item key, value) pairs, in the layout's order."""
    return {area: [(key, values.get(key)) for key in keys] for area, keys in layout}


def product_meets_by_day(
    target: Target,
    layout: Sequence[tuple[str, Sequence[str]]],
    changes: Sequence[Change],
    days: Sequence[date],
    *,
    policy: Policy = DEFAULT_POLICY,
    evidence: Sequence[EvidenceRun] = (),
    window_days: int = 90,
) -> list[bool]:
    """Whether one product meets the target at the end of each day.

    ``layout`` lists the areas with their item keys in order; ``changes`` are the
    product's answer values by day (a value holds until a later change of its item);
    ``days`` ascend.
    """
    ordered = sorted(changes, key=lambda c: c.day)
    values: dict[str, str | None] = {}
    position = 0
    result: list[bool] = []
    last: bool | None = None
    for day in days:
        changed = False
        while position < len(ordered) and ordered[position].day <= day:
            values[ordered[position].item_key] = ordered[position].value
            position += 1
            changed = True
        # Without evidence in play a day with no change keeps yesterday's answer.
        if changed or last is None or target.verified:
            areas = layout_areas(layout, values)
            if target.verified:
                areas = verified_areas(areas, backed_on(evidence, day, window_days))
            last = standing(target, areas, policy, steps=False).meets
        result.append(last)
    return result


def burn_up(
    target: Target,
    layout: Sequence[tuple[str, Sequence[str]]],
    changes_by_product: Mapping[int, Sequence[Change]],
    days: Sequence[date],
    *,
    policy: Policy = DEFAULT_POLICY,
    evidence_by_product: Mapping[int, Sequence[EvidenceRun]] | None = None,
    window_days: int = 90,
) -> list[int]:
    """How many products meet the target at the end of each day (one point per day)."""
    counts = [0] * len(days)
    evidence_by_product = evidence_by_product or {}
    for product, changes in changes_by_product.items():
        meets = product_meets_by_day(
            target,
            layout,
            changes,
            days,
            policy=policy,
            evidence=evidence_by_product.get(product, ()),
            window_days=window_days,
        )
        counts = [count + int(met) for count, met in zip(counts, meets, strict=True)]
    return counts


def days_between(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end``, both included (none when end is before start)."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


@dataclass(frozen=True)
class Submitted:
    """One submission of a product's answers, standing from the day it was made until
    the day it was voided (if ever). ``rank`` orders a product's submissions: its round
    first (the newest round's submission is the product's), then its moment (a
    resubmission replaces the one before)."""

    key: Hashable
    rank: tuple[Hashable, ...]
    made_on: date
    voided_on: date | None = None

    def stands_on(self, day: date) -> bool:
        return self.made_on <= day and (self.voided_on is None or self.voided_on > day)


def standing_submission(submissions: Iterable[Submitted], day: date) -> Submitted | None:
    """The submission that stands at the end of ``day``: the highest-ranked one made by
    then and not voided by then (None: the product has no submission then)."""
    standing_ = [s for s in submissions if s.stands_on(day)]
    return max(standing_, key=lambda s: s.rank) if standing_ else None


def submission_turns(
    submissions: Sequence[Submitted], days: Sequence[date]
) -> list[tuple[date, Submitted | None]]:
    """The first of ``days`` and each later day on which a product's standing submission
    changes (made, replaced, voided), with the one that stands from then on."""
    if not days:
        return []
    first, last = days[0], days[-1]
    turns = {first}
    for submission in submissions:
        for day in (submission.made_on, submission.voided_on):
            if day is not None and first < day <= last:
                turns.add(day)
    found: list[tuple[date, Submitted | None]] = []
    for day in sorted(turns):
        now = standing_submission(submissions, day)
        if not found or found[-1][1] != now:
            found.append((day, now))
    return found


def submission_changes(
    layout: Sequence[tuple[str, Sequence[str]]],
    turns: Sequence[tuple[date, Submitted | None]],
    values: Mapping[Hashable, Mapping[str, str | None]],
) -> list[Change]:
    """A product's answer values by day, as ``product_meets_by_day`` reads them: at each
    turn (``submission_turns``) every item takes the standing submission's value
    (``values`` by submission key); with no submission standing, all are unanswered."""
    keys = [key for _, item_keys in layout for key in item_keys]
    changes: list[Change] = []
    for day, submission in turns:
        held = values.get(submission.key, {}) if submission is not None else {}
        changes.extend(Change(day, key, held.get(key)) for key in keys)
    return changes
