"""Everything that writes watches (DESIGN §6.7): posts counted in, the due check, the
team's settings and pauses, chat channels and mutes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.db import IntegrityError, connection, transaction
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext

from surveys.audit.models import AuditCategory
from surveys.audit.services import audit_record
from surveys.core.errors import ApplicationError
from surveys.questionnaires.models import Item
from surveys.watches import states
from surveys.watches.chat import url_problem
from surveys.watches.models import (
    ChatChannel,
    ChatKind,
    Flip,
    Watch,
    WatchMute,
    WatchState,
)

DUE_BATCH = 1000
MAX_PERIOD = timedelta(days=366)
MAX_GRACE = timedelta(days=30)
MAX_PAUSE = timedelta(days=366)
_STATE = ["state", "changed_at", "remind_at", "next_due_at"]
_PASS_ON_TIME = (
    f"UPDATE {Watch._meta.db_table} SET last_post_at = GREATEST(last_post_at, %s), "
    "last_outcome = 'pass', fail_streak = 0 "
    "WHERE product_id = %s AND item_key = %s AND state = %s AND paused_until IS NULL "
    "AND period + grace > %s AND (last_post_at <= %s OR fail_streak = 0)"
)
_FACTS = ["last_post_at", "last_outcome", "fail_streak", *_STATE]


class Post(Protocol):
    @property
    def product_id(self) -> int: ...
    @property
    def item_key(self) -> str: ...
    @property
    def outcome(self) -> str: ...
    @property
    def observed_at(self) -> datetime: ...


def _flips_announce(flips: Sequence[Flip]) -> None:
    """Store the flips and have them told after the commit (each exactly once)."""
    if not flips:
        return
    created = Flip.objects.bulk_create(flips)
    ids = [flip.pk for flip in created]
    from surveys.core.tasks import enqueue
    from surveys.watches.tasks import flips_fan_out_task

    enqueue(flips_fan_out_task, ids)


def item_periods(keys: Iterable[str]) -> dict[str, int]:
    """Each item key's ``evidence_period_days`` in its newest version (one query)."""
    periods: dict[str, int] = {}
    rows = Item.objects.filter(key__in=set(keys)).order_by("key", "-version_id")
    for key, days in rows.values_list("key", "evidence_period_days"):
        periods.setdefault(key, days)
    return periods


def _watches_locked(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], Watch]:
    found = Watch.objects.select_for_update().filter(
        product_id__in={p for p, _ in pairs}, item_key__in={k for _, k in pairs}
    )
    return {
        (w.product_id, w.item_key): w
        for w in found.order_by("pk")
        if (w.product_id, w.item_key) in pairs
    }


def watches_observe(*, posts: Iterable[Post], now: datetime) -> list[Flip]:
    """Count evidence posts into their watches, creating a watch with an item's first post.

    Called by the evidence post service inside its transaction: one query to read the
    watches and one to write them, however many records a batch holds (a first post adds
    two more); flips are stored and told after the commit.
    """
    by_pair: dict[tuple[int, str], list[Post]] = {}
    for post in posts:
        by_pair.setdefault((post.product_id, post.item_key), []).append(post)
    single = [p for group in by_pair.values() for p in group][:2]
    if len(single) == 1 and _pass_on_time(single[0], now=now):
        return []
    if not by_pair:
        return []
    watches = _watches_locked(set(by_pair))
    missing = set(by_pair) - set(watches)
    if missing:
        periods = item_periods(key for _, key in missing)
        Watch.objects.bulk_create(
            [
                Watch(
                    product_id=product_id,
                    item_key=key,
                    period=timedelta(days=periods.get(key, 7)),
                    created_at=now,
                )
                for product_id, key in missing
            ],
            ignore_conflicts=True,
        )
        watches.update(_watches_locked(missing))
    flips, changed = [], []
    for pair, watch in watches.items():
        before = [getattr(watch, name) for name in _FACTS]
        for post in sorted(by_pair[pair], key=lambda p: p.observed_at):
            states.observe(watch, outcome=post.outcome, observed_at=post.observed_at)
        step = states.evaluate(watch, now)
        if step.flip is not None:
            flips.append(step.flip)
        if [getattr(watch, name) for name in _FACTS] != before:
            changed.append(watch)
    if len(changed) == 1:
        # One CI post changes one watch: a plain UPDATE of its row. bulk_update's CASE
        # per field cost about as much as the rest of the post.
        changed[0].save(update_fields=_FACTS)
    elif changed:
        Watch.objects.bulk_update(changed, _FACTS)
    _flips_announce(flips)
    return flips


