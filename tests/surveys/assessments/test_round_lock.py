"""The lock an edit takes on its round (``round_locked_for_edit``): edits of one round never
wait for each other, and a close waits for the edits in flight, then refuses later ones.

On deadline day every autosave of a round takes this lock; when it was exclusive, the
saves of the whole round queued one commit after another (half a second each at 30 saves
a second). Row locks are PostgreSQL's: this test runs there (always in CI); SQLite
serialises all writers by itself.
"""

from __future__ import annotations

import os
import threading

import pytest
from django.db import OperationalError, connection, transaction

from surveys.assessments.services import NotEditable, answer_set, round_locked_for_edit
from surveys.models import Answer, AssessmentStatus, Item, RoundStatus
from surveys.rounds import services
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("CI") and "postgres" not in os.environ.get("DATABASE_URL", ""),
        reason="row locks are PostgreSQL's (this test always runs in CI)",
    ),
]


def _lock_timeout(seconds: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = '{seconds}s'")


def test_edits_of_one_round_do_not_wait_for_each_other_but_a_close_waits_for_them() -> None:
    assert connection.vendor == "postgresql"
    version = factories.make_version()
    admin = factories.admin_user(username="admin")
    rnd = factories.make_round(version)
    first, second = (factories.ProductFactory(slug=slug) for slug in ("ads", "search"))
    rnd.products.add(first, second)
    held = factories.make_assessment(rnd, first, default="0.5", status=AssessmentStatus.DRAFT)
    other = factories.make_assessment(rnd, second, default="0.5", status=AssessmentStatus.DRAFT)
    item = Item.objects.filter(version=version).order_by("position").first()
    holding, release = threading.Event(), threading.Event()

    def edit_and_hold() -> None:
        try:
            with transaction.atomic():
                round_locked_for_edit(held, admin)
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=edit_and_hold)
    holder.start()
    try:
        assert holding.wait(10)
        # Another team's save in the same round goes through while the first edit is open.
        _lock_timeout(5)
        saved = answer_set(assessment=other, item=item, value="1", base_revision=None, by=admin)
        assert saved.value == "1"
        # The close does not: it waits for the edit in flight (here it gives up after 1 s).
        _lock_timeout(1)
        with pytest.raises(OperationalError, match="lock timeout"):
            services.round_close(round=rnd, by=admin, notify=False)
        rnd.refresh_from_db()
        assert rnd.status == RoundStatus.OPEN
    finally:
        release.set()
        holder.join()

    # Once the edit has ended the close goes through, and a save after it is refused.
    _lock_timeout(5)
    assert services.round_close(round=rnd, by=admin, notify=False) is not None
    with pytest.raises(NotEditable):
        answer_set(assessment=other, item=item, value="0", base_revision=None, by=admin)
    assert Answer.objects.get(assessment=other, item=item).value == "1"
