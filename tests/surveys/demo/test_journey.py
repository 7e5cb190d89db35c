"""The demo a newcomer sees: checks inside the open round's
evidence window, and no activity in the future whatever the hour it is seeded."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from surveys.assessments.selectors import evidence_latest
from surveys.models import Answer, AnswerRevision, Assessment, Item, Round, RoundStatus

pytestmark = pytest.mark.django_db

EARLY = dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC)  # before the demo's 8:00 activity


def test_the_open_round_has_checks_and_no_activity_in_the_future() -> None:
    with time_machine.travel(EARLY, tick=False):
        call_command("seed_demo", stdout=StringIO())
    assert not Assessment.objects.filter(updated_at__gt=EARLY).exists()
    assert not Assessment.objects.filter(submitted_at__gt=EARLY).exists()
    assert not AnswerRevision.objects.filter(at__gt=EARLY).exists()

    rnd = Round.objects.get(status=RoundStatus.OPEN)
    keys = list(Item.objects.filter(version=rnd.version).values_list("key", flat=True))
    backed = suggested = 0
    for assessment in Assessment.objects.filter(round=rnd):
        latest = evidence_latest(assessment.product_id, rnd, keys)
        values = dict(
            Answer.objects.filter(assessment=assessment).values_list("item__key", "value")
        )
        backed += sum(1 for k, e in latest.items() if values[k] == "1" and e.outcome == "pass")
        suggested += sum(1 for k, e in latest.items() if values[k] is None and e.outcome == "pass")
    assert backed > 0 and suggested > 0