def _pass_on_time(post: Post, *, now: datetime) -> bool:
    """The common post — a pass for a watch that is up — in one UPDATE: no flip can
    follow, so nothing needs reading first (DESIGN §6.7's cheap posts). A pass older than
    the last post (runs of one pipeline arriving out of order) keeps the newer time; it
    changes nothing else when the last outcome was a pass too. False when the watch is
    anything else; the full path then decides.

    It writes no indexed column (so PostgreSQL updates the row in place): ``next_due_at``
    stays where it was, earlier than the new due time, and the due check, finding the
    watch still up then, moves it on without a flip."""
    if post.outcome != "pass":
        return False
    if connection.vendor == "postgresql":
        # The same UPDATE as plain SQL: this runs for nearly every CI post, and compiling
        # the ORM's expression cost as much as the statement itself.
        params: list[Any] = [
            post.observed_at,
            post.product_id,
            post.item_key,
            WatchState.UP,
            now - post.observed_at,
            post.observed_at,
        ]
        with connection.cursor() as cursor:
            cursor.execute(_PASS_ON_TIME, params)
            return cursor.rowcount == 1
    window = ExpressionWrapper(F("period") + F("grace"), output_field=DurationField())
    updated = (
        Watch.objects.alias(window=window)
        .filter(
            product_id=post.product_id,
            item_key=post.item_key,
            state=WatchState.UP,
            paused_until__isnull=True,
            window__gt=now - post.observed_at,
        )
        .filter(Q(last_post_at__lte=post.observed_at) | Q(fail_streak=0))
        .update(
            last_post_at=Greatest(
                F("last_post_at"), Value(post.observed_at, output_field=DateTimeField())
            ),
            last_outcome="pass",
            fail_streak=0,
        )
    )
    return updated == 1


def watches_due_check(*, now: datetime | None = None, limit: int = DUE_BATCH) -> int:
    """Handle the watches whose ``next_due_at`` has come: they go down, their pause ends or
    a reminder is due. One indexed query finds them; ``SKIP LOCKED`` lets two workers
    share the work without handling one row twice. Returns the watches handled."""
    now = now or timezone.now()
    handled = 0
    while True:
        with transaction.atomic(durable=True):
            due = list(
                Watch.objects.select_for_update(skip_locked=True, of=("self",))
                # An archived product's pipelines are expected to stop: its watches wait,
                # and are judged again if it comes back.
                .filter(next_due_at__lte=now, product__is_active=True)
                .order_by("next_due_at")[:limit]
            )
            flips = []
            for watch in due:
                step = states.evaluate(watch, now)
                if step.flip is not None:
                    flips.append(step.flip)
            _states_store(due)
            _flips_announce(flips)
        handled += len(due)
        if len(due) < limit:
            return handled


def _states_store(watches: Sequence[Watch]) -> None:
    """Store the evaluated states: watches that came due together mostly end alike
    (down now, reminded in a week), so one UPDATE per set of equal values, not a CASE
    per row."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for watch in watches:
        groups.setdefault(tuple(getattr(watch, name) for name in _STATE), []).append(watch.pk)
    for values, ids in groups.items():
        Watch.objects.filter(pk__in=ids).update(**dict(zip(_STATE, values, strict=True)))


def _settle(watch: Watch, *, now: datetime) -> None:
    step = states.evaluate(watch, now)
    watch.save()
    _flips_announce([step.flip] if step.flip else [])


def _bounded(value: timedelta, *, low: timedelta, high: timedelta, name: str) -> None:
    if not low <= value <= high:
        raise ApplicationError(
            gettext("%(name)s must lie between %(low)s and %(high)s days.")
            % {"name": name, "low": low.days or "1/24", "high": high.days}
        )


@transaction.atomic(durable=True)
def watch_create(*, product: Any, item_key: str, by: Any, now: datetime | None = None) -> Watch:
    """A team's watch made before the first post (it stays ``new`` until one comes)."""
    now = now or timezone.now()
    periods = item_periods([item_key])
    if item_key not in periods:
        raise ApplicationError(
            gettext("Unknown item key %(key)s: use the key of a questionnaire item.")
            % {"key": repr(item_key)}
        )
    try:
        with transaction.atomic():
            watch = Watch.objects.create(
                product=product,
                item_key=item_key,
                period=timedelta(days=periods[item_key]),
                created_at=now,
            )
    except IntegrityError:
        raise ApplicationError(gettext("This item is already watched.")) from None
    audit_record(
        by=by,
        category=AuditCategory.ORGANISATION,
        action="watch_create",
        subject=watch,
        target=f"{product.slug} {item_key}",
    )
    return watch


