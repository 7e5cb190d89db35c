"""Reports' "share of items at 1 with a live check" (DESIGN §6.7), per round and
department: of the answers at 1, how many had a watch that was reporting (up or failing)
when the round closed, or now for a round still open.

A watch's state at a moment is the new state of its last flip at or before it, read in one
query per round; a department counts its sub-departments' products.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from surveys.assessments.models import Answer
from surveys.organisation.models import Department
from surveys.rounds.models import Round, RoundStatus
from surveys.watches.models import Flip, Watch, WatchState

LIVE = (WatchState.UP, WatchState.FAILING)


@dataclass
class Share:
    at_one: int = 0
    live: int = 0

    @property
    def share(self) -> float | None:
        return self.live / self.at_one if self.at_one else None


@dataclass
class RoundCoverage:
    round: Round
    provisional: bool
    total: Share = field(default_factory=Share)
    departments: dict[int, Share] = field(default_factory=lambda: defaultdict(Share))


def round_moment(round: Round, now: dt.datetime) -> dt.datetime:
    if round.status != RoundStatus.CLOSED:
        return now
    end = dt.datetime.combine(round.closes_on, dt.time.max)
    return min(timezone.make_aware(end), now)


def live_pairs(at: dt.datetime) -> set[tuple[int, str]]:
    """(product, item key) of every watch reporting at ``at``."""
    state_then = Subquery(
        Flip.objects.filter(watch=OuterRef("pk"), at__lte=at, reminder=False)
        .order_by("-at", "-pk")
        .values("new_state")[:1]
    )
    return set(
        Watch.objects.filter(created_at__lte=at)
        .annotate(state_then=state_then)
        .filter(state_then__in=LIVE)
        .values_list("product_id", "item_key")
    )


def coverage(*, rounds: list[Round], now: dt.datetime | None = None) -> list[RoundCoverage]:
    """The share for each of ``rounds``, overall and per department (with its parents)."""
    now = now or timezone.now()
    parents = dict(Department.objects.values_list("pk", "parent_id"))
    found = []
    for round in rounds:
        live = live_pairs(round_moment(round, now))
        row = RoundCoverage(round=round, provisional=round.status != RoundStatus.CLOSED)
        answers = Answer.objects.filter(assessment__round=round, value="1").values_list(
            "assessment__product_id", "assessment__product__department_id", "item__key"
        )
        for product_id, department_id, key in answers.iterator(chunk_size=5000):
            is_live = (product_id, key) in live
            for share in [row.total, *_up_the_tree(row, department_id, parents)]:
                share.at_one += 1
                share.live += is_live
        found.append(row)
    return found


def _up_the_tree(row: RoundCoverage, department_id: Any, parents: dict[int, Any]) -> list[Share]:
    shares, seen = [], set()
    while department_id is not None and department_id not in seen:
        seen.add(department_id)
        shares.append(row.departments[department_id])
        department_id = parents.get(department_id)
    return shares
