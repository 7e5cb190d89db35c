"""Measurement rounds (DESIGN §4): create, open, remind, close, extend, re-open, re-score.

One module a step: ``scheduling`` (create, historical, the cadence), ``opening``,
``reminding``, ``closing`` (close, close early, re-score), ``changing`` (extend, re-open),
and ``freezing``, the one path that freezes a round's assessments (a close, an import of
a historical round, the demo). ``common`` holds the lock every step takes first.

Every step claims its work under a lock on the round row (or with a conditional update
or a unique row), so a task that runs twice does nothing twice and no write of an
answer slips in beside a close. Every step is set-based: closing a round of 10,000
products takes a handful of queries. Emails, the webhook and the round report are sent
after the commit by tasks (``freezing.event_record``, the report task by name).
"""

from surveys.rounds.services.changing import round_extend, round_reopen
from surveys.rounds.services.closing import round_close, round_close_early, round_rescore
from surveys.rounds.services.common import round_lock
from surveys.rounds.services.opening import OpenResult, round_open
from surveys.rounds.services.reminding import round_remind, round_remind_now
from surveys.rounds.services.scheduling import (
    round_create,
    round_record_historical,
    round_schedule_next,
    rounds_schedule_next,
)

__all__ = [
    "OpenResult",
    "round_close",
    "round_close_early",
    "round_create",
    "round_extend",
    "round_lock",
    "round_open",
    "round_record_historical",
    "round_remind",
    "round_remind_now",
    "round_reopen",
    "round_rescore",
    "round_schedule_next",
    "rounds_schedule_next",
]
