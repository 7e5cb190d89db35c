"""The demo's live watches (DESIGN §6.7) and the local chat catcher ``make run`` starts."""

from __future__ import annotations

import datetime as dt
import io
import threading
from typing import Any

import pytest
import requests
import time_machine
from django.core.management import call_command

from surveys.models import ChatChannel, Flip, Watch, WatchState
from surveys.watches.catcher import DEMO_URL, catcher_serve
from surveys.watches.chat import slack_payload

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def seed() -> str:
    out = io.StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_demo_has_watches_up_one_failing_one_down_one_paused_and_a_catcher() -> None:
    out = seed()
    counts = {s: Watch.objects.filter(state=s).count() for s in WatchState.values}
    assert counts["failing"] == counts["down"] == counts["paused"] == 1
    assert counts["up"] > 10 and counts["new"] == 0
    assert "watches:" in out
    # The timeline tells how each got there, already told (the demo starts quiet).
    down = Watch.objects.get(state="down")
    assert [(f.old_state, f.new_state) for f in down.flips.order_by("at")] == [
        ("new", "up"),
        ("up", "down"),
    ]
    assert not Flip.objects.filter(claimed_at__isnull=True).exists()
    channel = ChatChannel.objects.get()
    assert channel.url == DEMO_URL and channel.department.parent is None


def test_the_catcher_prints_what_it_receives() -> None:
    out = io.StringIO()
    server = catcher_serve(port=0, out=out)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        message: dict[str, Any] = {
            "title": "ads-ctr · D1: Up → Down",
            "facts": [("State", "Down")],
            "url": "http://127.0.0.1:8000/products/ads-ctr/",
            "link_text": "Open",
        }
        response = requests.post(
            f"http://127.0.0.1:{port}/demo", json=slack_payload(message), timeout=5
        )
        assert response.status_code == 200
    finally:
        server.shutdown()
        server.server_close()
    assert "--- chat webhook /demo ---" in out.getvalue()
    assert "ads-ctr · D1: Up → Down" in out.getvalue()
