"""The state machine of a watch (DESIGN §2 *Watch*), on the watch's facts alone.

Pure functions of a watch and a moment: the services decide when to call them and
store what they return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from surveys.watches.models import Flip, Watch, WatchState

ALARMS = (WatchState.DOWN, WatchState.FAILING)


def remind_every() -> timedelta:
    return timedelta(days=settings.WATCH_REMIND_DAYS)


def state_at(watch: Watch, now: datetime) -> str:
    """The state the watch's facts give at ``now``.

    Down from the very moment period + grace have passed since the last post (as
    healthchecks' ``now >= down_after``); a pause hides the rest until it ends.
    """
    if watch.paused_until is not None and now < watch.paused_until:
        return WatchState.PAUSED
    if watch.last_post_at is None:
        return WatchState.NEW
    if now >= watch.last_post_at + watch.period + watch.grace:
        return WatchState.DOWN
    if watch.fail_streak >= watch.fail_after:
        return WatchState.FAILING
    return WatchState.UP


def next_due(watch: Watch) -> datetime | None:
    """The next moment something may change by the clock alone (the stored ``state``)."""
    if watch.state == WatchState.PAUSED:
        return watch.paused_until
    moments = []
    if watch.state in (WatchState.UP, WatchState.FAILING) and watch.down_at is not None:
        moments.append(watch.down_at)
    if watch.state in ALARMS and watch.remind_at is not None:
        moments.append(watch.remind_at)
    return min(moments) if moments else None


@dataclass
class Step:
    """What one evaluation changed: a flip or a reminder to store, if any."""

    flip: Flip | None = None


def evaluate(watch: Watch, now: datetime) -> Step:
    """Bring ``watch`` (in memory) to its state at ``now``: a changed state is a flip; an
    alarm that holds past its reminder time is a reminder. Sets ``next_due_at``."""
    step = Step()
    new = state_at(watch, now)
    if new != watch.state:
        step.flip = Flip(watch=watch, at=now, old_state=watch.state, new_state=new)
        watch.state = new
        watch.changed_at = now
        watch.remind_at = now + remind_every() if new in ALARMS else None
    elif new in ALARMS and watch.remind_at is not None and watch.remind_at <= now:
        step.flip = Flip(watch=watch, at=now, old_state=new, new_state=new, reminder=True)
        watch.remind_at = now + remind_every()
    watch.next_due_at = next_due(watch)
    return step


def observe(watch: Watch, *, outcome: str, observed_at: datetime) -> bool:
    """Count one post into the watch's facts; False when it is older than the last one
    (old news changes nothing)."""
    if watch.last_post_at is not None and observed_at < watch.last_post_at:
        return False
    watch.last_post_at = observed_at
    watch.last_outcome = outcome
    watch.fail_streak = 0 if outcome == "pass" else watch.fail_streak + 1
    return True
