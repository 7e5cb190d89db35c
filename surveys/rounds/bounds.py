"""Bounds of a round's settings (DESIGN §4), refused with a message a person can act on.

The database holds the same bounds (``Round.Meta.constraints``) as a last line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from surveys.core.errors import ApplicationError
from surveys.rounds.models import (
    EVIDENCE_WINDOW_DAYS_MAX,
    FIRST_DAY,
    LAST_DAY,
    REMINDER_DAYS_MAX,
    REMINDER_DAYS_MIN,
)


def check_dates(opens_on: dt.date, closes_on: dt.date) -> None:
    for day in (opens_on, closes_on):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ApplicationError(
                _("Dates of a round lie between %(first)s and %(last)s; %(day)s does not.")
                % {"first": FIRST_DAY, "last": LAST_DAY, "day": day}
            )
    if closes_on <= opens_on:
        raise ApplicationError(_("The close date must come after the open date."))


def check_reminder_days(days: Iterable[object]) -> list[int]:
    """The reminder offsets, largest first, each a whole number of days from 1 to 90."""
    found: set[int] = set()
    for day in days:
        try:
            number = int(str(day).strip())
        except ValueError:
            number = None
        if number is None or not REMINDER_DAYS_MIN <= number <= REMINDER_DAYS_MAX:
            raise ApplicationError(
                _("Reminders are sent %(min)d to %(max)d days before the close; %(day)s is not.")
                % {"min": REMINDER_DAYS_MIN, "max": REMINDER_DAYS_MAX, "day": day}
            )
        found.add(number)
    return sorted(found, reverse=True)


def check_evidence_window(days: object) -> int:
    try:
        number = int(str(days).strip())
    except ValueError:
        number = -1
    if not 0 <= number <= EVIDENCE_WINDOW_DAYS_MAX:
        raise ApplicationError(
            _("Evidence counts from 0 to %(max)d days before a round opens; %(days)s is not.")
            % {"max": EVIDENCE_WINDOW_DAYS_MAX, "days": days}
        )
    return number
