"""Live watches for the demo organisation (DESIGN §6.7): built from the evidence the demo
seeded, through the watches' own state machine — most up, one failing, one down, one
paused — and a chat channel posting to the local catcher ``make run`` starts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max

from surveys.evidence.models import Evidence
from surveys.organisation.models import Department, Product
from surveys.watches import states
from surveys.watches.catcher import DEMO_URL
from surveys.watches.models import ChatChannel, ChatKind, Flip, Watch, WatchState

MAX_DEMO_PRODUCTS = 100  # a bench-sized seed brings its own watches


def demo_watches(*, now: dt.datetime) -> dict[str, int]:
    """Watches for every (product, item) with evidence; returns the count per state."""
    if Product.objects.count() > MAX_DEMO_PRODUCTS:
        return {}
    latest = (
        Evidence.objects.values("product_id", "item_key")
        .annotate(last=Max("observed_at"))
        .order_by("product__slug", "item_key")
    )
    watches, flips = [], []
    for n, row in enumerate(latest):
        watch = Watch(
            product_id=row["product_id"], item_key=row["item_key"], created_at=row["last"]
        )
        # The demo's pipelines post daily and passed last time; four then tell stories.
        last = now - dt.timedelta(hours=n % 20 + 4)
        states.observe(watch, outcome="pass", observed_at=last)
        _story(watch, n, now)
        watches.append(watch)
    for watch in watches:
        flips += _flips_of(watch, now)
    Watch.objects.bulk_create(watches)
    Flip.objects.bulk_create(flips)
    _catcher_channel()
    counts: dict[str, int] = {}
    for watch in watches:
        counts[watch.state] = counts.get(watch.state, 0) + 1
    return counts


def _story(watch: Watch, n: int, now: dt.datetime) -> None:
    if n == 1:  # failing: the last three runs failed
        for hours in (3, 2, 1):
            states.observe(watch, outcome="fail", observed_at=now - dt.timedelta(hours=hours))
    elif n == 2:  # down: the pipeline stopped posting ten days ago
        watch.last_post_at = now - dt.timedelta(days=10)
    elif n == 3:  # paused for a migration
        watch.paused_until = now + dt.timedelta(days=14)


def _flips_of(watch: Watch, now: dt.datetime) -> list[Any]:
    """The flips a watch went through, already told (the demo starts quiet)."""
    first = watch.last_post_at or now
    found = []
    final = states.state_at(watch, now)
    watch.state = WatchState.NEW
    found.append(Flip(watch=watch, at=first, old_state="new", new_state="up", claimed_at=now))
    watch.state = WatchState.UP
    step = states.evaluate(watch, now)
    if step.flip is not None and final != WatchState.UP:
        step.flip.claimed_at = now
        found.append(step.flip)
    return found


def _catcher_channel() -> None:
    """The top department's Slack channel posts to the local catcher (its sub-departments
    inherit it); ``WATCH_WEBHOOK_ALLOW_PRIVATE_IPS`` lets it reach 127.0.0.1."""
    top = Department.objects.filter(parent__isnull=True).order_by("pk").first()
    if top is not None and not ChatChannel.objects.filter(url=DEMO_URL).exists():
        ChatChannel.objects.create(kind=ChatKind.SLACK, url=DEMO_URL, department=top)
