"""Where people see watches (DESIGN §6.7): the assessment page beside each answer, the
product page with its timeline, the admins' list of alarms and chat channels; and who
may change what, for the whole cast."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from surveys.models import ChatChannel, Watch, WatchMute, WatchState
from surveys.watches import chat
from surveys.watches.services import watches_due_check
from tests import factories

from .conftest import post

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)
PEOPLE = ("member", "other_member", "manager", "admin", "anonymous", "foreign_token")


@pytest.fixture
def down(product: Any) -> Watch:
    post(product, item="data.i1", at=timezone.now() - 20 * DAY)
    post(product, item="data.i2", at=timezone.now() - DAY)
    watches_due_check()
    return Watch.objects.get(item_key="data.i1")


def test_assessment_page_says_a_claimed_1_has_no_report_since(
    cast: Any, version: Any, down: Watch, client_for: Any
) -> None:
    rnd = factories.make_round(version=version, products=[cast.product])
    assessment = factories.make_assessment(rnd, cast.product, values={"data.i1": "1"})
    page = client_for("member").get(f"/assessments/{assessment.pk}/").content.decode()
    assert down.state == WatchState.DOWN
    since = down.last_post_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d")
    assert "no report since " + since in page
    assert "this 1 claims a check that has stopped reporting" in page
    assert 'data-watch="up"' in page


@pytest.mark.parametrize("who", PEOPLE)
def test_product_page_lists_watches_for_those_who_see_the_product(
    cast: Any, down: Watch, client_for: Any, who: str
) -> None:
    response = client_for(who).get(f"/products/{cast.product.slug}/")
    expected = {
        "member": 200,
        "manager": 200,
        "admin": 200,
        "other_member": 404,
        "anonymous": 302,
        "foreign_token": 302,
    }
    assert response.status_code == expected[who]
    if response.status_code == 200:
        page = response.content.decode()
        assert 'data-watch-item="data.i1"' in page and "D1 data practice 1" in page
        assert "New → Down" in page and "New → Up" in page
        # Settings forms for the team and admins only (managers change nothing).
        assert ('name="period_days"' in page) == (who in ("member", "admin"))


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_pause_a_watch(cast: Any, down: Watch, client_for: Any, who: str) -> None:
    until = (timezone.localdate() + 3 * DAY).isoformat()
    response = client_for(who).post(
        f"/watches/products/{cast.product.slug}/data.i1/", {"action": "pause", "until": until}
    )
    paused = Watch.objects.get(pk=down.pk).state == WatchState.PAUSED
    assert paused == (who in ("member", "admin"))
    assert response.status_code in (
        (302,) if who in ("member", "admin", "anonymous", "foreign_token") else (404,)
    )


@pytest.mark.parametrize(
    "data",
    [
        {"action": "settings", "period_days": "0", "grace_hours": "1", "fail_after": "3"},
        {"action": "settings", "period_days": "x"},
        {"action": "pause", "until": "3000-01-01"},
        {"action": "pause", "until": "not a date"},
        {"action": "explode"},
    ],
)
def test_bad_settings_say_why_and_change_nothing(
    cast: Any, down: Watch, client_for: Any, data: dict[str, str]
) -> None:
    response = client_for("member").post(
        f"/watches/products/{cast.product.slug}/data.i1/", data, follow=True
    )
    assert response.status_code == 200
    assert b"msg-error" in response.content
    fresh = Watch.objects.get(pk=down.pk)
    assert (fresh.state, fresh.period) == (WatchState.DOWN, 7 * DAY)


def test_settings_from_the_product_page(cast: Any, down: Watch, client_for: Any) -> None:
    client_for("member").post(
        f"/watches/products/{cast.product.slug}/data.i1/",
        {"action": "settings", "period_days": "30", "grace_hours": "48", "fail_after": "2"},
    )
    fresh = Watch.objects.get(pk=down.pk)
    assert (fresh.period, fresh.grace, fresh.fail_after, fresh.state) == (
        30 * DAY,
        2 * DAY,
        2,
        WatchState.UP,
    )


def test_a_member_mutes_and_unmutes(cast: Any, down: Watch, client_for: Any) -> None:
    client = client_for("member")
    client.post(f"/watches/products/{cast.product.slug}/mute/", {"muted": "1"})
    assert WatchMute.objects.filter(user=cast.member, product=cast.product).exists()
    client.post(f"/watches/products/{cast.product.slug}/mute/", {"muted": "0"})
    assert not WatchMute.objects.exists()
    assert (
        client_for("other_member")
        .post(f"/watches/products/{cast.product.slug}/mute/", {"muted": "1"})
        .status_code
        == 404
    )


@pytest.mark.parametrize("who", PEOPLE)
def test_only_admins_see_the_alarms(cast: Any, down: Watch, client_for: Any, who: str) -> None:
    response = client_for(who).get("/watches/")
    expected = {"admin": 200, "anonymous": 302, "foreign_token": 302}.get(who, 403)
    assert response.status_code == expected
    if expected == 200:
        page = response.content.decode()
        assert f'data-alarm="{cast.product.slug} data.i1"' in page
        assert "data.i2" not in page  # up


def test_alarms_filter_by_department_and_state(cast: Any, down: Watch, client_for: Any) -> None:
    client = client_for("admin")
    other = factories.DepartmentFactory(name="Elsewhere")
    page = client.get("/watches/", {"department": other.pk}).content.decode()
    assert "data-alarm" not in page
    page = client.get("/watches/", {"department": cast.product.department_id, "state": "failing"})
    assert "data-alarm" not in page.content.decode()
    page = client.get("/watches/", {"department": "nonsense", "state": "bogus"})
    assert page.status_code == 200 and "data-alarm" in page.content.decode()


def test_an_archived_products_alarms_leave_the_list(
    cast: Any, down: Watch, client_for: Any
) -> None:
    cast.product.is_active = False
    cast.product.save(update_fields=["is_active"])
    assert "data-alarm" not in client_for("admin").get("/watches/").content.decode()


@pytest.mark.parametrize("who", PEOPLE)
def test_only_admins_add_chat_channels(
    cast: Any, client_for: Any, who: str, monkeypatch: Any
) -> None:
    monkeypatch.setattr(chat, "_addresses", lambda h, p: [ipaddress.ip_address("93.184.216.34")])
    response = client_for(who).post(
        "/watches/channels/",
        {"action": "add", "kind": "slack", "url": "https://hooks.example/x", "product": "ads-ctr"},
    )
    assert ChatChannel.objects.exists() == (who == "admin")
    assert response.status_code == {"admin": 302, "anonymous": 302, "foreign_token": 302}.get(
        who, 403
    )


def test_a_private_webhook_is_refused_with_a_message(
    cast: Any, client_for: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(chat, "_addresses", lambda h, p: [ipaddress.ip_address("10.0.0.7")])
    response = client_for("admin").post(
        "/watches/channels/",
        {
            "action": "add",
            "kind": "teams",
            "url": "https://intranet.example/x",
            "department": cast.product.department_id,
        },
    )
    assert response.status_code == 200
    assert "private or local address" in response.content.decode()
    assert not ChatChannel.objects.exists()


def test_the_test_button_posts_in_the_channels_format(
    cast: Any, client_for: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(chat, "_addresses", lambda h, p: [ipaddress.ip_address("93.184.216.34")])
    posts: list[Any] = []
    monkeypatch.setattr(
        chat.requests,
        "post",
        lambda url, json, **kw: posts.append(json) or type("R", (), {"status_code": 200})(),
    )
    channel = ChatChannel.objects.create(
        kind="teams", url="https://hooks.example/t", product=cast.product
    )
    response = client_for("admin").post(
        "/watches/channels/", {"action": "test", "channel": channel.pk}, follow=True
    )
    assert "A test message was sent." in response.content.decode()
    assert posts[0]["attachments"][0]["content"]["type"] == "AdaptiveCard"
    assert (
        client_for("admin")
        .post("/watches/channels/", {"action": "test", "channel": "abc"})
        .status_code
        == 404
    )


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_watch_an_item_before_its_first_post(
    cast: Any, version: Any, client_for: Any, who: str
) -> None:
    response = client_for(who).post(
        f"/watches/products/{cast.product.slug}/add/", {"item": "data.i5"}
    )
    made = Watch.objects.filter(item_key="data.i5").exists()
    assert made == (who in ("member", "admin"))
    assert response.status_code in (302, 404)


def test_an_unknown_item_is_refused_with_a_message(
    cast: Any, version: Any, client_for: Any
) -> None:
    response = client_for("member").post(
        f"/watches/products/{cast.product.slug}/add/", {"item": "no.such"}, follow=True
    )
    assert "Unknown item key" in response.content.decode()
    assert not Watch.objects.exists()


def test_the_product_page_in_japanese(cast: Any, down: Watch, client_for: Any) -> None:
    from surveys.models import Profile

    Profile.objects.update_or_create(user=cast.member, defaults={"language": "ja"})
    page = (
        client_for("member")
        .get(f"/products/{cast.product.slug}/", HTTP_ACCEPT_LANGUAGE="ja")
        .content.decode()
    )
    assert "CI 監視" in page and "タイムライン" in page
