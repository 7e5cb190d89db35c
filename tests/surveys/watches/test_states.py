"""The state machine of a watch (DESIGN §2 *Watch*): every transition, the boundary at
exactly period + grace, pause expiry, flapping."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from surveys.models import Flip, Watch, WatchState
from surveys.watches.services import watch_pause, watch_update, watches_due_check

from .conftest import T0, post

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def watch() -> Watch:
    return Watch.objects.get()


def flips() -> list[tuple[str, str, bool]]:
    return [(f.old_state, f.new_state, f.reminder) for f in Flip.objects.order_by("at", "pk")]


@pytest.fixture(autouse=True)
def _clock(monkeypatch: Any) -> None:
    # Posts are counted at "now"; pin it just after T0 so the tests read like a diary.
    monkeypatch.setattr(timezone, "now", lambda: T0 + timedelta(minutes=1))


def test_the_first_post_creates_an_up_watch_with_the_items_period(product: Any) -> None:
    post(product)
    w = watch()
    assert (w.item_key, w.state, w.period, w.grace, w.fail_after) == (
        "data.i1",
        WatchState.UP,
        7 * DAY,
        DAY,
        3,
    )
    assert w.next_due_at == T0 + 8 * DAY
    assert flips() == [("new", "up", False)]


def test_down_exactly_at_period_plus_grace_not_a_second_before(product: Any) -> None:
    post(product)
    assert watches_due_check(now=T0 + 8 * DAY - timedelta(seconds=1)) == 0
    assert watch().state == WatchState.UP
    assert watches_due_check(now=T0 + 8 * DAY) == 1
    assert watch().state == WatchState.DOWN
    assert flips()[-1] == ("up", "down", False)


def test_a_post_brings_a_down_watch_up(product: Any, monkeypatch: Any) -> None:
    post(product)
    watches_due_check(now=T0 + 9 * DAY)
    monkeypatch.setattr(timezone, "now", lambda: T0 + 9 * DAY)
    post(product, at=T0 + 9 * DAY)
    assert watch().state == WatchState.UP
    assert [f[:2] for f in flips()] == [("new", "up"), ("up", "down"), ("down", "up")]


def test_failing_after_n_failed_or_erred_posts_and_up_on_a_pass(product: Any) -> None:
    post(product, outcome="fail", at=T0 - 3 * timedelta(hours=1))
    post(product, outcome="error", at=T0 - 2 * timedelta(hours=1))
    assert watch().state == WatchState.UP
    post(product, outcome="fail", at=T0 - timedelta(hours=1))
    assert watch().state == WatchState.FAILING
    post(product, outcome="pass", at=T0)
    assert watch().state == WatchState.UP
    assert [f[:2] for f in flips()] == [("new", "up"), ("up", "failing"), ("failing", "up")]


def test_a_failing_watch_that_stops_posting_goes_down(product: Any) -> None:
    for hours in (3, 2, 1):
        post(product, outcome="fail", at=T0 - timedelta(hours=hours))
    assert watch().state == WatchState.FAILING
    watches_due_check(now=T0 - timedelta(hours=1) + 8 * DAY)
    assert watch().state == WatchState.DOWN
    assert flips()[-1][:2] == ("failing", "down")


def test_n_is_the_teams_choice(product: Any, cast: Any) -> None:
    post(product, outcome="fail")
    watch_update(watch=watch(), fail_after=1, by=cast.member, now=T0 + timedelta(minutes=2))
    assert watch().state == WatchState.FAILING


def test_old_news_changes_nothing(product: Any) -> None:
    post(product, at=T0)
    post(product, outcome="fail", at=T0 - DAY)
    w = watch()
    assert (w.last_post_at, w.last_outcome, w.fail_streak) == (T0, "pass", 0)


def test_pause_hides_the_state_until_it_ends_then_the_facts_decide(product: Any, cast: Any) -> None:
    post(product)
    watch_pause(watch=watch(), until=T0 + 20 * DAY, by=cast.member, now=T0 + DAY)
    assert watch().state == WatchState.PAUSED
    assert watch().next_due_at == T0 + 20 * DAY
    # Past period + grace while paused: nothing happens until the pause ends.
    assert watches_due_check(now=T0 + 19 * DAY) == 0
    assert watch().state == WatchState.PAUSED
    assert watches_due_check(now=T0 + 20 * DAY) == 1
    assert watch().state == WatchState.DOWN
    assert [f[:2] for f in flips()] == [("new", "up"), ("up", "paused"), ("paused", "down")]


def test_resuming_a_pause_by_hand(product: Any, cast: Any) -> None:
    post(product)
    watch_pause(watch=watch(), until=T0 + 5 * DAY, by=cast.member, now=T0 + DAY)
    watch_pause(watch=watch(), until=None, by=cast.member, now=T0 + 2 * DAY)
    assert watch().state == WatchState.UP
    assert watch().paused_until is None


def test_a_pause_must_end(product: Any, cast: Any) -> None:
    from surveys.core.errors import ApplicationError

    post(product)
    with pytest.raises(ApplicationError):
        watch_pause(watch=watch(), until=T0 + 400 * DAY, by=cast.member, now=T0)
    with pytest.raises(ApplicationError):
        watch_pause(watch=watch(), until=T0 - DAY, by=cast.member, now=T0)
    assert watch().state == WatchState.UP


def test_a_watch_made_beforehand_stays_new_until_the_first_post(product: Any, cast: Any) -> None:
    from surveys.watches.services import watch_create

    watch_create(product=product, item_key="data.i2", by=cast.member, now=T0 - 30 * DAY)
    assert watches_due_check(now=T0) == 0
    assert watch().state == WatchState.NEW
    post(product, item="data.i2")
    assert watch().state == WatchState.UP


@override_settings(WATCH_REMIND_DAYS=7)
def test_reminders_every_n_days_while_down(product: Any) -> None:
    post(product)
    watches_due_check(now=T0 + 8 * DAY)
    assert watch().next_due_at == T0 + 15 * DAY
    watches_due_check(now=T0 + 15 * DAY)
    watches_due_check(now=T0 + 16 * DAY)  # nothing due: no second reminder
    watches_due_check(now=T0 + 22 * DAY)
    assert flips()[1:] == [("up", "down", False), ("down", "down", True), ("down", "down", True)]


def test_flapping_flips_every_time_and_each_flip_is_stored_once(product: Any) -> None:
    outcomes = ["fail", "fail", "fail", "pass", "fail", "fail", "fail", "pass"]
    for n, outcome in enumerate(outcomes):
        post(product, outcome=outcome, at=T0 - timedelta(hours=len(outcomes) - n))
    assert [f[:2] for f in flips()] == [
        ("new", "up"),
        ("up", "failing"),
        ("failing", "up"),
        ("up", "failing"),
        ("failing", "up"),
    ]


def test_due_check_is_one_query_on_the_due_time_when_nothing_is_due(product: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    post(product)
    with CaptureQueriesContext(connection) as queries:
        assert watches_due_check(now=T0 + DAY) == 0
    # Savepoints aside (the test's own transaction), one SELECT on next_due_at.
    sql = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(sql) == 1 and '"next_due_at" <=' in sql[0]


def test_a_pass_for_an_up_watch_is_one_update(product: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from surveys.watches.services import watches_observe

    post(product, at=T0 - timedelta(hours=2))
    record = type(
        "P",
        (),
        {
            "product_id": product.pk,
            "item_key": "data.i1",
            "outcome": "pass",
            "observed_at": T0 - timedelta(hours=1),
        },
    )()
    with CaptureQueriesContext(connection) as queries:
        watches_observe(posts=[record], now=T0)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["UPDATE"]
    assert "next_due_at" not in queries.captured_queries[0]["sql"]
    w = watch()
    assert (w.last_post_at, w.state) == (T0 - timedelta(hours=1), WatchState.UP)
    # The stored due time lags; when it comes, the due check moves it on without a flip.
    assert w.next_due_at == T0 - timedelta(hours=2) + 8 * DAY
    assert watches_due_check(now=w.next_due_at) == 1
    w = watch()
    assert (w.state, w.next_due_at) == (WatchState.UP, T0 - timedelta(hours=1) + 8 * DAY)
    assert Flip.objects.count() == 1  # new → up only


def test_a_late_backfilled_pass_takes_the_full_path_and_goes_down(product: Any) -> None:
    post(product, at=T0 - 20 * DAY)  # new → down at once: the post is too old to be up
    assert watch().state == WatchState.DOWN


def test_a_pass_older_than_the_last_is_one_update_and_keeps_the_newer_time(product: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from surveys.watches.services import watches_observe

    post(product, at=T0)
    older = type(
        "P",
        (),
        {
            "product_id": product.pk,
            "item_key": "data.i1",
            "outcome": "pass",
            "observed_at": T0 - timedelta(hours=5),
        },
    )()
    with CaptureQueriesContext(connection) as queries:
        watches_observe(posts=[older], now=T0 + timedelta(minutes=1))
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["UPDATE"]
    assert (watch().last_post_at, watch().state) == (T0, WatchState.UP)


def test_an_older_pass_does_not_clear_a_newer_failure(product: Any) -> None:
    post(product, outcome="fail", at=T0)
    post(product, outcome="pass", at=T0 - timedelta(hours=5))
    w = watch()
    assert (w.last_post_at, w.last_outcome, w.fail_streak) == (T0, "fail", 1)


@pytest.mark.parametrize("items", [["data.i1"], ["data.i1", "data.i2"]])
def test_a_failed_post_is_stored_in_each_watch_it_changes(product: Any, items: list[str]) -> None:
    """One watch changed is written by its own UPDATE, several by one bulk UPDATE: both
    store every fact the state machine changed."""
    from surveys.evidence.services import EvidenceIn, evidence_upsert

    for item in items:
        post(product, item=item)
    evidence_upsert(
        records=[
            EvidenceIn(
                product_id=product.pk,
                item_key=item,
                outcome="fail",
                observed_at=T0 + timedelta(seconds=30),
                run_id=f"failed-{item}",
            )
            for item in items
        ],
        token=None,
    )
    stored = Watch.objects.order_by("item_key")
    assert [(w.item_key, w.last_outcome, w.fail_streak, w.last_post_at) for w in stored] == [
        (item, "fail", 1, T0 + timedelta(seconds=30)) for item in items
    ]
    assert {w.state for w in stored} == {WatchState.UP}  # one failure of fail_after 3


def test_an_archived_products_watches_wait_and_are_judged_again_when_it_returns(
    product: Any,
) -> None:
    post(product)
    product.is_active = False
    product.save(update_fields=["is_active"])
    assert watches_due_check(now=T0 + 30 * DAY) == 0
    assert watch().state == WatchState.UP
    assert flips() == [("new", "up", False)]
    product.is_active = True
    product.save(update_fields=["is_active"])
    assert watches_due_check(now=T0 + 31 * DAY) == 1
    assert watch().state == WatchState.DOWN
