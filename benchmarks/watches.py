"""The `watches` section of `make bench` (DESIGN §6.7): products × 28 watches, 1% of them
flipping at once — the due check's time, the flips handled per second, and the evidence
post rate with every post updating its watch."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

FLIPPING = 0.01


def _watches_make(now: dt.datetime) -> tuple[int, int]:
    """A watch for every product and item: 1% last posted long ago (due now), the rest
    posted an hour ago (due in a week). Returns (watches, due)."""
    from surveys.organisation.models import Product
    from surveys.questionnaires.models import Item
    from surveys.watches.models import Watch, WatchState

    Watch.objects.all().delete()
    keys = sorted(set(Item.objects.values_list("key", flat=True)))[:28]
    products = list(Product.objects.values_list("pk", flat=True))
    period, grace = dt.timedelta(days=7), dt.timedelta(days=1)
    rows, due = [], 0
    for n, (product_id, key) in enumerate((p, k) for p in products for k in keys):
        stale = n % int(1 / FLIPPING) == 0
        due += stale
        last = now - (dt.timedelta(days=9) if stale else dt.timedelta(hours=1))
        rows.append(
            Watch(
                product_id=product_id,
                item_key=key,
                state=WatchState.UP,
                period=period,
                grace=grace,
                last_post_at=last,
                last_outcome="pass",
                next_due_at=last + period + grace,
                changed_at=last,
            )
        )
    Watch.objects.bulk_create(rows, batch_size=5000)
    return len(rows), due


def watches(*, record: Any, manage: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from surveys.core import tasks as core_tasks
    from surveys.organisation.models import Product
    from surveys.watches import notifications
    from surveys.watches.models import ChatDelivery, Flip, Watch
    from surveys.watches.services import watches_due_check

    from .load import MODEL, evidence_bodies, post_timed, serve, warm_up
    from .sections import _item_keys, _records, _token_for, drop_bench_evidence

    now = dt.datetime.now(dt.UTC)
    Flip.objects.all().delete()
    count, due = _watches_make(now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE surveys_watch")

    # Nothing due yet (a minute before the stale ones are): the check every minute.
    quiet = []
    for _ in range(5):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            watches_due_check(now=now - dt.timedelta(days=1, minutes=1))
        quiet.append(time.perf_counter() - start)
    selects = [q for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    record(
        f"watch due check, nothing due ({count:,} watches)",
        min(quiet) * 1000,
        "ms",
        "≤ 50 ms, 1 query",
        min(quiet) <= 0.05 and len(selects) == 1,
        f"{len(selects)} SELECT; runs {', '.join(f'{t * 1000:.1f}' for t in quiet)} ms",
    )

    # 1% flip at once: the due check stores them; the fan-out claims them (tasks are not
    # enqueued here, so both are timed on their own).
    published: list[Any] = []
    # The watches enqueue through surveys.core.tasks (looked up at each call): caught here,
    # so that the fan-out is timed on its own whether Celery runs eagerly or not (after
    # the round_close section the process sends tasks to Redis, where no worker listens).
    real_enqueue = core_tasks.enqueue
    core_tasks.enqueue = lambda task, *args: published.append(args)  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        handled = watches_due_check(now=now)
        check_seconds = time.perf_counter() - start
    finally:
        core_tasks.enqueue = real_enqueue  # type: ignore[assignment]
    flip_ids = [pk for args in published for pk in args[0]]
    start = time.perf_counter()
    for chunk in range(0, len(flip_ids), 1000):
        notifications.flips_fan_out(flip_ids=flip_ids[chunk : chunk + 1000], now=now)
    fan_seconds = time.perf_counter() - start
    flips = Flip.objects.filter(claimed_at__isnull=False).count()
    rate = flips / (check_seconds + fan_seconds) if flips else 0.0
    record(
        f"watch flips handled ({due:,} of {count:,} go down at once)",
        rate,
        "/s",
        "≥ 1,000 /s, each once",
        rate >= 1000 and flips == due == handled,
        f"due check {check_seconds:.2f} s, fan-out {fan_seconds:.2f} s, "
        f"{ChatDelivery.objects.count():,} chat deliveries",
    )

    # Single evidence posts through gunicorn, each updating its watch.
    drop_bench_evidence()
    product = Product.objects.order_by("id").first()
    token = _token_for(product)
    # Oldest first, as a pipeline posts: each pass finds its watch up and takes one UPDATE.
    records = _records(product, _item_keys(), 12_000, f"w-{time.time_ns()}")
    bodies = evidence_bodies(list(reversed(records)))
    prepared = [(token, body) for body in bodies]
    try:
        with serve({}) as port:
            warm_up(port, prepared[:40])
            load = post_timed(port, prepared[40:], seconds=10.0)
        record(
            f"evidence single posts with watches ({MODEL})",
            load.rate,
            "/s",
            "≥ 300 /s",
            load.rate >= 300 and not load.errors,
            load.detail(),
        )
    finally:
        drop_bench_evidence()
        Flip.objects.all().delete()
        Watch.objects.all().delete()
