"""Telling people about flips (DESIGN §6.7): chat messages per channel and one email
digest a day per person, each sent after the flip's commit, by tasks that retry.

Reuses the rounds' email machinery (``emails_send``, ``members_by_product``): the same
templates folder, each reader's language and time zone.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from surveys.core.i18n import tr
from surveys.organisation.models import Department, Product
from surveys.organisation.roles import ADMIN_GROUP
from surveys.questionnaires.models import Item
from surveys.rounds.notifications import emails_send, members_by_product, user_zone
from surveys.watches.chat import ChatError, chat_post
from surveys.watches.models import (
    ChatChannel,
    ChatDelivery,
    Flip,
    WatchDigest,
    WatchMute,
    WatchState,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# A digest looks back this far: a flip not told by then (mail down for two days) is old news.
DIGEST_LOOKBACK = timedelta(days=2)


def product_url(product: Product) -> str:
    return f"{settings.SITE_URL}/products/{product.slug}/"


def item_titles(keys: Sequence[str]) -> dict[str, tuple[str, Any]]:
    """Each item key's code and title in its newest version."""
    found: dict[str, tuple[str, Any]] = {}
    rows = Item.objects.filter(key__in=set(keys)).order_by("key", "-version_id")
    for key, code, title in rows.values_list("key", "code", "title"):
        found.setdefault(key, (code, title))
    return found


def channels_for(product: Product) -> list[ChatChannel]:
    """The product's live channels and those of its department and every parent of it."""
    return _ChannelMap().of(product)


class _ChannelMap:
    """Every live channel and the department tree, read once (two queries) for a whole
    fan-out however many products flipped."""

    def __init__(self) -> None:
        self.parents = dict(Department.objects.values_list("pk", "parent_id"))
        self.by_product: dict[int, list[ChatChannel]] = defaultdict(list)
        self.by_department: dict[int, list[ChatChannel]] = defaultdict(list)
        for channel in ChatChannel.objects.filter(dead_since__isnull=True).order_by("pk"):
            if channel.product_id is not None:
                self.by_product[channel.product_id].append(channel)
            elif channel.department_id is not None:
                self.by_department[channel.department_id].append(channel)

    def of(self, product: Product) -> list[ChatChannel]:
        found = list(self.by_product.get(product.pk, []))
        seen: set[int] = set()
        current: int | None = product.department_id
        while current is not None and current not in seen:
            seen.add(current)
            found += self.by_department.get(current, [])
            current = self.parents.get(current)
        return found


def flip_message(flip: Flip) -> dict[str, Any]:
    """What a chat message says of a flip, in the organisation's language."""
    watch = flip.watch
    product = watch.product
    code, title = item_titles([watch.item_key]).get(watch.item_key, ("", watch.item_key))
    with translation.override(settings.LANGUAGE_CODE):
        states = dict(WatchState.choices)
        item = f"{code} {tr(title)}".strip()
        if flip.reminder:
            headline = gettext("%(product)s · %(item)s is still %(state)s") % {
                "product": product.name,
                "item": item,
                "state": states[flip.new_state],
            }
        else:
            headline = gettext("%(product)s · %(item)s: %(old)s → %(new)s") % {
                "product": product.name,
                "item": item,
                "old": states[flip.old_state],
                "new": states[flip.new_state],
            }
        last = (
            formats.date_format(timezone.localtime(watch.last_post_at), "DATETIME_FORMAT")
            if watch.last_post_at
            else gettext("never")
        )
        return {
            "title": headline,
            "facts": [
                (gettext("Product"), product.name),
                (gettext("Item"), item),
                (gettext("State"), str(states[flip.new_state])),
                (gettext("Last report"), last),
                (gettext("Last outcome"), watch.last_outcome or "—"),
            ],
            "url": product_url(product),
            "link_text": gettext("Open the product"),
        }


def flips_fan_out(*, flip_ids: Sequence[int], now: datetime | None = None) -> list[int]:
    """Claim the flips not yet told and create one chat delivery per flip and channel.

    The claim is a conditional update under ``SKIP LOCKED``: with two workers given the
    same flips, each flip is claimed (and so told) by one of them only. Returns the ids
    of the deliveries to send.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Flip.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(flip_ids), claimed_at__isnull=True)
            .values_list("pk", flat=True)
        )
        if not ids:
            return []
        Flip.objects.filter(pk__in=ids, claimed_at__isnull=True).update(claimed_at=now)
        flips = Flip.objects.filter(pk__in=ids).select_related("watch__product")
        channels = _ChannelMap()
        deliveries = [
            ChatDelivery(flip=flip, channel=channel)
            for flip in flips
            for channel in channels.of(flip.watch.product)
        ]
        created = ChatDelivery.objects.bulk_create(deliveries)
    return [d.pk for d in created]


def flips_unclaimed(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Flips stored over a minute ago whose fan-out never ran (a partial index keeps
    this cheap: told flips are not in it)."""
    before = (now or timezone.now()) - timedelta(minutes=1)
    return list(
        Flip.objects.filter(claimed_at__isnull=True, at__lte=before)
        .order_by("at")
        .values_list("pk", flat=True)[:limit]
    )


