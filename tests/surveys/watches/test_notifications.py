"""Telling flips (DESIGN §6.7): exactly once with two workers, Slack and Teams payloads,
one digest a day per person, mutes, dead webhooks reported to admins, safe URLs."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from surveys.core.errors import ApplicationError
from surveys.models import ChatChannel, ChatDelivery, Flip, Profile, Watch
from surveys.watches import chat, notifications
from surveys.watches.services import chat_channel_create, watch_mute_set, watches_due_check

from .conftest import T0, factories, post

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)
PUBLIC = [ipaddress.ip_address("93.184.216.34")]


class Sent:
    def __init__(self) -> None:
        self.posts: list[tuple[str, Any]] = []
        self.status = 200

    def __call__(self, url: str, json: Any, **kwargs: Any) -> Any:
        self.posts.append((url, json))
        return type("R", (), {"status_code": self.status, "text": "no"})()


@pytest.fixture
def sent(monkeypatch: Any) -> Sent:
    catcher = Sent()
    monkeypatch.setattr(chat.requests, "post", catcher)
    monkeypatch.setattr(chat, "_addresses", lambda host, port: PUBLIC)
    return catcher


class Clock:
    at = T0 + timedelta(minutes=1)


@pytest.fixture(autouse=True)
def clock(monkeypatch: Any) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.at)
    return clock


def _down_flip(product: Any) -> Flip:
    post(product)
    watches_due_check(now=T0 + 8 * DAY)
    return Flip.objects.get(new_state="down")


def test_two_workers_given_the_same_flips_tell_each_once(
    product: Any, cast: Any, sent: Sent
) -> None:
    chat_channel_create(kind="slack", url="https://hooks.example/a", product=product, by=cast.admin)
    flip = _down_flip(product)
    first = notifications.flips_fan_out(flip_ids=[flip.pk])
    second = notifications.flips_fan_out(flip_ids=[flip.pk])
    assert len(first) == 1 and second == []
    for _ in range(2):
        for delivery_id in first:
            notifications.chat_deliver(delivery_id=delivery_id)
    assert len(sent.posts) == 1
    assert ChatDelivery.objects.get().sent_at is not None


def test_slack_message_is_blocks_with_a_link_to_the_product(
    product: Any, cast: Any, sent: Sent
) -> None:
    chat_channel_create(kind="slack", url="https://hooks.example/s", product=product, by=cast.admin)
    flip = _down_flip(product)
    for delivery_id in notifications.flips_fan_out(flip_ids=[flip.pk]):
        notifications.chat_deliver(delivery_id=delivery_id)
    url, body = sent.posts[0]
    assert url == "https://hooks.example/s"
    assert "Up → Down" in body["text"] and product.name in body["text"]
    assert [b["type"] for b in body["blocks"]] == ["section", "section", "actions"]
    button = body["blocks"][2]["elements"][0]
    assert button["url"] == f"http://testserver/products/{product.slug}/".replace(
        "http://testserver", __import__("django.conf").conf.settings.SITE_URL
    )
    assert "*Last report:*" in body["blocks"][1]["text"]["text"]


def test_teams_message_is_an_adaptive_card_inherited_from_a_parent_department(
    product: Any, cast: Any, sent: Sent
) -> None:
    parent = factories.DepartmentFactory(name="Ads")
    product.department.parent = parent
    product.department.save()
    chat_channel_create(
        kind="teams", url="https://hooks.example/t", department=parent, by=cast.admin
    )
    flip = _down_flip(product)
    for delivery_id in notifications.flips_fan_out(flip_ids=[flip.pk]):
        notifications.chat_deliver(delivery_id=delivery_id)
    _, body = sent.posts[0]
    assert body["type"] == "message"
    attachment = body["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][0]["text"].endswith("Up → Down")
    assert {f["title"] for f in card["body"][1]["facts"]} >= {"Product", "Item", "State"}
    assert card["actions"][0]["type"] == "Action.OpenUrl"
    assert card["actions"][0]["url"].endswith(f"/products/{product.slug}/")


def test_a_dead_webhook_gives_up_tells_admins_and_is_not_used_again(
    product: Any, cast: Any, sent: Sent, django_capture_on_commit_callbacks: Any
) -> None:
    channel = chat_channel_create(
        kind="slack", url="https://hooks.example/dead", product=product, by=cast.admin
    )
    sent.status = 404
    flip = _down_flip(product)
    (delivery_id,) = notifications.flips_fan_out(flip_ids=[flip.pk])
    results = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(notifications.MAX_ATTEMPTS + 2):
            results.append(notifications.chat_deliver(delivery_id=delivery_id))
    assert results[: notifications.MAX_ATTEMPTS] == ["retry"] * (notifications.MAX_ATTEMPTS - 1) + [
        "gave_up"
    ]
    assert results[notifications.MAX_ATTEMPTS :] == ["none", "none"]
    assert len(sent.posts) == notifications.MAX_ATTEMPTS
    channel.refresh_from_db()
    assert channel.dead_since is not None and "404" in channel.last_error
    assert [m.to for m in mail.outbox] == [[cast.admin.email]]
    assert "stopped working" in mail.outbox[0].subject
    assert notifications.channels_for(product) == []


def test_one_digest_a_day_however_many_flips(product: Any, cast: Any, clock: Clock) -> None:
    post(product, item="data.i1")
    post(product, item="data.i2")
    watches_due_check(now=T0 + 8 * DAY)
    Flip.objects.update(claimed_at=T0)
    assert notifications.watch_digests_send(now=T0 + 8 * DAY) == 1
    assert notifications.watch_digests_send(now=T0 + 8 * DAY + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert body.count("Up → Down") == 2 and mail.outbox[0].to == [cast.member.email]
    # A flip later the same day waits for tomorrow's digest.
    clock.at = T0 + 8 * DAY + timedelta(hours=2)
    post(product, item="data.i1", at=T0 + 8 * DAY + timedelta(hours=2))
    Flip.objects.update(claimed_at=T0)
    assert notifications.watch_digests_send(now=T0 + 8 * DAY + timedelta(hours=3)) == 0
    assert notifications.watch_digests_send(now=T0 + 9 * DAY + timedelta(hours=1)) == 1
    assert "Down → Up" in mail.outbox[1].body and "Up → Down" not in mail.outbox[1].body


def test_a_member_who_muted_the_product_gets_no_digest(product: Any, cast: Any) -> None:
    watch_mute_set(user=cast.member, product=product, muted=True)
    post(product)
    Flip.objects.update(claimed_at=T0)
    assert notifications.watch_digests_send(now=T0 + timedelta(minutes=5)) == 0
    assert mail.outbox == []
    watch_mute_set(user=cast.member, product=product, muted=False)
    assert notifications.watch_digests_send(now=T0 + timedelta(minutes=5)) == 1


def test_digest_in_japanese_for_a_japanese_reader(product: Any, cast: Any) -> None:
    Profile.objects.update_or_create(user=cast.member, defaults={"language": "ja"})
    post(product)
    Flip.objects.update(claimed_at=T0)
    notifications.watch_digests_send(now=T0 + timedelta(minutes=5))
    assert "CI チェック" in mail.outbox[0].subject


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "192.168.0.9", "169.254.169.254", "::1", "fe80::1", "fd00::1"],
)
def test_webhooks_to_private_addresses_are_refused(
    product: Any, cast: Any, monkeypatch: Any, address: str
) -> None:
    monkeypatch.setattr(chat, "_addresses", lambda host, port: [ipaddress.ip_address(address)])
    with pytest.raises(ApplicationError, match="private or local"):
        chat_channel_create(
            kind="slack", url="https://hooks.example/x", product=product, by=cast.admin
        )
    assert not ChatChannel.objects.exists()


def test_webhooks_must_be_https(product: Any, cast: Any, sent: Sent) -> None:
    with pytest.raises(ApplicationError, match="https"):
        chat_channel_create(
            kind="slack", url="http://hooks.example/x", product=product, by=cast.admin
        )
    with pytest.raises(ApplicationError, match="https"):
        chat_channel_create(
            kind="slack", url="ftp://hooks.example/x", product=product, by=cast.admin
        )


@override_settings(WATCH_WEBHOOK_ALLOW_PRIVATE_IPS=True)
def test_the_setting_allows_a_local_catcher_over_http(product: Any, cast: Any) -> None:
    channel = chat_channel_create(
        kind="slack", url="http://127.0.0.1:8025/hook", product=product, by=cast.admin
    )
    assert channel.pk


def test_a_url_checked_again_when_sent(
    product: Any, cast: Any, sent: Sent, monkeypatch: Any
) -> None:
    chat_channel_create(kind="slack", url="https://hooks.example/a", product=product, by=cast.admin)
    flip = _down_flip(product)
    (delivery_id,) = notifications.flips_fan_out(flip_ids=[flip.pk])
    # The name now resolves inside the network (DNS rebinding): nothing is posted.
    monkeypatch.setattr(chat, "_addresses", lambda host, port: [ipaddress.ip_address("10.0.0.1")])
    assert notifications.chat_deliver(delivery_id=delivery_id) == "retry"
    assert sent.posts == []


def test_reminders_are_told_too(product: Any, cast: Any, sent: Sent) -> None:
    chat_channel_create(kind="slack", url="https://hooks.example/a", product=product, by=cast.admin)
    post(product)
    watches_due_check(now=T0 + 8 * DAY)
    watches_due_check(now=T0 + 15 * DAY)
    reminder = Flip.objects.get(reminder=True)
    for delivery_id in notifications.flips_fan_out(flip_ids=[reminder.pk]):
        notifications.chat_deliver(delivery_id=delivery_id)
    assert "still Down" in sent.posts[0][1]["text"]
    assert Watch.objects.get().state == "down"