@transaction.atomic(durable=True)
def watch_update(
    *,
    watch: Watch,
    by: Any,
    period: timedelta | None = None,
    grace: timedelta | None = None,
    fail_after: int | None = None,
    now: datetime | None = None,
    source: str = "web",
) -> Watch:
    """The team's or an admin's period, grace and N; the state follows at once."""
    now = now or timezone.now()
    watch = Watch.objects.select_for_update().get(pk=watch.pk)
    before = {
        "period": str(watch.period),
        "grace": str(watch.grace),
        "fail_after": watch.fail_after,
    }
    if period is not None:
        _bounded(period, low=timedelta(hours=1), high=MAX_PERIOD, name=gettext("The period"))
        watch.period = period
    if grace is not None:
        _bounded(grace, low=timedelta(hours=1), high=MAX_GRACE, name=gettext("The grace time"))
        watch.grace = grace
    if fail_after is not None:
        if not 1 <= fail_after <= 100:
            raise ApplicationError(
                gettext("The number of failed posts must lie between 1 and 100.")
            )
        watch.fail_after = fail_after
    _settle(watch, now=now)
    after = {"period": str(watch.period), "grace": str(watch.grace), "fail_after": watch.fail_after}
    audit_record(
        by=by,
        category=AuditCategory.ORGANISATION,
        action="watch_update",
        subject=watch,
        source=source,
        before=before,
        after=after,
    )
    return watch


@transaction.atomic(durable=True)
def watch_pause(
    *,
    watch: Watch,
    until: datetime | None,
    by: Any,
    now: datetime | None = None,
    source: str = "web",
) -> Watch:
    """Pause until a date (a pause always ends), or resume with ``until=None``."""
    now = now or timezone.now()
    if until is not None and not now < until <= now + MAX_PAUSE:
        raise ApplicationError(
            gettext("A pause ends after now and within %(days)s days.") % {"days": MAX_PAUSE.days}
        )
    watch = Watch.objects.select_for_update().get(pk=watch.pk)
    watch.paused_until = until
    _settle(watch, now=now)
    audit_record(
        by=by,
        category=AuditCategory.ORGANISATION,
        action="watch_pause" if until else "watch_resume",
        subject=watch,
        source=source,
        until=until.isoformat() if until else None,
    )
    return watch


@transaction.atomic(durable=True)
def chat_channel_create(
    *, kind: str, url: str, by: Any, product: Any = None, department: Any = None
) -> ChatChannel:
    """An admin's webhook on a product or a department; refused when the URL is unsafe."""
    if kind not in ChatKind.values:
        raise ApplicationError(gettext("Choose Slack or Microsoft Teams."))
    if (product is None) == (department is None):
        raise ApplicationError(gettext("A chat channel belongs to a product or a department."))
    problem = url_problem(url)
    if problem:
        raise ApplicationError(problem)
    channel = ChatChannel.objects.create(kind=kind, url=url, product=product, department=department)
    audit_record(
        by=by,
        category=AuditCategory.ORGANISATION,
        action="chat_channel_create",
        subject=channel,
        target=str(product or department),
        kind=kind,
    )
    return channel


@transaction.atomic(durable=True)
def chat_channel_delete(*, channel: ChatChannel, by: Any) -> None:
    audit_record(
        by=by,
        category=AuditCategory.ORGANISATION,
        action="chat_channel_delete",
        subject=channel,
        target=str(channel.product or channel.department),
    )
    channel.delete()


@transaction.atomic(durable=True)
def watch_mute_set(*, user: Any, product: Any, muted: bool) -> None:
    """A member mutes (or unmutes) a product's watch notifications for themselves."""
    if muted:
        WatchMute.objects.get_or_create(user=user, product=product)
    else:
        WatchMute.objects.filter(user=user, product=product).delete()


def flips_of(*, watch_ids: Iterable[int]) -> Any:
    """Real flips (no reminders), newest first."""
    return Flip.objects.filter(watch_id__in=list(watch_ids), reminder=False)
