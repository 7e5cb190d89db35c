"""Exactly once with two workers (DESIGN §6.7): two due checks running at once flip each
watch once, and two fan-outs of the same flips claim each once. Real threads; run on
SQLite and, with ``DATABASE_URL``, on PostgreSQL (where ``SKIP LOCKED`` shares the rows)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from surveys.models import ChatChannel, ChatDelivery, Flip, Watch, WatchState
from surveys.watches import notifications
from surveys.watches.services import watches_due_check
from tests import factories

from .conftest import T0

WATCHES = 60


def _twice(work: Callable[[], Any]) -> list[Any]:
    results: list[Any] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            results.append(work())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def due_watches(transactional_db: Any, monkeypatch: Any) -> Any:
    # The flips' tasks are not run here: the test plays the workers itself.
    monkeypatch.setattr("surveys.core.tasks.enqueue", lambda task, *args: None)
    product = factories.ProductFactory(slug="ads-ctr")
    last = T0 - timedelta(days=9)
    Watch.objects.bulk_create(
        Watch(
            product=product,
            item_key=f"data.i{n}",
            state=WatchState.UP,
            last_post_at=last,
            last_outcome="pass",
            next_due_at=last + timedelta(days=8),
        )
        for n in range(WATCHES)
    )
    ChatChannel.objects.create(kind="slack", url="https://hooks.example/a", product=product)
    return product


def test_two_due_checks_flip_each_watch_once(due_watches: Any) -> None:
    handled = _twice(lambda: watches_due_check(now=T0, limit=7))
    assert sum(handled) == WATCHES
    assert Watch.objects.filter(state=WatchState.DOWN).count() == WATCHES
    assert Flip.objects.filter(old_state="up", new_state="down").count() == WATCHES


def test_two_fan_outs_of_the_same_flips_claim_each_once(due_watches: Any) -> None:
    watches_due_check(now=T0)
    ids = list(Flip.objects.values_list("pk", flat=True))
    deliveries = _twice(lambda: notifications.flips_fan_out(flip_ids=ids, now=T0))
    assert sorted(len(d) for d in deliveries)[1] <= WATCHES
    assert sum(len(d) for d in deliveries) == WATCHES
    assert ChatDelivery.objects.count() == WATCHES
    assert not Flip.objects.filter(claimed_at__isnull=True).exists()