def chat_deliver(*, delivery_id: int, now: datetime | None = None) -> str:
    """Send one delivery once: ``sent``, ``retry`` (raise to retry later), ``gave_up``
    (after ``MAX_ATTEMPTS``: the channel is marked dead and admins are told) or ``none``."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            ChatDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, sent_at__isnull=True, gave_up_at__isnull=True)
            .select_related("flip__watch__product", "channel")
            .first()
        )
        if delivery is None:
            return "none"
        channel = delivery.channel
        try:
            chat_post(kind=channel.kind, url=channel.url, message=flip_message(delivery.flip))
        except ChatError as exc:
            delivery.attempts += 1
            if delivery.attempts < MAX_ATTEMPTS:
                delivery.save(update_fields=["attempts"])
                logger.warning("Chat channel %s failed (%s), will retry", channel.pk, exc)
                return "retry"
            delivery.gave_up_at = now
            delivery.save(update_fields=["attempts", "gave_up_at"])
            _channel_dead(channel, error=str(exc), now=now)
            return "gave_up"
        delivery.sent_at = now
        delivery.save(update_fields=["sent_at"])
        return "sent"


def _channel_dead(channel: ChatChannel, *, error: str, now: datetime) -> None:
    """Stop using a channel that keeps failing and tell the admins (once: the update is
    conditional)."""
    marked = ChatChannel.objects.filter(pk=channel.pk, dead_since__isnull=True).update(
        dead_since=now, last_error=error[:300]
    )
    if not marked:
        return
    ChatDelivery.objects.filter(
        channel=channel, sent_at__isnull=True, gave_up_at__isnull=True
    ).update(gave_up_at=now)
    owner = channel.product or channel.department
    admins = (
        get_user_model()
        .objects.filter(groups__name=ADMIN_GROUP, is_active=True)
        .exclude(email="")
        .select_related("profile")
    )
    transaction.on_commit(
        lambda: _admins_tell(
            admins=list(admins), channel=channel, owner=str(owner), error=error[:300]
        )
    )


def _admins_tell(*, admins: list[Any], channel: ChatChannel, owner: str, error: str) -> None:
    try:
        emails_send(
            template="watch_channel_dead",
            recipients=[
                (user, {"channel": channel, "owner": owner, "error": error}) for user in admins
            ],
        )
    except Exception:
        logger.exception("Could not tell admins that chat channel %s is dead", channel.pk)


def chat_test(*, channel: ChatChannel) -> None:
    """The "send a test message" button: raises ``ChatError`` with the reason on failure."""
    owner = channel.product or channel.department
    url = product_url(channel.product) if channel.product else settings.SITE_URL + "/"
    with translation.override(settings.LANGUAGE_CODE):
        message = {
            "title": gettext("Test message from mlopsscore"),
            "facts": [(gettext("Channel of"), str(owner))],
            "url": url,
            "link_text": gettext("Open mlopsscore"),
        }
    chat_post(kind=channel.kind, url=channel.url, message=message)


def watch_digests_send(*, now: datetime | None = None) -> int:
    """Email each member the flips of their products since their last digest, at most
    once a day per person (the unique (user, day) row is the claim). A person who had
    today's digest gets the rest tomorrow. Returns the digests sent."""
    now = now or timezone.now()
    flips = list(
        Flip.objects.filter(at__gt=now - DIGEST_LOOKBACK, at__lte=now, claimed_at__isnull=False)
        .select_related("watch__product")
        .order_by("at", "pk")
    )
    if not flips:
        return 0
    by_product: dict[int, list[Flip]] = defaultdict(list)
    for flip in flips:
        by_product[flip.watch.product_id].append(flip)
    members = members_by_product(by_product)
    muted = set(
        WatchMute.objects.filter(product_id__in=list(by_product)).values_list(
            "user_id", "product_id"
        )
    )
    users: dict[int, Any] = {}
    products_of: dict[int, list[int]] = defaultdict(list)
    for product_id, people in members.items():
        for user in people:
            if (user.pk, product_id) not in muted:
                users[user.pk] = user
                products_of[user.pk].append(product_id)
    last_until = dict(
        WatchDigest.objects.filter(user_id__in=list(users), until__gt=now - DIGEST_LOOKBACK)
        .order_by("until")
        .values_list("user_id", "until")
    )
    titles = item_titles([f.watch.item_key for f in flips])
    sent = 0
    for user_id, user in users.items():
        since = last_until.get(user_id)
        pending = [
            flip
            for product_id in products_of[user_id]
            for flip in by_product[product_id]
            if since is None or flip.at > since
        ]
        if pending and _digest_send(user=user, flips=pending, titles=titles, now=now):
            sent += 1
    return sent


def _digest_send(*, user: Any, flips: list[Flip], titles: dict[str, Any], now: datetime) -> bool:
    day = timezone.localtime(now, user_zone(user)).date()
    try:
        with transaction.atomic():
            WatchDigest.objects.create(user=user, day=day, until=now, flips=len(flips))
            lines = [
                {
                    "flip": flip,
                    "product": flip.watch.product,
                    "item": titles.get(flip.watch.item_key, ("", flip.watch.item_key)),
                    "url": product_url(flip.watch.product),
                }
                for flip in sorted(flips, key=lambda f: (f.watch.product.name, f.at))
            ]
            emails_send(template="watch_digest", recipients=[(user, {"lines": lines})])
    except IntegrityError:
        return False  # today's digest is out (or another worker is sending it)
    return True
